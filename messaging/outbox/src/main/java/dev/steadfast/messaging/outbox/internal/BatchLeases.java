package dev.steadfast.messaging.outbox.internal;

/**
 * The statements of batch leases, for databases with arrays (PostgreSQL): a claim records its lease as one row
 * of a lease table holding the claimed rows' sequence numbers, instead of writing a lease into every claimed
 * outbox row. A claim then costs the outbox table only the row locks its {@code SKIP LOCKED} scan takes, as a
 * naive claim-publish-delete loop does, instead of a new version of every 1 KiB row.
 *
 * <p>The protocol, all under READ COMMITTED:
 * <ul>
 *   <li>A claim first reaps expired leases ({@link #reapExpired}): deletes them and counts an attempt for each of
 *       their rows (the relay that held them crashed or stalled mid-batch). A row in any remaining lease is not
 *       claimable, so a lease row that exists is held by exactly one relay.
 *   <li>The claim ({@link #claim}) locks claimable rows, skipping locked ones, and inserts its lease row in the
 *       same statement. Its snapshot may predate another relay's lease committed while it ran, whose rows it can
 *       then lock (they were only locked, never updated, so PostgreSQL does not re-check them); the next statement,
 *       {@link #conflicts}, has a fresh snapshot that sees every such lease, and the claim drops those rows
 *       ({@link #dropFromLease}). The other relay's own check ran before its commit and so before this claim
 *       could lock its rows: it never sees this claim's lease, and the row stays with exactly one of them.
 *   <li>A settlement first deletes its lease row ({@link #deleteLease}): one row deleted means the lease was
 *       still held, and then (and only then) retries, parks and releases are written; zero means a reaper took
 *       the lease (and counted the attempt), so they are skipped. Confirmed rows are deleted (or marked sent)
 *       either way. Deleting the lease row first also orders the locks so a settlement never deadlocks with a
 *       reaper of the same lease.
 * </ul>
 *
 * @param table the outbox table
 * @param leaseTable the lease table
 * @param createLeaseTable creates the lease table if missing
 * @param reapExpired deletes leases that ended and counts an attempt for their rows; parameter: now
 * @param conflicts the sequence numbers of the lease {@code token} that another lease holds; parameters: token, token
 * @param dropFromLease removes an array of sequence numbers from a lease; parameters: the array, token
 * @param deleteLease deletes a lease, update count 1 when it was held; parameter: token
 * @param retry parameters: available at, error, seq
 * @param park parameters: done at, error, seq
 * @param release parameters: available at, seq
 */
public record BatchLeases(
    String table,
    String leaseTable,
    String createLeaseTable,
    String reapExpired,
    String conflicts,
    String dropFromLease,
    String deleteLease,
    String retry,
    String park,
    String release) {

  /**
   * Claims at most {@code limit} rows and leases them, in one statement; columns as {@code OutboxDialect.claim},
   * with {@code attempts} counting this attempt; parameters: now, token, lease until. The limit is part of the
   * text (a relay's batch size does not change), so the statement's generic plan, which the claim transaction
   * asks for to save planning it for every batch, still knows it reads only the first rows of the index.
   */
  public String claim(int limit) {
    return "WITH claimed AS ("
        + Sql.claim(table,
            "o.seq, o.id, o.destination, o.msg_key, o.headers, o.payload, o.attempts + 1 AS attempts, o.created_at",
            "", "o.seq NOT IN (SELECT unnest(l.seqs) FROM " + leaseTable + " l)",
            "LIMIT " + limit + " FOR UPDATE OF o SKIP LOCKED")
        + "), lease AS (INSERT INTO " + leaseTable + " (token, lease_until, seqs) SELECT ?, ?, array_agg(seq)"
        + " FROM claimed HAVING count(*) > 0) SELECT * FROM claimed";
  }

  /** The statements for outbox table {@code table}, whose lease table is {@code table + "_lease"}. */
  static BatchLeases forTable(String table) {
    String leases = table + "_lease";
    return new BatchLeases(
        table,
        leases,
        "CREATE TABLE IF NOT EXISTS " + leases
            + " (token VARCHAR(36) PRIMARY KEY, lease_until BIGINT NOT NULL, seqs BIGINT[] NOT NULL)",
        "WITH expired AS (DELETE FROM " + leases + " WHERE lease_until <= ? RETURNING seqs) UPDATE " + table
            + " SET attempts = attempts + 1 WHERE seq IN (SELECT unnest(seqs) FROM expired)",
        "SELECT DISTINCT u FROM " + leases + " l CROSS JOIN LATERAL unnest(l.seqs) u WHERE l.token <> ?"
            + " AND u IN (SELECT unnest(m.seqs) FROM " + leases + " m WHERE m.token = ?)",
        "UPDATE " + leases + " SET seqs = array(SELECT s FROM unnest(seqs) s WHERE s <> ALL (?)) WHERE token = ?",
        "DELETE FROM " + leases + " WHERE token = ?",
        "UPDATE " + table + " SET available_at = ?, last_error = ?, attempts = attempts + 1 WHERE seq = ?",
        "UPDATE " + table + " SET status = 2, done_at = ?, last_error = ?, attempts = attempts + 1 WHERE seq = ?",
        "UPDATE " + table + " SET available_at = ? WHERE seq = ?");
  }
}
