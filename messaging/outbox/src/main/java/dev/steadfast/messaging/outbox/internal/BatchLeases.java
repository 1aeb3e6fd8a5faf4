package dev.steadfast.messaging.outbox.internal;

/**
 * The statements of batch leases, for databases with arrays (PostgreSQL): a claim records its lease as one row
 * of a lease table holding the claimed rows' sequence numbers, instead of writing a lease into every claimed
 * outbox row. A claim then writes nothing to the outbox table: not a new version of every 1 KiB row, and not even
 * the row locks of a naive claim-publish-delete loop's {@code SKIP LOCKED} scan (claims take turns, below).
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
 *       the turns, four workers claiming 1000 rows each were seen to lose up to half of a batch to conflicts; a
 *       claim takes milliseconds, a broker's confirms for its batch a hundred times that.)
 *   <li>The claim ({@link #claim}) reads claimable rows and writes its lease into its slot in the same statement.
 *       It locks no outbox row: every claim takes its turn, and the statement's snapshot, taken after the turn
 *       began, sees every lease committed before, so no row can be in two leases. A settlement running meanwhile
 *       has not committed, so its lease still holds its rows in that snapshot. (The row locks of {@code FOR UPDATE
 *       SKIP LOCKED} cost a WAL record and a dirtied page per claimed row: about a tenth of the relay's database
 *       CPU in a harness with batches of 1000.) Until 2026-12-08 a second statement checked this with a fresh
 *       snapshot and dropped from the lease any row another lease held: since claims take turns no claim has found
 *       one, and the check read every lease's sequence numbers on every claim (0.5-0.6 ms a claim in psql, behind
 *       four leases of 1000).
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
 *
 * <p>Runs. A claim scans the pending rows in {@code seq} order, and the first rows it meets are usually the other
 * workers' leases: with four workers leasing 1000 rows each, 3000 rows read from the heap only to be passed over
 * before each claim's own (a claim of 1000 behind three such leases took 4-7 ms in psql, against 1.2-1.3 ms when it
 * steps over them). So a lease records the run its rows form when they are consecutive sequence numbers ({@code
 * run_lo} to {@code run_hi}; null when they are not), as a claim usually leaves them, and a claim made while the
 * store has other batches in flight steps over the first four runs ({@code SKIPPED_RUNS}): it merges index range
 * scans of the gaps between them. A run holds only rows of its lease (the lease is cleared, run and all, when it
 * is settled, and no other lease can take a row while it holds it), so the scan passes over nothing it could
 * claim. The claim reads the sequence numbers of the other leases, those without a run or beyond the first
 * runs, once per statement into a hash table (a hashed subplan; the sequence numbers are never null, so {@code
 * NOT IN} means what it says), and looks each candidate row up in it. (An array searched per candidate cost the
 * leased count per row: 23-33 ms a claim of 1000 behind three leases, instead of 2-3 ms.)
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
 * scan, which walks the pending rows in {@code seq} order, reaches it before any later row; the runs it steps over
 * hold only leased rows, whose keys are in their leases.
 *
 * @param table the outbox table
 * @param leaseTable the lease table
 * @param createLeaseTable creates the lease table if missing
 * @param beginTransaction the first statements of a claim or settlement transaction (see "Transactions")
 * @param serializeClaims waits for the table's claim turn, until the transaction ends; returns one row
 * @param reapExpired deletes leases that ended and counts an attempt for their rows; parameter: now
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
   * How many runs of leased rows a claim's scan steps over (see "Runs"): the first ones in {@code seq} order, which
   * are the ones a scan from the start meets. Each costs the claim one index descent.
   */
  static final int SKIPPED_RUNS = 4;

  /**
   * Claims at most {@code limit} rows and writes their lease (sequence numbers, keys, and the run they form, if they
   * do) into a slot, in one statement; columns as {@code OutboxDialect.claim}, with {@code attempts} counting this
   * attempt; parameters: now, slot, token, lease until. The limit is part of the text (a relay's batch size does not
   * change), so the statement's generic plan still knows it reads only the first rows of the index. Claiming
   * nothing writes nothing. The claim may return several rows of one key; only the first may be published (see
   * "Keys" above).
   *
   * <p>With {@code skipRuns}, the scan is a merge, in {@code seq} order, of index range scans over the gaps between
   * the first four runs (see "Runs"); it stops after {@code limit} rows, as a single scan would. It pays off when
   * other leases are ahead of the scan; with none, its fixed cost (a descent and two lookups per gap) made batches
   * of 100 a tenth slower. Either way the claim returns the same rows.
   */
  public String claim(int limit, boolean skipRuns) {
    int skipped = skipRuns ? SKIPPED_RUNS : 0;
    // The claim's arguments, computed once: now, and the bounds of the runs it steps over, in seq order.
    StringBuilder claim = new StringBuilder("WITH args AS MATERIALIZED (SELECT ?::bigint AS now");
    if (skipped > 0) {
      claim.append(", array_agg(l.run_lo ORDER BY l.run_lo) AS lo, array_agg(l.run_hi ORDER BY l.run_lo) AS hi FROM ")
          .append(leaseTable).append(" l WHERE l.run_lo IS NOT NULL");
    }
    claim.append("), claimed AS (");
    if (skipped == 0) {
      claim.append(candidates(0)).append(" ORDER BY o.seq LIMIT ").append(limit);
    } else {
      appendGapScans(claim, limit, skipped);
    }
    return claim
        + "), lease AS (INSERT INTO " + leaseTable + " (slot, token, lease_until, seqs, msg_keys, run_lo, run_hi)"
        + " SELECT ?, ?, ?, array_agg(seq), coalesce(array_agg(msg_key) FILTER (WHERE msg_key IS NOT NULL), '{}'),"
        + " CASE WHEN max(seq) - min(seq) = count(*) - 1 THEN min(seq) END,"
        + " CASE WHEN max(seq) - min(seq) = count(*) - 1 THEN max(seq) END"
        + " FROM claimed HAVING count(*) > 0 ON CONFLICT (slot) DO UPDATE SET token = EXCLUDED.token,"
        + " lease_until = EXCLUDED.lease_until, seqs = EXCLUDED.seqs, msg_keys = EXCLUDED.msg_keys,"
        + " run_lo = EXCLUDED.run_lo, run_hi = EXCLUDED.run_hi)"
        + " SELECT * FROM claimed";
  }

  /** The first {@code limit} candidates in {@code seq} order, from a merge of the gaps around {@code skipped} runs. */
  private void appendGapScans(StringBuilder claim, int limit, int skipped) {
    for (int gap = 0; gap <= skipped; gap++) {
      claim.append(gap == 0 ? "(" : " UNION ALL (").append(candidates(skipped));
      // Gap i lies between run i and run i + 1 (arrays count from 1); a missing run bounds it at the top, so the
      // gaps after the last run are empty and the one before it runs to the end of the index (all but the identity's
      // very last value, 2^63 - 1, which the single scan of a store without batches in flight still reaches).
      if (gap > 0) {
        claim.append(" AND o.seq > coalesce((SELECT hi[").append(gap).append("] FROM args), ").append(Long.MAX_VALUE)
            .append(')');
      }
      if (gap < skipped) {
        claim.append(" AND o.seq < coalesce((SELECT lo[").append(gap + 1).append("] FROM args), ")
            .append(Long.MAX_VALUE).append(')');
      }
      claim.append(" ORDER BY o.seq LIMIT ").append(limit).append(')');
    }
    claim.append(" ORDER BY seq LIMIT ").append(limit);
  }

  /**
   * The claim's rows, unordered and unbounded: claimable and not held back by their key (see "Keys"); {@code
   * skipped} runs are stepped over by the caller's range conditions.
   */
  private String candidates(int skipped) {
    return "SELECT o.seq, o.id, o.destination, o.msg_key, o.headers, o.payload,"
        + " o.attempts + 1 AS attempts, o.created_at FROM " + table + " o"
        + " WHERE o.status = 0 AND (o.available_at <= (SELECT now FROM args) OR o.available_at = o.created_at)"
        // The leases whose runs the scan steps over cannot hold a row it reads; only the others are hashed.
        + " AND o.seq NOT IN (SELECT unnest(l.seqs) FROM " + leaseTable + " l"
        + (skipped == 0 ? "" : " WHERE l.run_lo IS NULL OR l.run_lo > coalesce((SELECT lo[" + skipped
            + "] FROM args), " + Long.MAX_VALUE + ")")
        + ") AND (o.msg_key IS NULL OR (o.msg_key NOT IN (SELECT unnest(l.msg_keys) FROM " + leaseTable + " l)"
        // In key order: with sorts off (see "Transactions"), only the tried index gives it, so the planner cannot
        // prefer a walk of all pending rows, however many tried rows its statistics guess (a third of them).
        + " AND (o.msg_key NOT IN (SELECT r.msg_key FROM " + table + " r WHERE " + TRIED
        + " AND r.msg_key IS NOT NULL"
        + " ORDER BY r.msg_key)"
        + " OR NOT EXISTS (SELECT 1 FROM " + table + " r WHERE " + TRIED
        + " AND r.msg_key = o.msg_key AND r.seq < o.seq))))";
  }

  /**
   * The columns and predicate of the partial index on the tried rows ({@code <table>_tried}): a handful of rows,
   * none while every publish succeeds.
   */
  public String triedIndex() {
    return "(msg_key, seq) WHERE " + TRIED;
  }

  /**
   * Brings a lease table created by an earlier version up to date: the key and run columns, and sequence numbers
   * stored uncompressed (a lease of a thousand rows is 8 KB of them, which {@code pglz} compressed on every claim
   * to no purpose: the row is stored out of line either way). It alters the table only when something is missing:
   * {@code ALTER TABLE} locks the table exclusively even when it has nothing to do, and a service starting up
   * beside running relays (whose claims lock the lease table, then the outbox table) deadlocked with them, since
   * the schema transaction locks the outbox table first (its {@code CREATE INDEX IF NOT EXISTS}).
   */
  public String upgradeLeaseTable() {
    String column = "SELECT 1 FROM pg_attribute WHERE attrelid = '" + leaseTable + "'::regclass AND NOT attisdropped"
        + " AND attname = ";
    return "DO $$ BEGIN IF NOT EXISTS (" + column + "'msg_keys') OR NOT EXISTS (" + column + "'run_lo')"
        + " OR NOT EXISTS (" + column + "'run_hi') OR NOT EXISTS (" + column + "'seqs' AND attstorage = 'e') THEN"
        + " ALTER TABLE " + leaseTable + " ADD COLUMN IF NOT EXISTS msg_keys TEXT[] NOT NULL DEFAULT '{}',"
        + " ADD COLUMN IF NOT EXISTS run_lo BIGINT, ADD COLUMN IF NOT EXISTS run_hi BIGINT,"
        + " ALTER COLUMN seqs SET STORAGE EXTERNAL; END IF; END $$";
  }

  /** The statements for outbox table {@code table}, whose lease table is {@code table + "_lease"}. */
  static BatchLeases forTable(String table) {
    String leases = table + "_lease";
    return new BatchLeases(
        table,
        leases,
        "CREATE TABLE IF NOT EXISTS " + leases
            + " (slot VARCHAR(36) PRIMARY KEY, token VARCHAR(36), lease_until BIGINT NOT NULL, seqs BIGINT[] NOT NULL,"
            + " msg_keys TEXT[] NOT NULL DEFAULT '{}', run_lo BIGINT, run_hi BIGINT) WITH (fillfactor = 10)",
        // SET LOCAL lasts for the transaction only.
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit = off;"
            + " SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off;"
            + " SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL jit = off; SET LOCAL work_mem = '64MB'",
        // The table name is a validated identifier, so it can stand in a literal.
        "SELECT pg_advisory_xact_lock(hashtext('steadfast.outbox.claim:" + table + "'))",
        "WITH expired AS (DELETE FROM " + leases + " WHERE lease_until <= ? RETURNING seqs) UPDATE " + table
            + " SET attempts = attempts + 1 WHERE seq IN (SELECT unnest(seqs) FROM expired)",
        "UPDATE " + leases + " SET token = NULL, seqs = '{}', msg_keys = '{}', run_lo = NULL, run_hi = NULL"
            + " WHERE token = ?",
        "UPDATE " + table + " SET available_at = ?, last_error = ?, attempts = attempts + 1 WHERE seq = ?",
        "UPDATE " + table + " SET status = 2, done_at = ?, last_error = ?, attempts = attempts + 1 WHERE seq = ?",
        "UPDATE " + table + " SET available_at = ? WHERE seq = ?");
  }
}
