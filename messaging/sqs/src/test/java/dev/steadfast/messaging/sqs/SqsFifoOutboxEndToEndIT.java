package dev.steadfast.messaging.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.core.Backoff;
import dev.steadfast.messaging.outbox.Inbox;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.spi.MessageHandler;
import dev.steadfast.testkit.PostgresExtension;
import dev.steadfast.testkit.SqsExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Outbox → relay → SQS FIFO queue (embedded ElasticMQ) → two consumers → inbox, 5,000 messages over 20 keys, while
 * batches fail or lose their response, single entries are reported failed though SQS took them, and handlers fail
 * before commit: every message's effect happens exactly once, and each key's effects happen in enqueue order.
 */
class SqsFifoOutboxEndToEndIT {

  private static final int MESSAGES = 5_000;
  private static final int KEYS = 20;

  @RegisterExtension static final PostgresExtension POSTGRES = PostgresExtension.create();
  @RegisterExtension static final SqsExtension SQS = SqsExtension.create();

  private static HikariDataSource pool;

  @BeforeAll
  static void open() {
    pool = new HikariDataSource();
    pool.setJdbcUrl(POSTGRES.jdbcUrl());
    pool.setUsername(POSTGRES.user());
    if (POSTGRES.password() != null) {
      pool.setPassword(POSTGRES.password());
    }
    pool.setMaximumPoolSize(20);
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Test
  void everyKeysEffectsHappenOnceAndInEnqueueOrderThroughPublishAndHandlerFailures() throws Exception {
    String queueUrl = SQS.createQueue("e2e.fifo");
    Outbox outbox = Outbox.builder(pool).build();
    outbox.createSchemaIfMissing();
    Inbox inbox = Inbox.builder(pool).build();
    inbox.createSchemaIfMissing();
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE effects (seq bigserial PRIMARY KEY, message_id uuid NOT NULL, "
          + "msg_key text NOT NULL, number int NOT NULL)");
    }

    FaultInjectingSqsClient producerClient = new FaultInjectingSqsClient(SQS.asyncClient());
    producerClient.randomSendFaults(0.02, 0.02, 0.02);
    SimpleMeterRegistry producerMeters = new SimpleMeterRegistry();
    SqsAdapterConfig fifo = SqsAdapterConfig.builder()
        .fifoQueues(true)
        .receiveWait(Duration.ofSeconds(1))
        .visibilityTimeout(Duration.ofSeconds(5))
        .heartbeatInterval(Duration.ofSeconds(2))
        .build();
    SqsBrokerAdapter producer =
        SqsBrokerAdapter.builder(producerClient).config(fifo).meterRegistry(producerMeters).build();
    OutboxRelay relay = OutboxRelay.builder(outbox, producer.publisher())
        .batchSize(100)
        .pollInterval(Duration.ofMillis(50))
        .backoff(Backoff.fixed(Duration.ofMillis(100)))
        .maxAttempts(1000)
        .build();

    Random random = new Random(11);
    AtomicInteger failedBeforeCommit = new AtomicInteger();
    MessageHandler handler = inbox.handler("fifo-e2e", (connection, message) -> {
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO effects (message_id, msg_key, number) VALUES (?, ?, ?)")) {
        insert.setObject(1, message.id());
        insert.setString(2, message.key());
        insert.setInt(3, Integer.parseInt(new String(message.payload(), StandardCharsets.UTF_8)));
        insert.executeUpdate();
      }
      boolean fail;
      synchronized (random) {
        fail = random.nextDouble() < 0.01;
      }
      if (fail) {
        failedBeforeCommit.incrementAndGet();
        throw new IllegalStateException("handler failed before commit (on purpose)");
      }
    });

    List<SqsBrokerAdapter> consumers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      SqsBrokerAdapter consumer = SqsBrokerAdapter.builder(SQS.asyncClient()).config(fifo).handlerThreads(4).build();
      consumer.subscriber(queueUrl).start(handler);
      consumers.add(consumer);
    }
    relay.start();
    try {
      Map<String, Integer> next = new HashMap<>();
      for (int tx = 0; tx < MESSAGES / 500; tx++) {
        try (Connection connection = pool.getConnection()) {
          connection.setAutoCommit(false);
          List<OutboxMessage> batch = new ArrayList<>(500);
          for (int i = 0; i < 500; i++) {
            String key = "customer-" + (tx * 500 + i) % KEYS;
            int number = next.merge(key, 1, Integer::sum);
            batch.add(OutboxMessage.builder(queueUrl).key(key).payload(Integer.toString(number)).build());
          }
          outbox.enqueue(connection, batch);
          connection.commit();
        }
      }

      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
          .until(() -> count("SELECT count(DISTINCT message_id) FROM effects") >= MESSAGES);
      await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(30))
          .until(() -> count("SELECT count(*) FROM effects") == MESSAGES);

      assertThat(count("SELECT count(*) FROM effects")).isEqualTo(MESSAGES);
      assertThat(producerMeters.get("steadfast.messaging.failed").tag("reason", "retryable").counter().count())
          .as("injected publish failures").isPositive();
      assertThat(failedBeforeCommit.get()).isPositive();
      try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT msg_key, number FROM effects ORDER BY seq")) {
        Map<String, Integer> last = new HashMap<>();
        while (rows.next()) {
          String key = rows.getString(1);
          int number = rows.getInt(2);
          int previous = last.getOrDefault(key, 0);
          assertThat(number).as("effect of %s after %s of key %s", number, previous, key).isEqualTo(previous + 1);
          last.put(key, number);
        }
        assertThat(last).hasSize(KEYS).allSatisfy((key, number) -> assertThat(number).isEqualTo(MESSAGES / KEYS));
      }
    } finally {
      relay.close();
      consumers.forEach(SqsBrokerAdapter::close);
      producer.close();
    }
  }

  private static long count(String sql) throws SQLException {
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }
}
