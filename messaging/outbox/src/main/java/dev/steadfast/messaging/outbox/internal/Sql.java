package dev.steadfast.messaging.outbox.internal;

/** The statements every dialect shares; the outbox table's columns are those of the dialects' DDL. */
final class Sql {

  private Sql() {}

  /**
   * The claim query with its dialect's tail (limit and locking clause). Only the oldest pending row of a key is
   * claimable: a later row waits while an earlier one is pending, whether in flight (leased) or backing off,
   * so a key has at most one message in flight and a failing message holds back only its own key.
   */
  static String claim(String table, String tail) {
    return claim(table, "", tail);
  }

  /**
   * The claim query with an index hint for the key check ({@code p}), pasted after the table name: MariaDB's
   * optimizer, with statistics taken while the table was small, checks keys through the status index and reads
   * every pending row per candidate (seconds per claim at 100,000 rows) instead of one key's entries.
   */
  static String claim(String table, String keyCheckHint, String tail) {
    return claim(table, "o.seq, o.id, o.destination, o.msg_key, o.headers, o.payload, o.attempts, o.created_at",
        keyCheckHint, tail);
  }

  /** The claim query selecting {@code columns} of the outbox row {@code o}. */
  static String claim(String table, String columns, String keyCheckHint, String tail) {
    return claim(table, columns, keyCheckHint, "", tail);
  }

  /** The claim query selecting {@code columns} of the outbox row {@code o}, with one more condition on it. */
  static String claim(String table, String columns, String keyCheckHint, String condition, String tail) {
    return "SELECT " + columns + " FROM "
        + table + " o WHERE o.status = 0 AND o.available_at <= ? AND (o.msg_key IS NULL OR NOT EXISTS ("
        + "SELECT 1 FROM " + table + " p" + keyCheckHint
        + " WHERE p.msg_key = o.msg_key AND p.status = 0 AND p.seq < o.seq)) "
        + (condition.isEmpty() ? "" : "AND " + condition + " ")
        + "ORDER BY o.seq " + tail;
  }

  /**
   * The outbox table's columns, with the types that differ between databases: the sequence column's definition,
   * and the types of the id, the headers (JSON text), the payload and the lease token.
   */
  static String outboxColumns(String seq, String id, String headers, String payload, String leaseToken) {
    return seq + ", "
        + "id " + id + " NOT NULL, "
        + "destination VARCHAR(1000) NOT NULL, "
        + "msg_key VARCHAR(500), "
        + "headers " + headers + " NOT NULL, "
        + "payload " + payload + " NOT NULL, "
        + "created_at BIGINT NOT NULL, "
        + "status SMALLINT NOT NULL DEFAULT 0, "
        + "attempts INT NOT NULL DEFAULT 0, "
        + "available_at BIGINT NOT NULL, "
        + "lease_token " + leaseToken + ", "
        + "done_at BIGINT, "
        + "last_error VARCHAR(1000)";
  }

  /** The inbox table's columns and key, with the message id's type. */
  static String inboxColumns(String id) {
    return "consumer VARCHAR(200) NOT NULL, "
        + "message_id " + id + " NOT NULL, "
        + "processed_at BIGINT NOT NULL, "
        + "PRIMARY KEY (consumer, message_id)";
  }
}
