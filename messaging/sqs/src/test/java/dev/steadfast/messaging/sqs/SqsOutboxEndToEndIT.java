package dev.steadfast.messaging.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.core.Backoff;
import dev.steadfast.messaging.outbox.Inbox;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.spi.Delivery;
import dev.steadfast.messaging.outbox.spi.MessageHandler;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Outbox (PostgreSQL) → relay → SQS (embedded ElasticMQ) → consumer → inbox, with 50,000 messages, while batches
 * fail (before SQS, after SQS with the response lost, and single entries reported failed though SQS took them),
 * handlers fail before their transaction commits, consumers crash after commit and before ack, and whole consumer
 * processes die (no delete, no visibility change gets through: their messages come back after the visibility
 * timeout). Every message's effect must be recorded exactly once; a message whose handler always fails must end
 * in the dead-letter queue.
 */
class SqsOutboxEndToEndIT {

  private static final Logger LOG = LoggerFactory.getLogger(SqsOutboxEndToEndIT.class);
  private static final int MESSAGES = 50_000;
  private static final String POISON = "poison";

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
    pool.setMaximumPoolSize(24);
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  /** A consumer process: its own client (which can die) and adapter, and one subscriber. */
  private record Consumer(FaultInjectingSqsClient client, SqsBrokerAdapter adapter, MessageSubscriber subscriber) {}

  private Consumer startConsumer(String queue, MessageHandler handler) {
    FaultInjectingSqsClient client = new FaultInjectingSqsClient(SQS.asyncClient());
    SqsBrokerAdapter adapter = SqsBrokerAdapter.builder(client)
        .config(SqsAdapterConfig.builder()
            .receiveWait(Duration.ofSeconds(1))
            .visibilityTimeout(Duration.ofSeconds(5))
            .heartbeatInterval(Duration.ofSeconds(2))
            .maxInFlightPerSubscriber(40)
            .build())
        .handlerThreads(8)
        .build();
    MessageSubscriber subscriber = adapter.subscriber(queue);
    subscriber.start(handler);
    return new Consumer(client, adapter, subscriber);
  }

  @Test
  void everyMessagesEffectHappensExactlyOnceThroughFailuresAndCrashesAndThePoisonMessageIsDeadLettered()
      throws Exception {
    String deadLetterUrl = SQS.createQueue("e2e-dead");
    String deadLetterArn = SQS.client().getQueueAttributes(r -> r.queueUrl(deadLetterUrl)
        .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
    String queueUrl = SQS.createQueue("e2e");
    SQS.client().setQueueAttributes(r -> r.queueUrl(queueUrl).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
        "{\"maxReceiveCount\":\"3\",\"deadLetterTargetArn\":\"" + deadLetterArn + "\"}")));
    String queue = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);

    Outbox outbox = Outbox.builder(pool).build();
    outbox.createSchemaIfMissing();
    Inbox inbox = Inbox.builder(pool).build();
    inbox.createSchemaIfMissing();
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE effects (message_id uuid NOT NULL, body text NOT NULL)");
    }

    // Producer side: every batch may fail, lose its response, or have entries reported failed.
    FaultInjectingSqsClient producerClient = new FaultInjectingSqsClient(SQS.asyncClient());
    producerClient.randomSendFaults(0.02, 0.02, 0.01);
    SimpleMeterRegistry producerMeters = new SimpleMeterRegistry();
    SqsBrokerAdapter producer = SqsBrokerAdapter.builder(producerClient).meterRegistry(producerMeters).build();
    OutboxRelay relay = OutboxRelay.builder(outbox, producer.publisher())
        .batchSize(100)
        .concurrency(2)
        .pollInterval(Duration.ofMillis(100))
        .backoff(Backoff.fixed(Duration.ofMillis(200)))
        .maxAttempts(1000)
        .build();

    // Consumer side: handlers fail before commit, or "crash" after commit and before ack.
    Random random = new Random(7);
    AtomicInteger failedBeforeCommit = new AtomicInteger();
    AtomicInteger crashedBeforeAck = new AtomicInteger();
    MessageHandler inboxHandler = inbox.handler("e2e", (connection, message) -> {
      String body = new String(message.payload(), StandardCharsets.UTF_8);
      if (body.equals(POISON)) {
        throw new IllegalStateException("this message always fails (on purpose)");
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO effects VALUES (?, ?)")) {
        insert.setObject(1, message.id());
        insert.setString(2, body);
        insert.executeUpdate();
      }
      if (chance(random, 0.005)) {
        failedBeforeCommit.incrementAndGet();
        throw new IllegalStateException("handler failed before commit (on purpose)");
      }
    });
    MessageHandler handler = delivery -> inboxHandler.handle(new Delivery() {
      @Override
      public OutboxMessage message() {
        return delivery.message();
      }

      @Override
      public int deliveryCount() {
        return delivery.deliveryCount();
      }

      @Override
      public void ack() {
        if (chance(random, 0.005)) {
          crashedBeforeAck.incrementAndGet();
          throw new IllegalStateException("consumer crashed after commit, before ack (on purpose)");
        }
        delivery.ack();
      }

      @Override
      public void reject(boolean requeue) {
        delivery.reject(requeue);
      }
    });

    long started = System.nanoTime();
    List<Consumer> consumers = new ArrayList<>();
    consumers.add(startConsumer(queue, handler));
    consumers.add(startConsumer(queue, handler));
    relay.start();
    try {
      // Enqueued while relay and consumers run, in transactions of 1,000, the poison message in the middle.
      for (int tx = 0; tx < MESSAGES / 1000; tx++) {
        try (Connection connection = pool.getConnection()) {
          connection.setAutoCommit(false);
          List<OutboxMessage> batch = new ArrayList<>(1000);
          for (int i = 0; i < 1000; i++) {
            batch.add(OutboxMessage.builder(queue).payload("message " + (tx * 1000 + i)).build());
          }
          if (tx == MESSAGES / 2000) {
            batch.add(OutboxMessage.builder(queue).payload(POISON).build());
          }
          outbox.enqueue(connection, batch);
          connection.commit();
        }
      }

      // Two consumer processes die at 15k and 30k effects; a new one starts each time.
      int crashes = 0;
      for (int threshold : new int[] {15_000, 30_000}) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
            .until(() -> effects()[0] >= threshold);
        Consumer dying = consumers.remove(0);
        dying.client().crash();
        dying.adapter().close();
        crashes++;
        consumers.add(startConsumer(queue, handler));
      }

      await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofMillis(500))
          .until(() -> effects()[1] >= MESSAGES);
      List<Message> dead = new ArrayList<>();
      await().atMost(Duration.ofMinutes(1))
          .until(() -> dead.addAll(SQS.client().receiveMessage(r -> r.queueUrl(deadLetterUrl)
              .maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) || !dead.isEmpty());
      // Redeliveries still in flight (crashed consumers' messages) must not add effects: wait them out.
      await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(30)).until(() -> effects()[0] == MESSAGES);

      long[] effects = effects();
      double publishFailures =
          producerMeters.get("steadfast.messaging.failed").tag("reason", "retryable").counter().count();
      LOG.info("end to end: {} messages in {} s; {} publish failures (relayed again), {} handler failures before "
              + "commit, {} crashes before ack, {} consumer processes killed",
          MESSAGES, (System.nanoTime() - started) / 1_000_000_000L, (long) publishFailures,
          failedBeforeCommit.get(), crashedBeforeAck.get(), crashes);
      assertThat(publishFailures).as("injected publish failures").isPositive();
      assertThat(effects[0]).as("effects recorded").isEqualTo(MESSAGES);
      assertThat(effects[1]).as("distinct messages with an effect").isEqualTo(MESSAGES);
      assertThat(dead).singleElement().satisfies(m -> assertThat(m.body()).isEqualTo(POISON));
      assertThat(failedBeforeCommit.get()).isPositive();
      assertThat(crashedBeforeAck.get()).isPositive();
      assertThat(outbox.parked(10)).isEmpty();
    } finally {
      relay.close();
      consumers.forEach(consumer -> consumer.adapter().close());
      producer.close();
    }
  }

  private static boolean chance(Random random, double p) {
    synchronized (random) {
      return random.nextDouble() < p;
    }
  }

  /** {total effects, distinct message ids}. */
  private static long[] effects() throws SQLException {
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT count(*), count(DISTINCT message_id) FROM effects")) {
      row.next();
      return new long[] {row.getLong(1), row.getLong(2)};
    }
  }
}
