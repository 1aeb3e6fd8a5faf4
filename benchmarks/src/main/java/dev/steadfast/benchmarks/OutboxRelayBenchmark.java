package dev.steadfast.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxDialects;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Relay throughput from PostgreSQL to an in-memory publisher that confirms at once: 1 KiB messages, one relay,
 * with and without ordering keys (1000 keys), the relay started with one worker as a service runs it. Each
 * invocation drains {@value #MESSAGES} committed rows; JMH reports
 * the time per message (messages per second = 1,000,000 / the µs figure). Beside it, in the same run, the naive
 * baseline a team writes first: in one transaction claim 100 rows with {@code FOR UPDATE SKIP LOCKED}, publish,
 * delete them, commit (locks held while publishing; no leases, ordering or retry bookkeeping).
 *
 * <p>Target: Steadfast at least 80% of the baseline's rate. Needs the PostgreSQL server of the development machine
 * (127.0.0.1:5432, database {@code test}, trust authentication; {@code -p jdbcUrl=...} for another).
 *
 * <p>Between invocations, untimed, the table is vacuumed and analyzed, as autovacuum does on a server where it runs
 * (it is off on the development machine's). Eight warm-up invocations: the relay's code path (the driver's
 * multi-statement protocol, the pool, the meters) was still being compiled after three, in every fork.
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip
 * java -jar benchmarks/target/benchmarks.jar OutboxRelayBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 8)
@Measurement(iterations = 8)
@State(Scope.Benchmark)
public class OutboxRelayBenchmark {

  static final int MESSAGES = 20_000;
  private static final String TABLE = "bench_outbox";

  @Param({"steadfast", "naive"})
  public String relay;

  @Param({"none", "keys"})
  public String ordering;

  @Param("jdbc:postgresql://127.0.0.1:5432/test")
  public String jdbcUrl;

  @Param("postgres")
  public String user;

  private HikariDataSource dataSource;
  private Outbox outbox;
  private final byte[] payload = new byte[1024];
  private final AtomicInteger confirmed = new AtomicInteger();
  private volatile CountDownLatch drained = new CountDownLatch(1);
  private final MessagePublisher publisher = messages -> {
    if (confirmed.addAndGet(messages.size()) >= MESSAGES) {
      drained.countDown();
    }
    List<PublishOutcome> outcomes = new ArrayList<>(messages.size());
    for (OutboxMessage message : messages) {
      outcomes.add(PublishOutcome.confirmed(message.id()));
    }
    return CompletableFuture.completedFuture(outcomes);
  };

  @Setup(Level.Trial)
  public void open() throws SQLException {
    dataSource = new HikariDataSource();
    dataSource.setJdbcUrl(jdbcUrl);
    dataSource.setUsername(user);
    dataSource.setMaximumPoolSize(4);
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + TABLE + ", " + TABLE + "_lease");
    }
    outbox = Outbox.builder(dataSource).table(TABLE).dialect(OutboxDialects.postgresql()).notifications(false).build();
    outbox.createSchemaIfMissing();
  }

  @Setup(Level.Invocation)
  public void fill() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      // A checkpoint first, so no checkpoint falls inside the timed drain (the server starts one every 20-40 s
      // here, and each one makes the next change to every page write a full-page image). The rows are written
      // after it, so the drain writes almost no full-page images, on either side: the conditions least in favour
      // of the relay, whose commits do not wait for the log while the baseline's do.
      try (Statement statement = connection.createStatement()) {
        statement.execute("CHECKPOINT");
      }
      connection.setAutoCommit(false);
      for (int from = 0; from < MESSAGES; from += 1000) {
        List<OutboxMessage> batch = new ArrayList<>(1000);
        for (int i = from; i < from + 1000; i++) {
          batch.add(OutboxMessage.of("orders", ordering.equals("keys") ? "key-" + (i % 1000) : null, payload));
        }
        outbox.enqueue(connection, batch);
        connection.commit();
      }
      // What autovacuum does between two invocations on a server where it runs (it is off on the development
      // machine's): without it every invocation would start on the dead rows of all the ones before.
      connection.setAutoCommit(true);
      try (Statement statement = connection.createStatement()) {
        statement.execute("VACUUM ANALYZE " + TABLE);
      }
    }
    confirmed.set(0);
    drained = new CountDownLatch(1);
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int drain() throws Exception {
    int total = 0;
    if (relay.equals("steadfast")) {
      // The relay as a service runs it: started, one worker, until the table is empty and the last batch's
      // outcomes are written (close() writes them).
      OutboxRelay steadfast = OutboxRelay.builder(outbox, publisher).batchSize(100).build();
      steadfast.start();
      drained.await(); // blocked, not polling: the benchmark thread takes no CPU from the relay and the database
      steadfast.close();
      total = confirmed.get();
    } else {
      int claimed;
      while ((claimed = naiveBatch()) > 0) {
        total += claimed;
      }
    }
    if (total != MESSAGES) {
      throw new IllegalStateException("drained " + total + " messages, expected " + MESSAGES);
    }
    return total;
  }

  /** The baseline: claim 100 with SKIP LOCKED, publish, delete, commit, all in one transaction. */
  private int naiveBatch() throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      List<OutboxMessage> messages = new ArrayList<>(100);
      List<Long> seqs = new ArrayList<>(100);
      try (PreparedStatement select = connection.prepareStatement("SELECT seq, id, destination, msg_key, payload FROM "
          + TABLE + " WHERE status = 0 ORDER BY seq LIMIT 100 FOR UPDATE SKIP LOCKED");
          ResultSet row = select.executeQuery()) {
        while (row.next()) {
          seqs.add(row.getLong(1));
          messages.add(new OutboxMessage(row.getObject(2, java.util.UUID.class), row.getString(3), row.getString(4),
              row.getBytes(5), java.util.Map.of()));
        }
      }
      if (messages.isEmpty()) {
        connection.commit();
        return 0;
      }
      publisher.publish(messages).toCompletableFuture().get();
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE seq = ANY (?)")) {
        Array array = connection.createArrayOf("bigint", seqs.toArray(new Long[0]));
        delete.setArray(1, array);
        delete.executeUpdate();
      }
      connection.commit();
      return messages.size();
    }
  }

  @TearDown(Level.Trial)
  public void close() throws SQLException {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + TABLE + ", " + TABLE + "_lease");
    }
    dataSource.close();
  }
}
