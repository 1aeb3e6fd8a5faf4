package dev.steadfast.messaging.outbox.spi;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The SQL that differs between databases, for the outbox and inbox tables; implementations are immutable and
 * thread-safe. Steadfast ships PostgreSQL, MariaDB/MySQL 8 and H2 ({@code OutboxDialects}); implement this for
 * another database that has {@code SELECT ... FOR UPDATE SKIP LOCKED}.
 *
 * <p>Table names handed to these methods are already validated identifiers (optionally schema-qualified), so
 * they may be pasted into SQL. The tables' columns are described in {@code docs/outbox.md}; each statement's
 * parameters are listed in order below.
 *
 * @since 0.1.0
 */
public interface OutboxDialect {

  /** A short name for logs and meters, such as {@code PostgreSQL}. */
  String name();

  /** Statements that create the outbox table {@code table} and its indexes if they are missing. */
  List<String> createOutboxTable(String table);

  /** Statements that create the inbox table {@code table} and its index if they are missing. */
  List<String> createInboxTable(String table);

  /**
   * Selects and locks, skipping rows other transactions hold, at most {@code limit} claimable rows in {@code seq}
   * order: pending ({@code status = 0}), available ({@code available_at <= now}), and either without key or the
   * oldest pending row of their key. Columns: {@code seq, id, destination, msg_key, headers, payload, attempts,
   * created_at}. Parameters: now (epoch milliseconds), limit.
   */
  String claim(String table);

  /**
   * Optionally, deletes the rows whose {@code seq} is in an SQL array of BIGINT (one statement for a batch).
   * Null (the default) to delete with a batch of single-row statements.
   */
  default @Nullable String deleteBySeqArray(String table) {
    return null;
  }

  /**
   * Whether a relay worker may write a batch's outcomes in the same transaction as its next claim (one commit per
   * batch instead of two). Default true; false where that transaction's locks may make concurrent relays wait
   * on each other (MariaDB: deletes were seen waiting behind other workers' claims, before a bad claim plan was
   * found and fixed that may have been the cause; re-measure before changing it).
   */
  default boolean settlesWithNextClaim() {
    return true;
  }

  /**
   * Deletes at most {@code limit} sent rows ({@code status = 1}) whose {@code done_at} is before a time.
   * Parameters: before (epoch milliseconds), limit.
   */
  String deleteSentBefore(String table);

  /**
   * Inserts an inbox row unless one with the same consumer and message id exists; the update count is 1 when
   * inserted and 0 when it existed (or the statement throws a unique-key violation, for databases without an
   * insert-if-absent). Parameters: consumer, message id, processed at (epoch milliseconds).
   */
  String insertInboxIfAbsent(String table);

  /**
   * Deletes at most {@code limit} inbox rows processed before a time. Parameters: before (epoch milliseconds),
   * limit.
   */
  String deleteInboxBefore(String table);

  /** Binds a message id as this database stores it. */
  void setId(PreparedStatement statement, int index, UUID id) throws SQLException;

  /** Reads a message id as this database stores it. */
  UUID getId(ResultSet row, String column) throws SQLException;

  /**
   * A statement that, run inside the enqueuing transaction, tells listening relays once the transaction
   * commits (PostgreSQL's {@code pg_notify}); its one parameter is the channel. Null when the database has no
   * such thing; relays then poll.
   */
  default @Nullable String notifyOnCommit() {
    return null;
  }

  /**
   * A statement that subscribes the connection it runs on to a channel ({@code LISTEN}), or null; see {@link
   * #notifyOnCommit()}. The channel is pasted in, already validated as an identifier.
   */
  default @Nullable String listen(String channel) {
    return null;
  }
}
