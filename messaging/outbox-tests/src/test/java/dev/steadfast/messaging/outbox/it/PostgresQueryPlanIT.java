package dev.steadfast.messaging.outbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxDialects;
import dev.steadfast.messaging.outbox.internal.BatchLeases;
import dev.steadfast.messaging.outbox.internal.BatchLeasing;
import dev.steadfast.messaging.outbox.spi.OutboxDialect;
import dev.steadfast.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The claim and cleanup queries on PostgreSQL read through indexes, and the claim's cost does not grow with the
 * table: with a million rows in it (sent rows under a retention, plus a backlog), a claim touches a bounded
 * number of buffers.
 */
class PostgresQueryPlanIT {

  @RegisterExtension static final PostgresExtension POSTGRES = PostgresExtension.create();
  private static final String TABLE = "plan_outbox";
  private static final OutboxDialect DIALECT = OutboxDialects.postgresql();
  private static final BatchLeases LEASES = ((BatchLeasing) DIALECT).batchLeases(TABLE);
  private static HikariDataSource pool;

  @BeforeAll
  static void fillAMillionRows() throws SQLException {
    pool = Pools.open(POSTGRES.jdbcUrl(), POSTGRES.user(), POSTGRES.password());
    Outbox.builder(pool).table(TABLE).dialect(DIALECT).build().createSchemaIfMissing();
    // 990,000 sent rows kept for a retention, then a backlog of 10,000 pending rows over 1,000 keys.
    execute("INSERT INTO " + TABLE + " (id, destination, msg_key, headers, payload, created_at, status,"
            + " available_at, done_at) SELECT gen_random_uuid(), 'orders', 'key-' || (i % 1000), '{}', '\\x00', i, 1,"
            + " i, i FROM generate_series(1, 990000) i",
        "INSERT INTO " + TABLE + " (id, destination, msg_key, headers, payload, created_at,"
            + " available_at) SELECT gen_random_uuid(), 'orders', 'key-' || (i % 1000), '{}', '\\x00', i, 0"
            + " FROM generate_series(1, 10000) i",
        "ANALYZE " + TABLE);
  }

  /** Runs {@code sql} in autocommit, one statement after the other. */
  private static void execute(String... sql) throws SQLException {
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      for (String each : sql) {
        statement.execute(each);
      }
    }
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  private static String explain(String sql) throws SQLException {
    return explain("", "EXPLAIN (ANALYZE, BUFFERS) " + sql);
  }

  /** Creates {@code table} and its lease table; returns its claim statements. */
  private static BatchLeases createTable(String table) throws SQLException {
    Outbox.builder(pool).table(table).dialect(DIALECT).build().createSchemaIfMissing();
    return ((BatchLeasing) DIALECT).batchLeases(table);
  }

  /** The plan of {@code sql} with its parameters bound to {@code arguments}, planned as the relay has it. */
  private static String explainAsTheRelay(String sql, String arguments) throws SQLException {
    return explainAsTheRelay(sql, "", arguments);
  }

  /** As {@link #explainAsTheRelay(String, String)}, running {@code between} after the prepare (undone with it). */
  private static String explainAsTheRelay(String sql, String between, String arguments) throws SQLException {
    return explain(LEASES.beginTransaction() + "; " + prepare(sql) + (between.isEmpty() ? "" : "; " + between),
        "EXPLAIN (ANALYZE, BUFFERS) EXECUTE claim(" + arguments + ")");
  }

  private static String prepare(String sql) {
    int[] number = {0};
    String numbered = Pattern.compile("\\?").matcher(sql).replaceAll(match -> "\\$" + ++number[0]);
    return "PREPARE claim AS " + numbered;
  }

  private static String explain(String setup, String explain) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (Connection connection = pool.getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        if (!setup.isEmpty()) {
          statement.execute(setup);
        }
      }
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery(explain)) {
        while (rows.next()) {
          plan.append(rows.getString(1)).append('\n');
        }
      } finally {
        connection.rollback(); // EXPLAIN ANALYZE ran the statement; undo it
        if (!setup.isEmpty()) {
          try (Statement statement = connection.createStatement()) {
            statement.execute("DEALLOCATE claim"); // a prepared statement outlives the transaction
          }
        }
      }
    }
    return plan.toString();
  }

  private static int sharedBuffers(String plan) {
    Matcher first = Pattern.compile("Buffers: shared hit=(\\d+)(?: read=(\\d+))?").matcher(plan);
    assertThat(first.find()).as("buffer counts in\n%s", plan).isTrue();
    return Integer.parseInt(first.group(1)) + (first.group(2) == null ? 0 : Integer.parseInt(first.group(2)));
  }

  @Test
  void theClaimReadsThePendingIndexesAndTouchesFewBuffersInAMillionRowTable() throws SQLException {
    // Planned as the relay runs it: a generic plan, parameters bound at execution (now, slot, token, lease until).
    String plan = explainAsTheRelay(LEASES.claim(100, false), "50000, 'slot', 'plan', 99999999");
    assertThat(plan).contains("$1");
    assertThat(plan).contains(TABLE + "_pending").contains(TABLE + "_tried")
        .doesNotContain("Seq Scan on " + TABLE + " ");
    // The key check reads the leases' keys and the tried rows' keys once, into hash tables; with no row tried,
    // no candidate is looked up in an index (that probe per candidate was a fifth of the keyed relay's time).
    // (Two scans of the tried index: one read once into the hash table, one per candidate that never runs.)
    assertThat(plan)
        .containsPattern(TABLE + "_tried on " + TABLE + " r\\S* +\\(cost=[^)]*\\) \\(actual [^)]*loops=1\\)")
        .containsPattern(TABLE + "_tried on " + TABLE + " r\\S* .*\\(never executed\\)");
    // The lease table (a few slot rows) is read once per claim into a hash table, whatever its statistics say,
    // never once per candidate row; and the claim is not JIT-compiled.
    assertThat(plan).contains("hashed SubPlan").contains("Seq Scan on " + TABLE + "_lease").doesNotContain("JIT");
    assertThat(plan).contains("rows=100 loops=1");
    // 100 claimed rows: index pages, heap pages and the update; nothing proportional to the 1,000,000 rows.
    assertThat(sharedBuffers(plan)).as(plan).isLessThan(3000);
  }

  @Test
  void theClaimLooksLeasedRowsUpInAHashTableNotOnePerLeasedRow() throws SQLException {
    // Regression: the claim searched an array of all leased sequence numbers for every candidate row. Four workers
    // of 1000 rows each: the fourth claim walks the other three's 3000 leased rows before its own, and each check
    // cost 3000 comparisons (23-33 ms a claim, against 2-3 ms with the hash table).
    String plan = claimBehindThreeLeases("plan_outbox_leased", false);
    assertThat(plan).as("the claim's plan").contains("hashed SubPlan").doesNotContain("<> ALL")
        .contains("Rows Removed by Filter: 3000").contains("rows=1000 loops=1");
  }

  @Test
  void aClaimStepsOverTheRunsOfTheLeasesBeforeIt() throws SQLException {
    // Regression: four workers of 1000 rows each, and each claim read the other three's 3000 leased rows from the
    // heap only to pass them over (in psql, 4-7 ms a claim instead of 1.2-1.3). Leases whose rows are consecutive
    // record their run, and the claim's scan merges range scans of the gaps between the runs instead.
    String plan = claimBehindThreeLeases("plan_outbox_runs", true);
    assertThat(plan).as("the claim's plan").contains("Merge Append").doesNotContain("Rows Removed by Filter: 3000")
        .contains("rows=1000 loops=1");
  }

  /**
   * The plan of a claim of 1000 that steps over runs, in a table of 10,000 pending rows whose first 3000 are held by
   * three other leases of 1000, recording their runs or not.
   */
  private static String claimBehindThreeLeases(String table, boolean withRuns) throws SQLException {
    BatchLeases leases = createTable(table);
    execute("INSERT INTO " + table + " (id, destination, msg_key, headers, payload, created_at,"
            + " available_at) SELECT gen_random_uuid(), 'orders', NULL, '{}', '\\x00', i, 0"
            + " FROM generate_series(1, 10000) i",
        "INSERT INTO " + table + "_lease (slot, token, lease_until, seqs, run_lo, run_hi) SELECT 'slot-' || w,"
            + " 'token-' || w, 99999999, ARRAY(SELECT s FROM generate_series(w * 1000 + 1, (w + 1) * 1000) s),"
            + (withRuns ? " w * 1000 + 1, (w + 1) * 1000" : " NULL, NULL") + " FROM generate_series(0, 2) w",
        "ANALYZE " + table,
        "ANALYZE " + table + "_lease");
    return explainAsTheRelay(leases.claim(1000, true), "50000, 'slot-3', 'token-3', 99999999");
  }

  @Test
  void theCleanupReadsTheDoneIndex() throws SQLException {
    String cleanup = DIALECT.deleteSentBefore(TABLE).replaceFirst("done_at < \\?", "done_at < 500000")
        .replaceFirst("LIMIT \\?", "LIMIT 1000");
    String plan = explain(cleanup);
    assertThat(plan).contains(TABLE + "_done").doesNotContain("Seq Scan on " + TABLE + " ");
    assertThat(sharedBuffers(plan)).as(plan).isLessThan(20_000);
  }

  @Test
  void theClaimKeepsItsIndexPlanWhenPreparedWhileTheTableWasEmpty() throws SQLException {
    // Regression: prepared (generic plan) while the table was empty and then filled, the claim read all 100,000
    // pending rows into a sort (about a second a claim) until an ANALYZE replaced the plan.
    String table = "plan_outbox_fresh";
    BatchLeases leases = createTable(table);
    execute("ANALYZE " + table); // statistics of an empty table
    // Prepared first, then filled in the same transaction: the plan is the one made for an empty table.
    String plan = explainAsTheRelay(leases.claim(100, false), "INSERT INTO " + table + " (id, destination, msg_key,"
        + " headers, payload, created_at, available_at) SELECT gen_random_uuid(), 'orders', 'key-' || (i % 500), '{}',"
        + " '\\x00', i, 0 FROM generate_series(1, 100000) i", "50000, 'slot', 'plan', 99999999");
    assertThat(plan).contains("Index Scan using " + table + "_pending on").doesNotContain("Sort")
        .doesNotContain("Bitmap").contains("hashed SubPlan").contains("rows=100 loops=1");
    assertThat(sharedBuffers(plan)).as(plan).isLessThan(3000);
  }
}
