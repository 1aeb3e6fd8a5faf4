package dev.steadfast.messaging.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.core.Backoff;
import dev.steadfast.messaging.outbox.Inbox;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.testkit.PostgresExtension;
import dev.steadfast.testkit.RabbitMqExtension;
import dev.steadfast.testkit.TcpFaultProxy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End to end: outbox on PostgreSQL → relay → this adapter → RabbitMQ → subscriber → inbox, with every AMQP
 * connection (the relay's and the consumer's) reset at random moments through the fault proxy. Each message's
 * effect is a row written in the inbox's transaction; at the end there is exactly one row per message.
 */
class OutboxThroughRabbitMqIT {

  @RegisterExtension static final RabbitMqExtension RABBITMQ = RabbitMqExtension.create();
  @RegisterExtension static final PostgresExtension POSTGRES = PostgresExtension.create();

  private static final int MESSAGES = Integer.getInteger("steadfast.e2e.messages", 100_000);
  private static final int PER_TRANSACTION = 1_000;

  @Test
  void everyMessageTakesEffectExactlyOnceThroughRandomConnectionCuts() throws Exception {
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    String effects = "e2e_effects_" + suffix;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (HikariDataSource pool = pool();
        TcpFaultProxy proxy = TcpFaultProxy.start(RABBITMQ.host(), RABBITMQ.port())) {
      Outbox outbox = Outbox.builder(pool).table("e2e_outbox_" + suffix).meterRegistry(meters).build();
      outbox.createSchemaIfMissing();
      Inbox inbox = Inbox.builder(pool).table("e2e_inbox_" + suffix).meterRegistry(meters).build();
      inbox.createSchemaIfMissing();
      try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
        // No unique constraint: a duplicate effect would show as a second row.
        statement.execute("CREATE TABLE " + effects + " (message_id UUID NOT NULL, body TEXT NOT NULL)");
      }
      RabbitMqAdapter adapter =
          RabbitMqAdapter.create(
              Brokers.through(RABBITMQ, proxy)
                  .meterRegistry(meters)
                  .consumerConcurrency(4)
                  .prefetch(100)
                  .confirmTimeout(Duration.ofSeconds(5))
                  .build());
      String queue = RABBITMQ.queueName("e2e");
      adapter.declare(RabbitMqTopology.builder().classicQueue(queue).build());
      String insertEffect = "INSERT INTO " + effects + " (message_id, body) VALUES (?, ?)";
      MessageSubscriber subscriber = adapter.subscriber(queue);
      subscriber.start(
          inbox.handler(
              "e2e",
              (connection, message) -> {
                try (PreparedStatement insert = connection.prepareStatement(insertEffect)) {
                  insert.setObject(1, message.id());
                  insert.setString(2, new String(message.payload(), StandardCharsets.UTF_8));
                  insert.executeUpdate();
                }
              }));
      OutboxRelay relay =
          OutboxRelay.builder(outbox, adapter.publisher())
              .batchSize(100)
              .concurrency(2)
              .publishTimeout(Duration.ofSeconds(10))
              .backoff(Backoff.exponential(Duration.ofMillis(50), 2.0, Duration.ofSeconds(1)))
              .maxAttempts(10_000)
              .build();
      relay.start();

      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger cuts = new AtomicInteger();
      Thread cutter =
          new Thread(
              () -> {
                while (!done.get()) {
                  long pause = ThreadLocalRandom.current().nextLong(300, 1500);
                  await().pollDelay(Duration.ofMillis(pause)).atMost(Duration.ofSeconds(5)).until(() -> true);
                  if (!done.get()) {
                    cuts.addAndGet(proxy.resetConnections() > 0 ? 1 : 0);
                  }
                }
              },
              "e2e-connection-cutter");
      cutter.start();

      Set<UUID> enqueued = new HashSet<>();
      long start = System.nanoTime();
      for (int sent = 0; sent < MESSAGES; sent += PER_TRANSACTION) {
        List<OutboxMessage> batch = new ArrayList<>();
        for (int i = sent; i < Math.min(MESSAGES, sent + PER_TRANSACTION); i++) {
          OutboxMessage message =
              new OutboxMessage(
                  UUID.randomUUID(), queue, null, ("order " + i).getBytes(StandardCharsets.UTF_8), Map.of());
          batch.add(message);
          enqueued.add(message.id());
        }
        try (Connection connection = pool.getConnection()) {
          connection.setAutoCommit(false);
          outbox.enqueue(connection, batch);
          connection.commit();
        }
      }

      await()
          .atMost(Duration.ofMinutes(8))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> count(pool, "SELECT count(*) FROM " + effects) >= MESSAGES);
      done.set(true);
      cutter.join();
      double seconds = (System.nanoTime() - start) / 1e9;
      relay.close();
      subscriber.close();
      adapter.close();

      assertThat(count(pool, "SELECT count(*) FROM " + effects)).as("effects").isEqualTo(MESSAGES);
      assertThat(count(pool, "SELECT count(DISTINCT message_id) FROM " + effects)).as("distinct").isEqualTo(MESSAGES);
      Set<UUID> applied = new HashSet<>();
      try (Connection connection = pool.getConnection();
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT message_id FROM " + effects)) {
        while (rows.next()) {
          applied.add(rows.getObject(1, UUID.class));
        }
      }
      assertThat(applied).isEqualTo(enqueued);
      assertThat(outbox.parked(10)).as("nothing parked").isEmpty();
      assertThat(cuts.get()).as("connection cuts").isPositive();
      System.out.printf(
          "e2e: %d messages exactly once in %.1f s through %d connection cuts; %s publishes failed and retried,"
              + " %s duplicate deliveries dropped by the inbox, %s deliveries requeued%n",
          MESSAGES, seconds, cuts.get(),
          total(meters, "steadfast.rabbitmq.publish.failures") + total(meters, "steadfast.rabbitmq.confirm.timeouts"),
          total(meters, "steadfast.inbox.duplicates"), total(meters, "steadfast.rabbitmq.rejected"));
    }
  }

  private static HikariDataSource pool() {
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl(POSTGRES.jdbcUrl());
    pool.setUsername(POSTGRES.user());
    String password = POSTGRES.password();
    if (password != null) {
      pool.setPassword(password);
    }
    pool.setMaximumPoolSize(10);
    return pool;
  }

  private static long count(HikariDataSource pool, String sql) throws Exception {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static long total(SimpleMeterRegistry meters, String name) {
    return (long) meters.find(name).counters().stream().mapToDouble(counter -> counter.count()).sum();
  }
}
