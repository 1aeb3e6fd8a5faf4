package dev.steadfast.messaging.outbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.messaging.outbox.OutboxDialects;
import dev.steadfast.messaging.outbox.internal.BatchLeases;
import dev.steadfast.messaging.outbox.internal.BatchLeasing;
import dev.steadfast.messaging.outbox.spi.OutboxDialect;
import dev.steadfast.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The PostgreSQL claim's scan steps over the runs of the leases before it (see {@code BatchLeases}, "Runs") and
 * returns exactly what a walk of every pending row does: the first {@code limit} rows, in {@code seq} order,
 * that no lease holds. Over random layouts of pending rows (with holes, as rolled-back and settled rows leave them)
 * and of up to ten leases, some recording their run and some not, some of them split in pieces; and the lease it
 * writes records a run exactly when its rows are consecutive.
 */
class ClaimScanProperties {

  private static final String TABLE = "scan_outbox";
  private static final PostgresExtension POSTGRES = PostgresExtension.create();
  private static final BatchLeases LEASES = ((BatchLeasing) OutboxDialects.postgresql()).batchLeases(TABLE);
  private static HikariDataSource pool;

  /** A stretch of consecutive sequence numbers: rows present or not, and held by lease {@code lease} (-1: none). */
  record Stretch(int length, int lease, boolean present) {}

  /**
   * Sequence numbers from 1 on, stretch after stretch; which leases record their run when they form one; and the
   * claim: its limit, and whether it steps over runs.
   */
  record Layout(List<Stretch> stretches, List<Boolean> recordsRun, int limit, boolean skipRuns) {}

  @BeforeContainer
  static void open() throws SQLException {
    POSTGRES.open(ClaimScanProperties.class);
    pool = Pools.open(POSTGRES.jdbcUrl(), POSTGRES.user(), POSTGRES.password());
    OutboxDialect dialect = OutboxDialects.postgresql();
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + TABLE + ", " + TABLE + "_lease");
      for (String sql : dialect.createOutboxTable(TABLE)) {
        statement.execute(sql);
      }
    }
  }

  @AfterContainer
  static void close() throws Exception {
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + TABLE + ", " + TABLE + "_lease");
    }
    pool.close();
    POSTGRES.close();
  }

  @Provide
  Arbitrary<Layout> layouts() {
    Arbitrary<Stretch> stretch = Combinators.combine(
            Arbitraries.integers().between(1, 12),
            Arbitraries.integers().between(-1, 9),
            Arbitraries.of(true, true, true, true, true, false))
        .as(Stretch::new);
    return Combinators.combine(
            stretch.list().ofMinSize(0).ofMaxSize(16),
            Arbitraries.of(true, true, true, false).list().ofSize(10),
            Arbitraries.integers().between(1, 40),
            Arbitraries.of(true, true, false))
        .as(Layout::new);
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.FIRST)
  void theClaimReturnsTheFirstUnleasedRowsAndRecordsItsRun(@ForAll("layouts") Layout layout) throws SQLException {
    TreeSet<Long> present = new TreeSet<>();
    Map<Integer, TreeSet<Long>> leased = new TreeMap<>();
    long seq = 1;
    for (Stretch stretch : layout.stretches()) {
      for (int i = 0; i < stretch.length(); i++, seq++) {
        if (stretch.present()) {
          present.add(seq);
          if (stretch.lease() >= 0) {
            leased.computeIfAbsent(stretch.lease(), lease -> new TreeSet<>()).add(seq);
          }
        }
      }
    }
    List<Long> expected = new ArrayList<>();
    for (long row : present) {
      if (expected.size() < layout.limit() && leased.values().stream().noneMatch(seqs -> seqs.contains(row))) {
        expected.add(row);
      }
    }

    try (Connection connection = pool.getConnection()) {
      connection.setAutoCommit(false);
      // Everything below is rolled back: each try starts from the empty tables.
      try (Statement statement = connection.createStatement()) {
        statement.execute(LEASES.beginTransaction());
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE
          + " (seq, id, destination, headers, payload, created_at, available_at)"
          + " VALUES (?, gen_random_uuid(), 'orders', '{}', '\\x00', 1, 1)")) {
        for (long row : present) {
          insert.setLong(1, row);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (PreparedStatement lease = connection.prepareStatement("INSERT INTO " + TABLE
          + "_lease (slot, token, lease_until, seqs, run_lo, run_hi) VALUES (?, ?, 99999999, ?, ?, ?)")) {
        for (Map.Entry<Integer, TreeSet<Long>> entry : leased.entrySet()) {
          TreeSet<Long> seqs = entry.getValue();
          boolean run = layout.recordsRun().get(entry.getKey()) && consecutive(seqs);
          lease.setString(1, "slot-" + entry.getKey());
          lease.setString(2, "token-" + entry.getKey());
          lease.setArray(3, connection.createArrayOf("bigint", seqs.toArray()));
          if (run) {
            lease.setLong(4, seqs.first());
            lease.setLong(5, seqs.last());
          } else {
            lease.setNull(4, Types.BIGINT);
            lease.setNull(5, Types.BIGINT);
          }
          lease.addBatch();
        }
        lease.executeBatch();
      }
      List<Long> claimed = new ArrayList<>();
      try (PreparedStatement claim = connection.prepareStatement(LEASES.claim(layout.limit(), layout.skipRuns()))) {
        claim.setLong(1, 1);
        claim.setString(2, "mine");
        claim.setString(3, "token-mine");
        claim.setLong(4, 99999999);
        try (ResultSet rows = claim.executeQuery()) {
          while (rows.next()) {
            claimed.add(rows.getLong("seq"));
          }
        }
      }
      claimed.sort(null);
      assertThat(claimed).as("claimed by a claim of %d (stepping over runs: %s)", layout.limit(), layout.skipRuns())
          .isEqualTo(expected);
      String run = leaseRun(connection);
      if (expected.isEmpty()) {
        assertThat(run).as("a claim of nothing writes no lease").isEqualTo("no lease");
      } else if (consecutive(new TreeSet<>(expected))) {
        assertThat(run).isEqualTo(expected.get(0) + ".." + expected.get(expected.size() - 1));
      } else {
        assertThat(run).isEqualTo("null..null");
      }
      connection.rollback();
    }
  }

  private static boolean consecutive(TreeSet<Long> seqs) {
    return seqs.last() - seqs.first() == seqs.size() - 1;
  }

  /** The run the claim recorded in its lease, as {@code lo..hi}, or "no lease". */
  private static String leaseRun(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT run_lo, run_hi FROM " + TABLE + "_lease WHERE slot = 'mine'")) {
      return row.next() ? row.getObject(1, Long.class) + ".." + row.getObject(2, Long.class) : "no lease";
    }
  }
}
