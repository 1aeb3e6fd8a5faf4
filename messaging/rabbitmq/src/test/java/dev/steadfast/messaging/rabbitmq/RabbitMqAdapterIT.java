package dev.steadfast.messaging.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.Delivery;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.testkit.RabbitMqExtension;
import dev.steadfast.testkit.TcpFaultProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the adapter promises beyond the conformance suite, against the real broker (or Qpid where it can). */
class RabbitMqAdapterIT {

  @RegisterExtension static final RabbitMqExtension RABBITMQ = RabbitMqExtension.create();

  private TcpFaultProxy proxy;
  private RabbitMqAdapter adapter;
  private final MeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void open() {
    proxy = TcpFaultProxy.start(RABBITMQ.host(), RABBITMQ.port());
    adapter = RabbitMqAdapter.create(Brokers.through(RABBITMQ, proxy).meterRegistry(meters).build());
  }

  @AfterEach
  void close() {
    adapter.close();
    proxy.close();
  }

  @Test
  void aMessageIsPersistentWithTheOutboxIdAsMessageIdAndItsHeadersAndTraceparent() throws Exception {
    String queue = classicQueue("props");
    UUID id = UUID.randomUUID();
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    OutboxMessage message =
        new OutboxMessage(id, queue, "customer-7", bytes("hello"), Map.of("traceparent", traceparent, "a", "b"));

    assertThat(publish(message)).allMatch(PublishOutcome::isConfirmed);

    Channel channel = RABBITMQ.newConnection().createChannel();
    GetResponse response = await().atMost(Duration.ofSeconds(10)).until(() -> channel.basicGet(queue, true), r -> r != null);
    assertThat(response.getProps().getDeliveryMode()).isEqualTo(2);
    assertThat(response.getProps().getMessageId()).isEqualTo(id.toString());
    assertThat(response.getProps().getHeaders())
        .containsKeys("traceparent", "a", "x-steadfast-key")
        .extractingByKey("traceparent")
        .hasToString(traceparent);
  }

  @Test
  void anExchangeAndRoutingKeyDestinationIsDeliveredWithThatDestination() throws Exception {
    String exchange = RABBITMQ.exchangeName("events");
    String queue = RABBITMQ.queueName("created");
    adapter.declare(
        RabbitMqTopology.builder()
            .exchange(exchange, BuiltinExchangeType.DIRECT)
            .classicQueue(queue)
            .bind(queue, exchange, "order.created")
            .build());
    String destination = RabbitMqAdapter.destination(exchange, "order.created");
    OutboxMessage message = new OutboxMessage(UUID.randomUUID(), destination, null, bytes("x"), Map.of());

    assertThat(publish(message)).allMatch(PublishOutcome::isConfirmed);

    List<Delivery> received = subscribe(queue, Delivery::ack);
    await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
    assertThat(received.get(0).message()).isEqualTo(message);
    assertThat(received.get(0).message().destination()).isEqualTo(exchange + "/order.created");
  }

  @Test
  void anUnroutableMandatoryMessageFailsAlthoughTheBrokerAcksIt() throws Exception {
    String exchange = RABBITMQ.exchangeName("nowhere");
    adapter.declare(RabbitMqTopology.builder().exchange(exchange, BuiltinExchangeType.DIRECT).build());
    OutboxMessage message = OutboxMessage.of(exchange + "/no-queue-bound", bytes("lost?"));

    PublishOutcome outcome = publish(message).get(0);

    assertThat(outcome.isConfirmed()).isFalse();
    RabbitMqPublishException failure = (RabbitMqPublishException) outcome.failure();
    // RabbitMQ returns, then acks; Qpid Broker-J returns and nacks.
    if (RABBITMQ.isRealRabbitMq()) {
      assertThat(failure.reason()).isEqualTo(RabbitMqPublishException.Reason.RETURNED);
    } else {
      assertThat(failure.reason())
          .isIn(RabbitMqPublishException.Reason.RETURNED, RabbitMqPublishException.Reason.NACKED);
    }
    assertThat(meters.counter("steadfast.rabbitmq.returned", "adapter", "default").count()).isEqualTo(1.0);
    assertThat(meters.counter("steadfast.rabbitmq.confirmed", "adapter", "default").count()).isZero();
  }

  @Test
  void aMissingExchangeFailsItsBatchAndTheNextBatchGetsANewChannel() throws Exception {
    String queue = classicQueue("after-404");
    PublishOutcome missing = publish(OutboxMessage.of(RABBITMQ.exchangeName("missing") + "/key", bytes("x"))).get(0);
    assertThat(missing.isConfirmed()).isFalse();

    assertThat(publish(OutboxMessage.of(queue, bytes("y")))).allMatch(PublishOutcome::isConfirmed);
  }

  @Test
  void metersCountPublishedConfirmedConsumedAndAcked() throws Exception {
    String queue = classicQueue("meters");
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      messages.add(OutboxMessage.of(queue, bytes("m" + i)));
    }
    assertThat(publish(messages.toArray(OutboxMessage[]::new))).allMatch(PublishOutcome::isConfirmed);
    List<Delivery> received = subscribe(queue, Delivery::ack);
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 50);

    assertThat(meters.counter("steadfast.rabbitmq.published", "adapter", "default").count()).isEqualTo(50);
    assertThat(meters.counter("steadfast.rabbitmq.confirmed", "adapter", "default").count()).isEqualTo(50);
    assertThat(meters.timer("steadfast.rabbitmq.confirm.latency", "adapter", "default").count()).isEqualTo(50);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(meters.counter("steadfast.rabbitmq.consumed", "adapter", "default", "queue", queue).count())
          .isEqualTo(50);
      assertThat(meters.counter("steadfast.rabbitmq.acked", "adapter", "default", "queue", queue).count())
          .isEqualTo(50);
    });
  }

  @Test
  void closingASubscriberWaitsForTheDeliveryBeingHandledAndItsAck() throws Exception {
    String queue = classicQueue("drain");
    assertThat(publish(OutboxMessage.of(queue, bytes("slow")))).allMatch(PublishOutcome::isConfirmed);
    CountDownLatch handling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    MessageSubscriber subscriber = adapter.subscriber(queue);
    subscriber.start(delivery -> {
      handling.countDown();
      assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
      delivery.ack();
    });
    assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(subscriber::close);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !closing.isDone());
    release.countDown();
    closing.get(10, TimeUnit.SECONDS);

    Channel channel = RABBITMQ.newConnection().createChannel();
    assertThat(channel.queueDeclarePassive(queue).getMessageCount()).as("acked, not returned").isZero();
  }

  @Test
  void aFailingHandlerIsDeadLetteredAfterMaxDeliveriesOnAQuorumQueue() throws Exception {
    RABBITMQ.requireRealRabbitMq();
    adapter.close();
    adapter =
        RabbitMqAdapter.create(
            Brokers.through(RABBITMQ, proxy)
                .meterRegistry(meters)
                .failurePolicy(ConsumerFailurePolicy.deadLetterAfter(3, Duration.ofMillis(20)))
                .build());
    String queue = RABBITMQ.queueName("quorum-failing");
    String dead = RABBITMQ.queueName("quorum-failing-dlq");
    adapter.declare(RabbitMqTopology.builder().quorumQueue(queue).deadLetterQueue(queue, dead).build());
    OutboxMessage message = OutboxMessage.of(queue, bytes("poison"));
    assertThat(publish(message)).allMatch(PublishOutcome::isConfirmed);

    List<Integer> counts = new CopyOnWriteArrayList<>();
    subscribe(queue, delivery -> {
      counts.add(delivery.deliveryCount());
      throw new IllegalStateException("poison (on purpose)");
    });
    List<Delivery> deadLettered = subscribe(dead, Delivery::ack);

    await().atMost(Duration.ofSeconds(20)).until(() -> !deadLettered.isEmpty());
    assertThat(counts).containsExactly(1, 2, 3);
    assertThat(deadLettered.get(0).message().id()).isEqualTo(message.id());
    assertThat(deadLettered.get(0).message().payload()).isEqualTo(message.payload());
    assertThat(meters.counter("steadfast.rabbitmq.rejected", "adapter", "default", "queue", queue, "requeue", "false")
        .count()).isEqualTo(1);
  }

  @Test
  void aSubscriberOfAQueueThatDoesNotExistYetStartsWhenItIsDeclared() throws Exception {
    String queue = RABBITMQ.queueName("later");
    List<Delivery> received = subscribe(queue, Delivery::ack);
    adapter.declare(RabbitMqTopology.builder().classicQueue(queue).build());
    OutboxMessage message = OutboxMessage.of(queue, bytes("late"));
    assertThat(publish(message)).allMatch(PublishOutcome::isConfirmed);

    await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
    assertThat(received.get(0).message()).isEqualTo(message);
  }

  @Test
  void aSubscriberWhoseQueueWasDeletedAndDeclaredAgainSubscribesAgain() throws Exception {
    RABBITMQ.requireRealRabbitMq(); // consumer cancel notifications
    String queue = classicQueue("recreated");
    List<Delivery> received = subscribe(queue, Delivery::ack);
    Channel channel = RABBITMQ.newConnection().createChannel();
    await().atMost(Duration.ofSeconds(10)).until(() -> channel.queueDeclarePassive(queue).getConsumerCount() == 1);

    channel.queueDelete(queue);
    adapter.declare(RabbitMqTopology.builder().classicQueue(queue).build());
    OutboxMessage message = OutboxMessage.of(queue, bytes("after"));
    assertThat(publish(message)).allMatch(PublishOutcome::isConfirmed);

    await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
    assertThat(received.get(0).message().id()).isEqualTo(message.id());
  }

  // ---- helpers

  private String classicQueue(String base) {
    String queue = RABBITMQ.queueName(base);
    adapter.declare(RabbitMqTopology.builder().classicQueue(queue).build());
    return queue;
  }

  private List<PublishOutcome> publish(OutboxMessage... messages) throws Exception {
    return adapter.publisher().publish(List.of(messages)).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  interface Handler {
    void handle(Delivery delivery) throws Exception;
  }

  private List<Delivery> subscribe(String queue, Handler then) {
    List<Delivery> received = new CopyOnWriteArrayList<>();
    adapter.subscriber(queue).start(delivery -> {
      received.add(delivery);
      then.handle(delivery);
    });
    return received;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
