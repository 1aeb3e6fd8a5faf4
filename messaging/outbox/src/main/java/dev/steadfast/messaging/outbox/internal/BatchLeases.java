package dev.steadfast.messaging.outbox.internal;

/**
 * The statements of batch leases, for databases with arrays (PostgreSQL): a claim records its lease as one row
 * of a lease table holding the claimed rows' sequence numbers, instead of writing a lease into every claimed
 * outbox row. A claim then costs the outbox table only the row locks its {@code SKIP LOCKED} scan takes, as a
 * naive claim-publish-delete loop does, instead of a new version of every 1 KiB row.
 *
 * <p>Lease rows are <em>slots</em> that are updated, not inserted and deleted: a relay worker writes each of its
 * batches' leases into the same slot row. Its updates change no indexed column, so PostgreSQL keeps them on the
 * slot's page as heap-only tuples and prunes the old versions as it goes: the table stays a page or two however
 * many batches pass. (With a row inserted and deleted per batch, the table grew by hundreds of pages of dead rows
 * between two autovacuums, and every claim, which reads the whole table, slowed down with it.) The table is created
 * with {@code fillfactor = 10}: PostgreSQL prunes a page only when less than a tenth of it is free, and a lease of
 * 100 rows (about 850 bytes) is a tenth of a page, so with the default fill a slot's update often found its page
 * full of versions not yet pruned and moved to a new page (90 pages after 1,600 batches with autovacuum off, each
 * read by every claim). With pages kept nine-tenths free, a read prunes them every time.
 *
 * <p>The protocol, all under READ COMMITTED:
 * <ul>
 *   <li>A claim first reaps expired leases ({@link #reapExpired}): deletes their slots and counts an attempt for
 *       each of their rows (the relay that held them crashed or stalled mid-batch). A row in any remaining lease
 *       is not claimable, so a lease that exists is held by exactly one relay.
 *   <li>Claims take turns: each first takes a transaction-level advisory lock for the table ({@link
 *       #serializeClaims}), held until its commit, so the next claim's snapshot sees this one's lease. (Without
 *       the turns, four workers claiming 1000 rows each were seen to lose up to half of a batch to the conflicts
 *       below; a claim takes milliseconds, a broker's confirms for its batch a hundred times that.)
 *   <li>The claim ({@link #claim}) locks claimable rows, skipping locked ones, and writes its lease into its slot
 *       in the same statement. Should its snapshot predate another relay's lease committed while it ran (a relay
 *       that does not take turns), it can lock that lease's rows (they were only locked, never updated, so
 *       PostgreSQL does not re-check them); the next statement, {@link #dropConflicts}, has a fresh snapshot that sees
 *       every such lease, and drops those rows from the claim's lease in the same statement. The other relay's own
 *       check ran before its commit and so before this claim could lock its rows: it never sees this claim's lease,
 *       and the row stays with exactly one of them.
 *   <li>A settlement first clears its lease ({@link #clearLease}): one row updated means the lease was still
 *       held, and then (and only then) retries, parks and releases are written; zero means a reaper took the
 *       lease (and counted the attempt), so they are skipped. Confirmed rows are deleted (or marked sent) either
 *       way. Clearing the lease first also orders the locks so a settlement never deadlocks with a reaper of the
 *       same lease.
 * </ul>
 *
 * <p>Transactions. A claim or settlement transaction starts with {@link #beginTransaction}:
 * <ul>
 *   <li>It commits without waiting for the WAL flush ({@code synchronous_commit = off}). Everything such a
 *       transaction writes is bookkeeping whose loss only repeats a publish: a lease (lost, its rows are claimable
 *       again), the deletion or marking of confirmed rows (lost, they are published again and the inbox drops
 *       the duplicate), a retry's backoff, an attempt count or a park (lost, the message is tried again). It can
 *       never lose a message: the enqueuing transaction that wrote the row committed before any relay could see
 *       it, and a commit that a crash loses takes every later one with it, never an earlier one. The flush was
 *       about a third of a batch's database time.
 *   <li>It pins the claim's plan to the one that stays cheap however large the table and however stale its
 *       statistics: a walk of the pending index in {@code seq} order that stops after the batch. Statistics
 *       taken while the table was empty were seen to make PostgreSQL read every pending row into a sort instead
 *       (100,000 rows, about a second a claim); with sorts and bitmap scans off there is no such plan to pick.
 *       With the plan pinned, it asks for generic plans, saving the planning of every claim (about a third of
 *       running it), and turns JIT off, which a claim never gains from. It raises {@code work_mem}, so the
 *       planner keeps the claim's lookups in hash tables (below) even when its statistics promise many rows; a
 *       claim neither sorts nor hashes anything large.
 * </ul>
 * The claim reads the leased sequence numbers once per statement into a hash table (a hashed subplan; the
 * sequence numbers are never null, so {@code NOT IN} means what it says), and looks each candidate row up in it.
 * An array searched per candidate cost the leased count per row: with four workers leasing 1000 rows each, a claim
 * walks the other workers' 3000 leased rows before its own, and took 23-33 ms instead of 2-3 ms.
 *
 * <p>Keys. A key has at most one message in flight, and a row is published only once no earlier row of its key is
 * pending. The claim checks this without looking each candidate's key up in an index: that probe, one per row, was
 * about a fifth of the keyed relay's time. A pending row before a candidate, of its key, is always one of these:
 * <ul>
 *   <li>Leased. A lease holds its rows' keys too ({@code msg_keys}), read once per claim into a hash table. A key
 *       in any lease is held back, whatever the order of its rows.
 *   <li>Tried before: backing off, or released, or replayed. The partial index {@code <table>_tried} holds just
 *       these rows (pending, with {@code available_at > created_at}), usually none. Its keys are read once per claim
 *       into a hash table; only a candidate whose key is there is checked against that index, row by row.
 *   <li>Earlier in the claim's own scan. The claim may return several rows of a key, and the store publishes
 *       only the first of them (see {@code OutboxStore}). The others stay in the lease, unpublished, until its
 *       settlement clears it; should the relay crash first, the reaper counts an attempt for them as for the rest.
 * </ul>
 * No other pending row can come first. A row enqueued and never tried is claimable at once: its
 * {@code available_at} is its {@code created_at}, and the claim does not hold it against this relay's clock (a
 * producer whose clock runs ahead would otherwise see its row overtaken by a later one of the same key). So the
 * scan, which walks the pending rows in {@code seq} order, reaches it before any later row. And a row another
 * transaction has locked, which the scan skips, is being settled, and so is still in a lease.
 *
 * @param table the outbox table
 * @param leaseTable the lease table
 * @param createLeaseTable creates the lease table if missing
 * @param beginTransaction the first statements of a claim or settlement transaction (see "Transactions")
 * @param serializeClaims waits for the table's claim turn, until the transaction ends; returns one row
 * @param reapExpired deletes leases that ended and counts an attempt for their rows; parameter: now
 * @param dropConflicts returns the sequence numbers of the lease {@code token} that another lease holds, and
 *     removes them from that lease; parameters: token, token, token
 * @param clearLease empties the slot holding a lease, update count 1 when it was held; parameter: token
 * @param retry parameters: available at, error, seq
 * @param park parameters: done at, error, seq
 * @param release parameters: available at, seq
 */
public record BatchLeases(
    String table,
    String leaseTable,
    String createLeaseTable,
    String beginTransaction,
    String serializeClaims,
    String reapExpired,
    String dropConflicts,
    String clearLease,
    String retry,
    String park,
    String release) {

  /**
   * The rows a relay has tried, or that were released or replayed: pending, and made available later than they were
   * written (a row enqueued and never tried has {@code available_at = created_at}). The predicate of the tried
   * index, and word for word the condition of the queries that read it, so the planner matches them; unqualified,
   * it names the columns of the innermost table in a subquery.
   */
  private static final String TRIED = "status = 0 AND available_at > created_at";

  /**
   * Claims at most {@code limit} rows and writes their lease (sequence numbers and keys) into a slot, in one
   * statement; columns as {@code OutboxDialect.claim}, with {@code attempts} counting this attempt; parameters: now,
   * slot, token, lease until. The limit is part of the text (a relay's batch size does not change), so the
   * statement's generic plan still knows it reads only the first rows of the index. Claiming nothing writes nothing.
   * The claim may return several rows of one key; only the first may be published (see "Keys" above).
   */
  public String claim(int limit) {
    return "WITH claimed AS (SELECT o.seq, o.id, o.destination, o.msg_key, o.headers, o.payload,"
        + " o.attempts + 1 AS attempts, o.created_at FROM " + table + " o"
        + " WHERE o.status = 0 AND (o.available_at <= ? OR o.available_at = o.created_at)"
        + " AND o.seq NOT IN (SELECT unnest(l.seqs) FROM " + leaseTable + " l)"
        + " AND (o.msg_key IS NULL OR (o.msg_key NOT IN (SELECT unnest(l.msg_keys) FROM " + leaseTable + " l)"
        // In key order: with sorts off (see "Transactions"), only the tried index gives it, so the planner cannot
        // prefer a walk of all pending rows, however many tried rows its statistics guess (a third of them).
        + " AND (o.msg_key NOT IN (SELECT r.msg_key FROM " + table + " r WHERE " + TRIED
        + " AND r.msg_key IS NOT NULL"
        + " ORDER BY r.msg_key)"
        + " OR NOT EXISTS (SELECT 1 FROM " + table + " r WHERE " + TRIED
        + " AND r.msg_key = o.msg_key AND r.seq < o.seq))))"
        + " ORDER BY o.seq LIMIT " + limit + " FOR UPDATE OF o SKIP LOCKED"
        + "), lease AS (INSERT INTO " + leaseTable + " (slot, token, lease_until, seqs, msg_keys)"
        + " SELECT ?, ?, ?, array_agg(seq), coalesce(array_agg(msg_key) FILTER (WHERE msg_key IS NOT NULL), '{}')"
        + " FROM claimed HAVING count(*) > 0 ON CONFLICT (slot) DO UPDATE SET token = EXCLUDED.token,"
        + " lease_until = EXCLUDED.lease_until, seqs = EXCLUDED.seqs, msg_keys = EXCLUDED.msg_keys)"
        + " SELECT * FROM claimed";
  }

  /** Creates the partial index on the tried rows: a handful of rows, none while every publish succeeds. */
  public String createTriedIndex() {
    return "CREATE INDEX IF NOT EXISTS " + Identifiers.unqualified(table) + "_tried ON " + table + " (msg_key, seq)"
        + " WHERE " + TRIED;
  }

  /** Adds the key column to a lease table created before it had one. */
  public String addKeysColumn() {
    return "ALTER TABLE " + leaseTable + " ADD COLUMN IF NOT EXISTS msg_keys TEXT[] NOT NULL DEFAULT '{}'";
  }

  /** The statements for outbox table {@code table}, whose lease table is {@code table + "_lease"}. */
  static BatchLeases forTable(String table) {
    String leases = table + "_lease";
    return new BatchLeases(
        table,
        leases,
        "CREATE TABLE IF NOT EXISTS " + leases
            + " (slot VARCHAR(36) PRIMARY KEY, token VARCHAR(36), lease_until BIGINT NOT NULL, seqs BIGINT[] NOT NULL,"
            + " msg_keys TEXT[] NOT NULL DEFAULT '{}') WITH (fillfactor = 10)",
        // SET LOCAL lasts for the transaction only.
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit = off;"
            + " SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off;"
            + " SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL jit = off; SET LOCAL work_mem = '64MB'",
        // The table name is a validated identifier, so it can stand in a literal.
        "SELECT pg_advisory_xact_lock(hashtext('steadfast.outbox.claim:" + table + "'))",
        "WITH expired AS (DELETE FROM " + leases + " WHERE lease_until <= ? RETURNING seqs) UPDATE " + table
            + " SET attempts = attempts + 1 WHERE seq IN (SELECT unnest(seqs) FROM expired)",
        // One snapshot for both: the rows dropped are exactly the rows returned.
        "WITH conflicts AS (SELECT DISTINCT u FROM " + leases + " l CROSS JOIN LATERAL unnest(l.seqs) u"
            + " WHERE l.token <> ? AND u IN (SELECT unnest(m.seqs) FROM " + leases + " m WHERE m.token = ?)),"
            + " dropped AS (UPDATE " + leases + " SET seqs = array(SELECT s FROM unnest(seqs) s"
            + " WHERE s NOT IN (SELECT u FROM conflicts)) WHERE token = ? AND EXISTS (SELECT 1 FROM conflicts))"
            + " SELECT u FROM conflicts",
        "UPDATE " + leases + " SET token = NULL, seqs = '{}', msg_keys = '{}' WHERE token = ?",
        "UPDATE " + table + " SET available_at = ?, last_error = ?, attempts = attempts + 1 WHERE seq = ?",
        "UPDATE " + table + " SET status = 2, done_at = ?, last_error = ?, attempts = attempts + 1 WHERE seq = ?",
        "UPDATE " + table + " SET available_at = ? WHERE seq = ?");
  }
}
