package dev.steadfast.messaging.outbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.core.Backoff;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxDialects;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.spi.OutboxDialect;
import dev.steadfast.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Over random schedules of enqueues (committed and rolled back), relay passes, publisher failures, relay crashes
 * (after the broker confirmed, before the relay recorded it), restarts and lease expiries: once the faults stop
 * and the relay has drained the outbox, every committed message was published at least once, no rolled-back one
 * ever was, each key's messages were first published in enqueue order, and no batch held two messages of one key
 * (a key has at most one message in flight). On H2, whose rows carry their leases, and on PostgreSQL (the real
 * server, or the testkit's embedded one), whose leases are batch leases in a lease table; each try picks one.
 */
class RelayFaultScheduleProperties {

  private static final AtomicInteger TABLES = new AtomicInteger();
  private static final PostgresExtension POSTGRES = PostgresExtension.create();
  private static HikariDataSource h2;
  private static HikariDataSource postgres;

  enum Database { H2, POSTGRESQL }

  @BeforeContainer
  static void open() {
    h2 = new HikariDataSource();
    h2.setJdbcUrl("jdbc:h2:mem:schedules;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
    h2.setMaximumPoolSize(4);
    POSTGRES.open(RelayFaultScheduleProperties.class);
    postgres = Pools.open(POSTGRES.jdbcUrl(), POSTGRES.user(), POSTGRES.password());
  }

  @AfterContainer
  static void close() throws Exception {
    h2.close();
    postgres.close();
    POSTGRES.close();
  }

  sealed interface Step permits Enqueue, RelayPass, Crash, CrashBeforePublish, Restart, ExpireLeases {}

  record Enqueue(int count, boolean commit) implements Step {}

  /**
   * A relay pass during which the broker fails each message with this probability (in percent), drawn from a
   * random sequence of this seed.
   */
  record RelayPass(int failurePercent, long seed) implements Step {}

  /** The relay process dies after the broker confirmed a batch, before its settlement. */
  record Crash() implements Step {}

  /** The relay process dies after claiming a batch, before the broker got any of it. */
  record CrashBeforePublish() implements Step {}

  record Restart() implements Step {}

  record ExpireLeases() implements Step {}

  @Provide
  Arbitrary<List<Step>> schedules() {
    Arbitrary<Step> step = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(1, 8)
            .flatMap(n -> Arbitraries.of(true, true, false).map(commit -> (Step) new Enqueue(n, commit)))),
        net.jqwik.api.Tuple.of(4, Combinators.combine(Arbitraries.of(0, 30, 100), Arbitraries.longs())
            .as((percent, seed) -> (Step) new RelayPass(percent, seed))),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(new Crash())),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(new CrashBeforePublish())),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(new Restart())),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(new ExpireLeases())));
    return step.list().ofMinSize(1).ofMaxSize(25);
  }

  @Property(tries = 100)
  void committedMessagesArriveAtLeastOnceRolledBackNeverAndEachKeyInOrder(@ForAll Database database,
      @ForAll("schedules") List<Step> steps) throws Exception {
    Statistics.collect(database);
    HikariDataSource pool = database == Database.H2 ? h2 : postgres;
    OutboxDialect dialect = database == Database.H2 ? OutboxDialects.h2() : OutboxDialects.postgresql();
    MutableClock clock = new MutableClock();
    RecordingPublisher broker = new RecordingPublisher();
    String table = "schedule_" + TABLES.incrementAndGet();
    Outbox outbox = Outbox.builder(pool).table(table).dialect(dialect).clock(clock).build();
    outbox.createSchemaIfMissing();
    List<OutboxMessage> committed = new ArrayList<>();
    Set<UUID> rolledBack = new LinkedHashSet<>();
    OutboxRelay relay = relay(outbox, broker);
    int number = 0;
    int failurePercent = 0;

    for (Step step : steps) {
      if (step instanceof Enqueue enqueue) {
        List<OutboxMessage> batch = new ArrayList<>();
        for (int i = 0; i < enqueue.count(); i++) {
          batch.add(OutboxContract.message("key-" + (number % 3), number++));
        }
        try (Connection connection = pool.getConnection()) {
          connection.setAutoCommit(false);
          outbox.enqueue(connection, batch);
          if (enqueue.commit()) {
            connection.commit();
            committed.addAll(batch);
          } else {
            connection.rollback();
            batch.forEach(message -> rolledBack.add(message.id()));
          }
        }
      } else if (step instanceof RelayPass pass) {
        int percent = pass.failurePercent();
        Random dice = new Random(pass.seed());
        broker.failIf = message -> dice.nextInt(100) < percent;
        relay.relayOnce();
        failurePercent = percent;
      } else if (step instanceof Crash) {
        KillableDataSource dying = new KillableDataSource(pool);
        Outbox seenByTheDyingRelay = Outbox.builder(dying).table(table).dialect(dialect).clock(clock)
            .build();
        broker.failIf = message -> false;
        OutboxRelay doomed = OutboxRelay.builder(seenByTheDyingRelay, messages -> {
              var stage = broker.publish(messages);
              dying.kill();
              return stage;
            }).lease(Duration.ofSeconds(60)).publishTimeout(Duration.ofSeconds(5)).build();
        try {
          doomed.relayOnce();
        } catch (SQLException expected) {
          // the crash
        }
      } else if (step instanceof CrashBeforePublish) {
        KillableDataSource dying = new KillableDataSource(pool);
        Outbox seenByTheDyingRelay = Outbox.builder(dying).table(table).dialect(dialect).clock(clock)
            .build();
        OutboxRelay doomed = OutboxRelay.builder(seenByTheDyingRelay, messages -> {
              dying.kill();
              return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("died"));
            }).lease(Duration.ofSeconds(60)).publishTimeout(Duration.ofSeconds(5)).build();
        try {
          doomed.relayOnce();
        } catch (SQLException expected) {
          // the crash
        }
      } else if (step instanceof Restart) {
        relay = relay(outbox, broker);
      } else if (step instanceof ExpireLeases) {
        clock.advance(Duration.ofSeconds(61));
      }
    }
    assertThat(failurePercent).isBetween(0, 100);

    // The faults stop; the relay drains what is left, leases and backoffs running out as time passes.
    broker.failIf = message -> false;
    for (int round = 0; round < 10; round++) {
      clock.advance(Duration.ofSeconds(61));
      while (relay.relayOnce() > 0) {
        // drain
      }
    }

    assertThat(broker.keysTwiceInABatch).as("keys published twice in one batch").isEmpty();
    Set<UUID> published = new LinkedHashSet<>(broker.confirmedIds());
    assertThat(published).containsAll(committed.stream().map(OutboxMessage::id).toList());
    assertThat(published).filteredOn(rolledBack::contains).isEmpty();
    Map<String, List<UUID>> expected = new LinkedHashMap<>();
    committed.forEach(m -> expected.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.id()));
    Map<String, List<UUID>> firstPublished = new LinkedHashMap<>();
    for (UUID id : published) { // LinkedHashSet: the order of first publication
      OutboxMessage message = committed.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
      firstPublished.computeIfAbsent(message.key(), k -> new ArrayList<>()).add(id);
    }
    assertThat(firstPublished).isEqualTo(expected);
  }

  private static OutboxRelay relay(Outbox outbox, RecordingPublisher broker) {
    return OutboxRelay.builder(outbox, broker)
        .backoff(Backoff.fixed(Duration.ofSeconds(1)))
        .maxAttempts(1000) // no parking here: parking lets a key's later messages pass, by design
        .lease(Duration.ofSeconds(60))
        .publishTimeout(Duration.ofSeconds(5))
        .batchSize(4)
        .build();
  }
}
