package dev.steadfast.messaging.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.steadfast.core.Backoff;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.Delivery;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.testkit.SqsExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What the SQS adapter promises beyond the conformance suite, against embedded ElasticMQ. */
class SqsSubscriberIT {

  @RegisterExtension static final SqsExtension SQS = SqsExtension.create();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FaultInjectingSqsClient client = new FaultInjectingSqsClient(SQS.asyncClient());
  private final SqsBrokerAdapter adapter = SqsBrokerAdapter.builder(client)
      .config(SqsAdapterConfig.builder()
          .receiveWait(Duration.ofSeconds(1))
          .visibilityTimeout(Duration.ofSeconds(2))
          .heartbeatInterval(Duration.ofMillis(500))
          .build())
      .meterRegistry(registry)
      .handlerThreads(4)
      .build();

  @AfterEach
  void closeAdapter() {
    adapter.close();
  }

  private static OutboxMessage message(String destination, String text) {
    return new OutboxMessage(UUID.randomUUID(), destination, null, text.getBytes(StandardCharsets.UTF_8),
        Map.of("tenant", "t-1"));
  }

  private void publishConfirmed(List<OutboxMessage> messages) {
    List<PublishOutcome> outcomes = adapter.publisher().publish(messages).toCompletableFuture().join();
    assertThat(outcomes).allMatch(PublishOutcome::isConfirmed);
  }

  private String queueWithDeadLetterQueue(int maxReceiveCount) {
    String deadLetterUrl = SQS.createQueue("dead");
    String deadLetterArn = SQS.client().getQueueAttributes(r -> r.queueUrl(deadLetterUrl)
        .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
    String url = SQS.createQueue("redriven");
    SQS.client().setQueueAttributes(r -> r.queueUrl(url).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
        "{\"maxReceiveCount\":\"" + maxReceiveCount + "\",\"deadLetterTargetArn\":\"" + deadLetterArn + "\"}")));
    return url + " " + deadLetterUrl;
  }

  private static List<Message> drain(String queueUrl) {
    return SQS.client().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
        .messageAttributeNames("All")).messages();
  }

  @Test
  void aHandlerRunningLongerThanTheVisibilityTimeoutKeepsItsMessageInvisible() throws Exception {
    String queue = SQS.createQueue("slow");
    OutboxMessage message = message(queue, "slow");
    publishConfirmed(List.of(message));
    List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    MessageSubscriber subscriber = adapter.subscriber(queue);
    subscriber.start(delivery -> {
      deliveries.add(delivery);
      if (release.await(30, TimeUnit.SECONDS)) {
        delivery.ack();
      }
    });

    // Three visibility timeouts long, the message is not delivered again: the heartbeat extends it.
    await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(9)).until(() -> deliveries.size() == 1);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.deleteRequests() > 0);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> deliveries.size() == 1);
    assertThat(deliveries.get(0).message()).isEqualTo(message);
  }

  @Test
  void aMessageRejectedWithoutRequeueMovesToTheDeadLetterQueue() {
    String[] urls = queueWithDeadLetterQueue(5).split(" ");
    OutboxMessage message = message(urls[0], "poison");
    publishConfirmed(List.of(message));
    adapter.subscriber(urls[0]).start(delivery -> delivery.reject(false));

    List<Message> dead = new ArrayList<>();
    await().atMost(Duration.ofSeconds(15)).until(() -> dead.addAll(drain(urls[1])) || !dead.isEmpty());
    assertThat(dead).singleElement().satisfies(m ->
        assertThat(m.messageAttributes().get("steadfast-id").stringValue()).isEqualTo(message.id().toString()));
    assertThat(registry.get("steadfast.messaging.rejected").tag("requeue", "false").counter().count()).isEqualTo(1);
  }

  @Test
  void aMessageWhoseHandlerAlwaysFailsEndsInTheDeadLetterQueueAfterMaxReceiveCount() {
    String[] urls = queueWithDeadLetterQueue(3).split(" ");
    OutboxMessage message = message(urls[0], "always fails");
    publishConfirmed(List.of(message));
    List<Integer> counts = new CopyOnWriteArrayList<>();
    adapter.subscriber(urls[0]).start(delivery -> {
      counts.add(delivery.deliveryCount());
      throw new IllegalStateException("handler fails (on purpose)");
    });

    List<Message> dead = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> dead.addAll(drain(urls[1])) || !dead.isEmpty());
    assertThat(dead).hasSize(1);
    assertThat(counts).containsExactly(1, 2, 3); // ApproximateReceiveCount as the delivery count
  }

  @Test
  void acknowledgedMessagesAreDeletedInBatches() {
    String queue = SQS.createQueue("many");
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      messages.add(message(queue, "m" + i));
    }
    publishConfirmed(messages);
    Set<UUID> seen = ConcurrentHashMap.newKeySet();
    adapter.subscriber(queue).start(delivery -> {
      seen.add(delivery.message().id());
      delivery.ack();
    });

    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 60);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> registry.get("steadfast.messaging.acked").counter().count() >= 60);
    await().atMost(Duration.ofSeconds(10)).until(() -> drain(queue).isEmpty());
    assertThat(client.deleteRequests()).isLessThan(60);
    assertThat(registry.get("steadfast.messaging.published").counter().count()).isEqualTo(60);
    assertThat(registry.get("steadfast.messaging.confirmed").counter().count()).isEqualTo(60);
    assertThat(registry.get("steadfast.messaging.consumed").counter().count()).isGreaterThanOrEqualTo(60);
    assertThat(registry.get("steadfast.messaging.send").timer().count()).isEqualTo(6);
  }

  @Test
  void aRejectedDeliveryStaysInvisibleForTheRequeueBackoffOfItsReceiveCount() {
    String queue = SQS.createQueue("backoff");
    OutboxMessage message = message(queue, "later");
    publishConfirmed(List.of(message));
    List<Long> receivedAt = new CopyOnWriteArrayList<>();
    try (SqsBrokerAdapter backingOff = SqsBrokerAdapter.builder(client)
        .config(adapter.config().toBuilder().requeueBackoff(Backoff.fixed(Duration.ofSeconds(3))).build())
        .build()) {
      backingOff.subscriber(queue).start(delivery -> {
        receivedAt.add(System.nanoTime());
        if (delivery.deliveryCount() == 1) {
          delivery.reject(true);
        } else {
          delivery.ack();
        }
      });

      await().atMost(Duration.ofSeconds(15)).until(() -> receivedAt.size() >= 2);
      assertThat(Duration.ofNanos(receivedAt.get(1) - receivedAt.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
    }
  }

  @Test
  void closingASubscriberReturnsItsUnsettledMessagesAtOnce() {
    String queue = SQS.createQueue("handover");
    OutboxMessage message = message(queue, "handover");
    publishConfirmed(List.of(message));
    List<Delivery> first = new CopyOnWriteArrayList<>();
    MessageSubscriber crashing = adapter.subscriber(queue);
    crashing.start(first::add); // never settles
    await().atMost(Duration.ofSeconds(10)).until(() -> !first.isEmpty());

    crashing.close();

    assertThat(SQS.client().receiveMessage(r -> r.queueUrl(queue).waitTimeSeconds(1)).messages()).hasSize(1);
  }
}
