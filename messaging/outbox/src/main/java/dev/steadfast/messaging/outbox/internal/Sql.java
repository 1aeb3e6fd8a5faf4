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
    return claim(table, "o.seq, o.id, o.destination, o.msg_key, o.headers, o.payload, o.attempts, o.created_at", tail);
  }

  /** The claim query selecting {@code columns} of the outbox row {@code o}. */
  static String claim(String table, String columns, String tail) {
    return "SELECT " + columns + " FROM "
        + table + " o WHERE o.status = 0 AND o.available_at <= ? AND (o.msg_key IS NULL OR NOT EXISTS ("
        + "SELECT 1 FROM " + table + " p WHERE p.msg_key = o.msg_key AND p.status = 0 AND p.seq < o.seq)) "
        + "ORDER BY o.seq " + tail;
  }
}
