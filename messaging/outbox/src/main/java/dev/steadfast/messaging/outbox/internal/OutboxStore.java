package dev.steadfast.messaging.outbox.internal;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.ParkedMessage;
import dev.steadfast.messaging.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Thread-safe access to one outbox table: every statement the outbox and its relays run, each claim and
 * settlement in a transaction of its own on a connection from the data source (enqueue runs on the caller's).
 *
 * <p>Row states: {@code status} 0 pending, 1 sent (kept only with a retention), 2 parked. A pending row is
 * claimable once {@code available_at} has passed and no lease holds it. Leases come in two kinds, by dialect:
 * per row, where a claim sets {@code available_at} to the end of the lease and stamps a lease token on each row;
 * or per batch ({@link BatchLeases}, PostgreSQL), where a claim writes the batch's lease into a slot row of a
 * lease table and leaves the outbox rows as they are. Either way a crashed relay's rows come back when the lease
 * expires, and settlements that retry, park or release a row apply only while the lease is still held, so a relay
 * whose lease ran out cannot undo the work of the relay that took over; marking a row sent does not check (the
 * message was confirmed, whoever holds the row now).
 */
public final class OutboxStore {

  static final int PENDING = 0;
  static final int SENT = 1;
  static final int PARKED = 2;
  private static final int MAX_ERROR_LENGTH = 1000;

  /** A claimed row: its sequence number, the message, and how many attempts were made including this one. */
  public record Claimed(long seq, OutboxMessage message, int attempts, long createdAtMillis) {}

  /** What a relay decided about claimed rows, applied in one transaction. */
  public static final class Settlement {
    final List<Long> sent = new ArrayList<>();
    final List<Object[]> retries = new ArrayList<>();
    final List<Object[]> parks = new ArrayList<>();
    final List<Object[]> releases = new ArrayList<>();

    /** Confirmed by the broker. */
    public void sent(long seq) {
      sent.add(seq);
    }

    /** Failed; try again from {@code availableAtMillis}. */
    public void retry(long seq, long availableAtMillis, String error) {
      retries.add(new Object[] {availableAtMillis, truncate(error), seq});
    }

    /** Failed for good, or out of attempts: park. */
    public void park(long seq, String error) {
      parks.add(new Object[] {truncate(error), seq});
    }

    /** Not attempted after all (the relay stopped, or its pipeline refused the call): give back, uncounted. */
    public void release(long seq, long availableAtMillis) {
      releases.add(new Object[] {availableAtMillis, seq});
    }

    /** Whether there is nothing to write. */
    public boolean isEmpty() {
      return sent.isEmpty() && retries.isEmpty() && parks.isEmpty() && releases.isEmpty();
    }
  }

  private final DataSource dataSource;
  private final OutboxDialect dialect;
  private final String table;
  private final boolean keepSent;
  private final String insert;
  private final String claim;
  private final @Nullable BatchLeases leases;
  // Batch leases only: the lease slot of each batch not yet settled, by the batch's token, and the slots free
  // for the next claim. A slot serves one batch at a time (see BatchLeases).
  private final ConcurrentHashMap<String, String> slotsByToken = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> freeSlots = new ConcurrentLinkedQueue<>();
  private final String markSentArray;
  private final @Nullable String deleteArray;
  private final String markSentRange;
  private final String deleteRange;
  private final String lease;
  private final String delete;
  private final String markSent;
  private final String retry;
  private final String park;
  private final String release;

  /**
   * @param keepSent whether sent rows stay (status 1, for a retention period) rather than being deleted at once
   */
  public OutboxStore(DataSource dataSource, OutboxDialect dialect, String table, boolean keepSent) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.table = table;
    this.keepSent = keepSent;
    this.insert = "INSERT INTO " + table + " (id, destination, msg_key, headers, payload, created_at, available_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?)";
    this.claim = dialect.claim(table);
    this.leases = dialect instanceof BatchLeasing batchLeasing ? batchLeasing.batchLeases(table) : null;
    this.markSentArray = "UPDATE " + table + " SET status = 1, done_at = ? WHERE seq = ANY (?) AND status = 0";
    this.deleteArray = dialect.deleteBySeqArray(table);
    // Clears lease_token as markSent does: the range serves the per-row leases' dialects too.
    this.markSentRange = "UPDATE " + table + " SET status = 1, done_at = ?, lease_token = NULL"
        + " WHERE seq BETWEEN ? AND ? AND status = 0";
    this.deleteRange = "DELETE FROM " + table + " WHERE seq BETWEEN ? AND ?";
    this.lease = "UPDATE " + table + " SET attempts = attempts + 1, available_at = ?, lease_token = ? WHERE seq IN ";
    this.delete = "DELETE FROM " + table + " WHERE seq IN ";
    this.markSent = "UPDATE " + table + " SET status = 1, done_at = ?, lease_token = NULL WHERE seq = ? AND status = 0";
    this.retry = "UPDATE " + table + " SET available_at = ?, last_error = ?, lease_token = NULL"
        + " WHERE seq = ? AND lease_token = ?";
    this.park = "UPDATE " + table + " SET status = 2, done_at = ?, last_error = ?, lease_token = NULL"
        + " WHERE seq = ? AND lease_token = ?";
    this.release = "UPDATE " + table + " SET available_at = ?, attempts = attempts - 1, lease_token = NULL"
        + " WHERE seq = ? AND lease_token = ?";
  }

  /** The table's name. */
  public String table() {
    return table;
  }

  /** The dialect. */
  public OutboxDialect dialect() {
    return dialect;
  }

  /** Creates the table and its indexes if missing, in one transaction where the database allows. */
  public void createSchema() throws SQLException {
    inTransaction(connection -> {
      try (Statement statement = connection.createStatement()) {
        for (String sql : dialect.createOutboxTable(table)) {
          statement.execute(sql);
        }
      }
      return 0;
    });
  }

  /** Inserts {@code messages} on the caller's connection, in the caller's transaction. */
  public void insert(Connection connection, List<OutboxMessage> messages, long nowMillis) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(insert)) {
      for (OutboxMessage message : messages) {
        dialect.setId(statement, 1, message.id());
        statement.setString(2, message.destination());
        statement.setString(3, message.key());
        statement.setString(4, HeadersJson.write(message.headers()));
        statement.setBytes(5, message.payload());
        statement.setLong(6, nowMillis);
        statement.setLong(7, nowMillis);
        if (messages.size() == 1) {
          statement.executeUpdate();
        } else {
          statement.addBatch();
        }
      }
      if (messages.size() > 1) {
        statement.executeBatch();
      }
    }
  }

  /**
   * Claims up to {@code limit} rows for a lease until {@code leaseUntilMillis} under {@code token}, committed
   * before this returns (so no lock is held while the caller talks to a broker).
   */
  public List<Claimed> claim(int limit, long nowMillis, long leaseUntilMillis, String token) throws SQLException {
    return claim(limit, nowMillis, leaseUntilMillis, token, null, null);
  }

  /**
   * Claims as {@link #claim(int, long, long, String)} does, and first applies {@code previous}, the settlement of
   * the batch before (claimed under {@code previousToken}), in the same transaction: one commit per batch instead
   * of two. If the transaction fails, neither happened.
   */
  public List<Claimed> claim(int limit, long nowMillis, long leaseUntilMillis, String token,
      @Nullable Settlement previous, @Nullable String previousToken) throws SQLException {
    BatchLeases batch = leases;
    if (batch != null) {
      return claimIntoLease(batch, limit, nowMillis, leaseUntilMillis, token, previous, previousToken);
    }
    return inTransaction(connection -> {
      if (previous != null && previousToken != null) {
        apply(connection, previous, nowMillis, previousToken);
      }
      List<Claimed> claimed = new ArrayList<>(Math.min(limit, 1024));
      try (PreparedStatement select = connection.prepareStatement(claim)) {
        select.setLong(1, nowMillis);
        select.setInt(2, limit);
        try (ResultSet row = select.executeQuery()) {
          while (row.next()) {
            claimed.add(claimed(row, 1));
          }
        }
      }
      if (claimed.isEmpty()) {
        return claimed;
      }
      // One statement for the whole batch: drivers without batch rewriting would otherwise make a round trip per row.
      try (PreparedStatement update = connection.prepareStatement(lease + inList(claimed.size()))) {
        update.setLong(1, leaseUntilMillis);
        update.setString(2, token);
        int index = 3;
        for (Claimed row : claimed) {
          update.setLong(index++, row.seq());
        }
        update.executeUpdate();
      }
      return claimed;
    });
  }

  private Claimed claimed(ResultSet row, int attemptOffset) throws SQLException {
    OutboxMessage message = new OutboxMessage(
        dialect.getId(row, "id"),
        row.getString("destination"),
        row.getString("msg_key"),
        row.getBytes("payload"),
        HeadersJson.read(row.getString("headers")));
    return new Claimed(row.getLong("seq"), message, row.getInt("attempts") + attemptOffset, row.getLong("created_at"));
  }

  /** Applies {@code settlement} for rows claimed under {@code token}, in one transaction. */
  public void settle(Settlement settlement, long nowMillis, String token) throws SQLException {
    BatchLeases batch = leases;
    if (batch != null) {
      // A slot whose settlement failed is not used again: its lease stays until it expires and is reaped.
      String slot = slotsByToken.remove(token);
      inBatchTransaction(connection -> {
        beginTransaction(connection, batch);
        applyHeld(connection, batch, settlement, nowMillis, token);
        return 0;
      });
      if (slot != null) {
        freeSlots.offer(slot);
      }
      return;
    }
    if (settlement.isEmpty()) {
      return;
    }
    inTransaction(connection -> {
      apply(connection, settlement, nowMillis, token);
      return 0;
    });
  }

  /**
   * The batch-lease claim ({@link BatchLeases}). With a previous settlement of confirmed rows only (the common
   * case), the whole transaction is one round trip, its commit included: one script sets the transaction up, clears
   * the previous lease and deletes its rows, reaps expired leases, claims into the previous batch's slot, and
   * commits.
   */
  private List<Claimed> claimIntoLease(BatchLeases batch, int limit, long nowMillis, long leaseUntilMillis,
      String token, @Nullable Settlement previous, @Nullable String previousToken) throws SQLException {
    String priorSlot = previous == null || previousToken == null ? null : slotsByToken.remove(previousToken);
    String slot = priorSlot != null ? priorSlot : freeSlot();
    List<Claimed> claimed;
    try {
      claimed = inBatchTransaction(connection -> previous == null || previousToken == null
          ? claimIntoSlot(connection, batch, limit, nowMillis, leaseUntilMillis, token, slot, null, "")
          : claimIntoSlot(connection, batch, limit, nowMillis, leaseUntilMillis, token, slot, previous,
              previousToken));
    } catch (SQLException | RuntimeException e) {
      // Nothing happened: the previous lease is still in its slot, to be settled on its own.
      if (priorSlot != null && previousToken != null) {
        slotsByToken.put(previousToken, priorSlot);
      } else {
        freeSlots.offer(slot);
      }
      throw e;
    }
    if (claimed.isEmpty()) {
      freeSlots.offer(slot);
    } else {
      slotsByToken.put(token, slot);
    }
    return claimed;
  }

  /** The claim transaction's work; {@code prior} is the previous batch's settlement (token {@code priorToken}). */
  private List<Claimed> claimIntoSlot(Connection connection, BatchLeases batch, int limit, long nowMillis,
      long leaseUntilMillis, String token, String slot, @Nullable Settlement prior, String priorToken)
      throws SQLException {
    // Confirmed rows only (the common case): the settlement goes into the claim's script, one round trip.
    boolean settlesInScript = prior != null && prior.retries.isEmpty() && prior.parks.isEmpty()
        && prior.releases.isEmpty();
    StringBuilder script = new StringBuilder();
    if (prior != null && !settlesInScript) {
      beginTransaction(connection, batch);
      applyHeld(connection, batch, prior, nowMillis, priorToken);
    } else {
      script.append(batch.beginTransaction()).append("; ");
    }
    List<Long> sent = prior != null && settlesInScript ? prior.sent : List.of();
    SeqRange sentRange = SeqRange.of(sent);
    if (settlesInScript) {
      script.append(batch.clearLease()).append("; ");
      if (!sent.isEmpty()) {
        script.append(sentStatement(sentRange)).append("; ");
      }
    }
    // Other batches of this store in flight (a relay with concurrency above one): their leases are ahead of the
    // claim's scan, and it steps over their runs (see BatchLeases, "Runs"). Other relays' leases are walked over
    // when this store has none in flight, as they are when it has.
    script.append(batch.serializeClaims()).append("; ").append(batch.reapExpired()).append("; ")
        .append(batch.claim(limit, !slotsByToken.isEmpty()))
        // The commit ends the script: one round trip for the whole transaction. (The driver's commit() afterwards
        // finds no transaction open and sends nothing. Should a statement fail, the server skips the rest of the
        // script, the commit with it, and the transaction is rolled back as any other.)
        .append("; COMMIT");
    List<Claimed> claimed = new ArrayList<>(Math.min(limit, 1024));
    try (PreparedStatement statement = connection.prepareStatement(script.toString())) {
      int index = 1;
      if (settlesInScript) {
        statement.setString(index++, priorToken);
        if (!sent.isEmpty()) {
          index = bindSent(statement, index, sent, sentRange, nowMillis);
        }
      }
      statement.setLong(index++, nowMillis); // reap
      statement.setLong(index++, nowMillis); // claim
      statement.setString(index++, slot);
      statement.setString(index++, token);
      statement.setLong(index, leaseUntilMillis);
      int resultSets = 0;
      boolean isResultSet = statement.execute();
      while (isResultSet || statement.getUpdateCount() != -1) {
        if (isResultSet) {
          try (ResultSet row = statement.getResultSet()) {
            while (row.next()) {
              if (resultSets == 1) {
                claimed.add(claimed(row, 0));
              } // result set 0: the claim turn's one row
            }
          }
          resultSets++;
        }
        isResultSet = statement.getMoreResults();
      }
      if (resultSets != 2) {
        // Seen with the PostgreSQL driver's prepareThreshold=-1, which reports a result set for a statement of a
        // multi-statement script that returns none (pgjdbc issue 3379): better no claim than the wrong rows. The
        // script has committed its lease; its rows are claimed again once it expires.
        throw new SQLException("the claim script returned " + resultSets + " result sets, expected 2; the PostgreSQL"
            + " driver does this with prepareThreshold=-1: use its default (5) or any value >= 0");
      }
    }
    claimed.sort(Comparator.comparingLong(Claimed::seq)); // a CTE's rows come back in no promised order
    // One message of a key in flight (see BatchLeases, "Keys"): a later row of a key already in this batch stays
    // in the lease, unpublished, and its settlement makes it claimable again.
    Set<String> keys = new HashSet<>();
    claimed.removeIf(row -> row.message().key() != null && !keys.add(row.message().key()));
    return claimed;
  }

  /** A slot for a new lease: a free one of this store's, or a new one. */
  private String freeSlot() {
    String slot = freeSlots.poll();
    return slot != null ? slot : UUID.randomUUID().toString();
  }

  private static void beginTransaction(Connection connection, BatchLeases batch) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(batch.beginTransaction());
    }
  }

  /**
   * Applies a batch-lease settlement: clears the lease, then deletes the confirmed rows, then (only if the lease
   * was still held) writes retries, parks and releases.
   */
  private void applyHeld(Connection connection, BatchLeases batch, Settlement settlement, long nowMillis,
      String token) throws SQLException {
    boolean held;
    try (PreparedStatement statement = connection.prepareStatement(batch.clearLease())) {
      statement.setString(1, token);
      held = statement.executeUpdate() == 1;
    }
    if (!settlement.sent.isEmpty()) {
      SeqRange range = SeqRange.of(settlement.sent);
      try (PreparedStatement statement = connection.prepareStatement(sentStatement(range))) {
        bindSent(statement, 1, settlement.sent, range, nowMillis);
        statement.executeUpdate();
      }
    }
    if (held) {
      batch(connection, batch.retry(), settlement.retries, null, null);
      batch(connection, batch.park(), settlement.parks, null, nowMillis);
      batch(connection, batch.release(), settlement.releases, null, null);
    }
  }

  /**
   * The statement that deletes (or marks sent) confirmed rows: by their range ({@code SeqRange.of} the rows) when
   * they are consecutive sequence numbers, as the rows of a batch the broker confirmed whole usually are (one index
   * descent, instead of one per row: in psql, 0.5-0.65 ms against 1.0-1.1 ms for 1000 rows), else by array (only
   * for a dialect with arrays). Its parameters are bound by {@link #bindSent}.
   */
  private String sentStatement(@Nullable SeqRange range) {
    if (range != null) {
      return keepSent ? markSentRange : deleteRange;
    }
    return keepSent ? markSentArray : Objects.requireNonNull(deleteArray, "a batch-leasing dialect deletes by array");
  }

  /**
   * Binds the parameters of {@link #sentStatement} for rows {@code sent} (whose range is {@code range}) from {@code
   * index} on; returns the next index.
   */
  private int bindSent(PreparedStatement statement, int index, List<Long> sent, @Nullable SeqRange range,
      long nowMillis) throws SQLException {
    int next = index;
    if (keepSent) {
      statement.setLong(next++, nowMillis);
    }
    if (range != null) {
      statement.setLong(next++, range.first());
      statement.setLong(next++, range.last());
    } else {
      statement.setArray(next++, seqArray(statement.getConnection(), sent));
    }
    return next;
  }

  private static java.sql.Array seqArray(Connection connection, List<Long> seqs) throws SQLException {
    return connection.createArrayOf("bigint", seqs.toArray(new Long[0]));
  }

  private void apply(Connection connection, Settlement settlement, long nowMillis, String token) throws SQLException {
    {
      String deleteSent = deleteArray;
      SeqRange range = SeqRange.of(settlement.sent);
      if (range != null) {
        // Consecutive, as a batch confirmed whole usually is: one range (see sentStatement).
        try (PreparedStatement statement = connection.prepareStatement(sentStatement(range))) {
          bindSent(statement, 1, settlement.sent, range, nowMillis);
          statement.executeUpdate();
        }
      } else if (!settlement.sent.isEmpty() && !keepSent && deleteSent != null) {
        try (PreparedStatement statement = connection.prepareStatement(deleteSent)) {
          statement.setArray(1, seqArray(connection, settlement.sent));
          statement.executeUpdate();
        }
      } else if (!settlement.sent.isEmpty() && !keepSent) {
        try (PreparedStatement statement = connection.prepareStatement(delete + inList(settlement.sent.size()))) {
          int index = 1;
          for (long seq : settlement.sent) {
            statement.setLong(index++, seq);
          }
          statement.executeUpdate();
        }
      } else if (!settlement.sent.isEmpty()) {
        try (PreparedStatement statement = connection.prepareStatement(markSent)) {
          for (long seq : settlement.sent) {
            statement.setLong(1, nowMillis);
            statement.setLong(2, seq);
            statement.addBatch();
          }
          statement.executeBatch();
        }
      }
      batch(connection, retry, settlement.retries, token, null);
      batch(connection, park, settlement.parks, token, nowMillis);
      batch(connection, release, settlement.releases, token, null);
    }
  }

  private static void batch(Connection connection, String sql, List<Object[]> rows, @Nullable String token,
      @Nullable Long first)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (Object[] row : rows) {
        int index = 1;
        if (first != null) {
          statement.setLong(index++, first);
        }
        for (Object value : row) {
          statement.setObject(index++, value);
        }
        if (token != null) {
          statement.setString(index, token);
        }
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  /** Deletes sent rows done before {@code beforeMillis}, at most {@code limit}; returns how many. */
  public int deleteSentBefore(long beforeMillis, int limit) throws SQLException {
    return inTransaction(connection -> {
      try (PreparedStatement statement = connection.prepareStatement(dialect.deleteSentBefore(table))) {
        statement.setLong(1, beforeMillis);
        statement.setInt(2, limit);
        return statement.executeUpdate();
      }
    });
  }

  /** When the oldest pending row was enqueued, or empty when none is pending. */
  public OptionalLong oldestPendingCreatedAt() throws SQLException {
    return inTransaction(connection -> {
      try (PreparedStatement statement = connection.prepareStatement(
              "SELECT created_at FROM " + table + " WHERE status = 0 ORDER BY seq LIMIT 1");
          ResultSet row = statement.executeQuery()) {
        return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
      }
    });
  }

  /** Up to {@code limit} parked messages, oldest first. */
  public List<ParkedMessage> parked(int limit) throws SQLException {
    return inTransaction(connection -> {
      List<ParkedMessage> parked = new ArrayList<>();
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT id, destination, msg_key, attempts, done_at, last_error FROM " + table
              + " WHERE status = 2 ORDER BY seq LIMIT ?")) {
        statement.setInt(1, limit);
        try (ResultSet row = statement.executeQuery()) {
          while (row.next()) {
            String error = row.getString("last_error");
            parked.add(new ParkedMessage(
                dialect.getId(row, "id"),
                row.getString("destination"),
                row.getString("msg_key"),
                row.getInt("attempts"),
                Instant.ofEpochMilli(row.getLong("done_at")),
                error == null ? "" : error));
          }
        }
      }
      return parked;
    });
  }

  /** Makes parked message {@code id} pending again with a fresh attempt count; whether it was parked. */
  public boolean replay(UUID id, long nowMillis) throws SQLException {
    return inTransaction(connection -> {
      try (PreparedStatement statement = connection.prepareStatement("UPDATE " + table
          + " SET status = 0, attempts = 0, available_at = ?, done_at = NULL WHERE id = ? AND status = 2")) {
        statement.setLong(1, nowMillis);
        dialect.setId(statement, 2, id);
        return statement.executeUpdate() == 1;
      }
    });
  }

  /** Makes every parked message pending again; returns how many. */
  public int replayAll(long nowMillis) throws SQLException {
    return inTransaction(connection -> {
      try (PreparedStatement statement = connection.prepareStatement("UPDATE " + table
          + " SET status = 0, attempts = 0, available_at = ?, done_at = NULL WHERE status = 2")) {
        statement.setLong(1, nowMillis);
        return statement.executeUpdate();
      }
    });
  }

  /** Deletes parked message {@code id}; whether it was parked. */
  public boolean discard(UUID id) throws SQLException {
    return inTransaction(connection -> {
      try (PreparedStatement statement =
          connection.prepareStatement("DELETE FROM " + table + " WHERE id = ? AND status = 2")) {
        dialect.setId(statement, 1, id);
        return statement.executeUpdate() == 1;
      }
    });
  }

  /** Work in one transaction on a connection of the store's data source. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  <T> T inTransaction(Work<T> work) throws SQLException {
    return transaction(work, true);
  }

  /**
   * Work in one transaction whose first statement the work sends and begins with {@link BatchLeases#beginTransaction}
   * (PostgreSQL's {@code SET TRANSACTION}, which lasts for this transaction only): no round trip to read the
   * connection's isolation level and none to restore it.
   */
  private <T> T inBatchTransaction(Work<T> work) throws SQLException {
    return transaction(work, false);
  }

  private <T> T transaction(Work<T> work, boolean setReadCommitted) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      // READ COMMITTED: a claim's locking scan then holds only the rows it claims. Under InnoDB's default
      // REPEATABLE READ it would also keep every row it scanned and passed over (leased or backing-off rows of
      // other relays) locked until commit, and relays would block and deadlock on each other's rows.
      int isolation = setReadCommitted ? connection.getTransactionIsolation() : Connection.TRANSACTION_READ_COMMITTED;
      if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
        connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(connection, e);
        throw e;
      } finally {
        if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
          restoreIsolation(connection, isolation);
        }
        if (autoCommit) {
          restoreAutoCommit(connection);
        }
      }
    }
  }

  private static void restoreIsolation(Connection connection, int isolation) {
    try {
      connection.setTransactionIsolation(isolation);
    } catch (SQLException ignored) {
      // The connection is broken; the pool will find out when it validates it.
    }
  }

  private static void rollbackQuietly(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException rollbackFailure) {
      cause.addSuppressed(rollbackFailure);
    }
  }

  private static void restoreAutoCommit(Connection connection) {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException ignored) {
      // The connection is broken; the pool will find out when it validates it.
    }
  }

  private static String inList(int size) {
    StringBuilder list = new StringBuilder(size * 3 + 2).append('(');
    for (int i = 0; i < size; i++) {
      list.append(i == 0 ? "?" : ", ?");
    }
    return list.append(')').toString();
  }

  private static String truncate(String error) {
    return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
  }
}
