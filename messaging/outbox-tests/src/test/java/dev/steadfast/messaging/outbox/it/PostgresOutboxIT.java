package dev.steadfast.messaging.outbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.messaging.outbox.Inbox;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxDialects;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.internal.BatchLeases;
import dev.steadfast.messaging.outbox.internal.BatchLeasing;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The outbox contract on PostgreSQL (the real server, or the testkit's embedded one). */
class PostgresOutboxIT extends OutboxContract {

  @RegisterExtension static final PostgresExtension POSTGRES = PostgresExtension.create();

  private static HikariDataSource pool;

  @BeforeAll
  static void open() {
    pool = Pools.open(POSTGRES.jdbcUrl(), POSTGRES.user(), POSTGRES.password());
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Override
  DataSource dataSource() {
    return pool;
  }

  @Test
  void theLeaseTableStaysAFewPagesLargeThroughThousandsOfBatches() throws Exception {
    // Regression: with a lease row inserted and deleted per batch, the lease table grew by hundreds of pages of
    // dead rows between two autovacuums, and every claim, which reads the whole table, slowed down with it.
    // Slots are updated in place instead, and PostgreSQL prunes their old versions as it goes. Batches of 100
    // make each lease version a tenth of a page: with the default fill factor PostgreSQL then seldom pruned the
    // page before it was full, the slot moved to a new page, and the table still grew (7 pages here) while
    // autovacuum had not run (it is off on the development machine's server).
    Outbox outbox = outbox();
    int count = 30_000;
    List<OutboxMessage> enqueued = IntStream.range(0, count)
        .mapToObj(i -> OutboxMessage.of("orders", null, new byte[1024])).toList();
    for (int from = 0; from < count; from += 1000) {
      enqueueCommitted(outbox, enqueued.subList(from, from + 1000));
    }
    started(relay(outbox).batchSize(100).concurrency(2).build());
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
        .until(() -> publisher.confirmed.size() >= count);
    assertThat(publisher.confirmed).hasSize(count).doesNotHaveDuplicates();
    assertThat(leaseTablePages()).as("pages of %s_lease after %d batches", table, count / 100).isLessThanOrEqualTo(2);
  }

  @Test
  void concurrentWorkersEachClaimAFullBatchWhileRowsLast() throws Exception {
    // Regression: without turns, a claim whose snapshot predated another worker's commit locked that worker's
    // rows and had to drop them again; four workers claiming 1000 rows each lost up to half of a batch that way.
    Outbox outbox = outbox();
    int batch = 500;
    int count = 20 * batch;
    List<OutboxMessage> enqueued = IntStream.range(0, count)
        .mapToObj(i -> OutboxMessage.of("orders", null, new byte[1024])).toList();
    for (int from = 0; from < count; from += 1000) {
      enqueueCommitted(outbox, enqueued.subList(from, from + 1000));
    }
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    MessagePublisher slowBroker = messages -> {
      batchSizes.add(messages.size());
      // Confirms arrive later, as from a broker, so the four workers' claims overlap.
      return CompletableFuture.supplyAsync(() -> messages.stream().map(m -> PublishOutcome.confirmed(m.id())).toList(),
          CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
    };
    started(OutboxRelay.builder(outbox, slowBroker).batchSize(batch).concurrency(4).build());
    await().atMost(Duration.ofMinutes(1)).until(() -> batchSizes.stream().mapToInt(Integer::intValue).sum() >= count);
    assertThat(batchSizes).as("batch sizes").hasSize(count / batch).containsOnly(batch);
  }

  @Test
  void aMessageFromAProducerWhoseClockRunsAheadIsNotOvertakenByALaterOneOfItsKey() throws Exception {
    // The key check counts on the claim's scan reaching every untried row before the later rows of its key (see
    // BatchLeases, "Keys"), so an untried row is claimable whatever its time says against the relay's clock.
    MutableClock ahead = new MutableClock();
    ahead.advance(Duration.ofMinutes(5));
    Outbox fastProducer = Outbox.builder(pool).table(table).clock(ahead).build();
    fastProducer.createSchemaIfMissing();
    OutboxMessage first = message("k", 1);
    OutboxMessage second = message("k", 2);
    enqueueCommitted(fastProducer, List.of(first));
    Outbox outbox = outbox();
    enqueueCommitted(outbox, List.of(second));
    OutboxRelay relay = relay(outbox).build();
    while (relay.relayOnce() > 0) {
      // drain
    }
    assertThat(publisher.confirmedIds()).containsExactly(first.id(), second.id());
  }

  @Test
  void creatingTheSchemaBesideARunningRelayDoesNotWaitForItsLeases() throws Exception {
    // Regression: the schema script altered the lease table on every call, and ALTER TABLE locks a table
    // exclusively even when it has nothing to do. A service starting beside running relays deadlocked with
    // their claims, which lock the lease table and then the outbox table, while the schema transaction had
    // locked the outbox table first (its CREATE INDEX IF NOT EXISTS).
    outbox(); // creates the tables
    createsTheSchemaBesideOpenWrites(() -> outbox(), table + "_lease"); // as a claim's lease holds it
  }

  @Test
  void creatingTheSchemaBesideOpenWritesToItsTablesDoesNotWaitForThem() throws Exception {
    // Regression: CREATE INDEX IF NOT EXISTS locks its table in SHARE mode before it finds the index there. A
    // service starting up waited for every open transaction writing the outbox or the inbox, and held up every later
    // one behind it.
    outbox(); // creates the tables
    Inbox inbox = Inbox.builder(pool).table("inbox_" + table).build();
    inbox.createSchemaIfMissing();
    // What an open enqueue, and a consumer's open inbox record, hold.
    createsTheSchemaBesideOpenWrites(() -> {
      outbox();
      inbox.createSchemaIfMissing();
    }, table, "inbox_" + table);
  }

  /**
   * Runs {@code createSchema} on another thread while a transaction holds ROW EXCLUSIVE on {@code tables}, as open
   * writes do, and fails unless it returns within 20 s.
   */
  private static void createsTheSchemaBesideOpenWrites(SqlAction createSchema, String... tables) throws Exception {
    try (Connection writer = pool.getConnection(); Statement statement = writer.createStatement()) {
      writer.setAutoCommit(false);
      for (String locked : tables) {
        statement.execute("LOCK TABLE " + locked + " IN ROW EXCLUSIVE MODE");
      }
      try {
        CompletableFuture.runAsync(() -> {
          try {
            createSchema.run();
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        }).get(20, TimeUnit.SECONDS);
      } finally {
        writer.rollback();
      }
    }
  }

  /** A database action for another thread. */
  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }

  @Test
  void aClaimWaitsForTheTurnOfTheClaimBeforeItAndPassesOverItsLease() throws Exception {
    // Claims lock no rows: what keeps two leases from sharing a row is that claims take turns (see BatchLeases). A
    // claim waits until the claim before it has committed, and its snapshot, taken after that, sees that lease.
    Outbox outbox = outbox();
    List<OutboxMessage> enqueued = IntStream.range(0, 10).mapToObj(i -> message(null, i)).toList();
    enqueueCommitted(outbox, enqueued);
    BatchLeases leases = ((BatchLeasing) OutboxDialects.postgresql()).batchLeases(table);
    OutboxRelay relay = relay(outbox).batchSize(10).build();
    CompletableFuture<Integer> claim;
    try (Connection earlier = pool.getConnection(); Statement statement = earlier.createStatement()) {
      earlier.setAutoCommit(false);
      statement.execute(leases.serializeClaims());
      statement.execute("INSERT INTO " + table + "_lease (slot, token, lease_until, seqs) SELECT 'earlier', 'earlier', "
          + Long.MAX_VALUE + ", array_agg(seq) FROM (SELECT seq FROM " + table + " ORDER BY seq LIMIT 4) first");
      claim = CompletableFuture.supplyAsync(() -> {
        try {
          return relay.relayOnce();
        } catch (SQLException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> queryLong("SELECT count(*) FROM pg_locks"
          + " WHERE locktype = 'advisory' AND NOT granted") == 1);
      assertThat(claim).isNotDone();
      earlier.commit();
    }
    assertThat(claim.get(20, TimeUnit.SECONDS)).as("the rows after the earlier lease").isEqualTo(6);
    assertThat(publisher.confirmedIds())
        .containsExactlyInAnyOrderElementsOf(enqueued.subList(4, 10).stream().map(OutboxMessage::id).toList());
  }

  @Test
  void aDriverSettingThatGarblesTheClaimScriptsResultsFailsTheClaimNamingItAndLosesNothing() throws Exception {
    // pgjdbc with prepareThreshold=-1 reports a result set for a statement of a multi-statement script that has
    // none (pgjdbc issue 3379), which would shift the claimed rows; the store counts the result sets and refuses.
    String url = POSTGRES.jdbcUrl() + (POSTGRES.jdbcUrl().contains("?") ? "&" : "?") + "prepareThreshold=-1";
    OutboxMessage message = message("key-1", 1);
    try (HikariDataSource forced = Pools.open(url, POSTGRES.user(), POSTGRES.password())) {
      Outbox outbox = outbox(forced);
      enqueueCommitted(outbox, List.of(message));
      OutboxRelay relay = relay(outbox).build();

      assertThatThrownBy(relay::relayOnce).isInstanceOf(SQLException.class)
          .hasMessageContaining("prepareThreshold=-1");
      assertThat(publisher.confirmedIds()).isEmpty();
    }
    // With the driver's default, the message goes out once the failed claim's lease has expired.
    clock.advance(Duration.ofSeconds(61));
    OutboxRelay relay = relay(outbox(pool)).build();
    while (relay.relayOnce() > 0) {
      // drain
    }
    assertThat(publisher.confirmedIds()).containsExactly(message.id());
  }

  private long leaseTablePages() throws SQLException {
    return queryLong("SELECT pg_relation_size('" + table + "_lease') / current_setting('block_size')::int");
  }

  private long queryLong(String sql) throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  /** PostgreSQL leases in batches: the leased rows are those listed in the lease table, none on the rows. */
  @Override
  int leasedRows() throws SQLException {
    assertThat(rows("lease_token IS NOT NULL")).isZero();
    return Math.toIntExact(queryLong("SELECT COALESCE(SUM(cardinality(seqs)), 0) FROM " + table + "_lease"));
  }
}
