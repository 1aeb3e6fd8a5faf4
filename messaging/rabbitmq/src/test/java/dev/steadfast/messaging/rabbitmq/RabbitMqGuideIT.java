package dev.steadfast.messaging.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.BuiltinExchangeType;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.testkit.RabbitMqExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The code of docs/rabbitmq.md, run against the test broker (quorum queues: real RabbitMQ only). */
class RabbitMqGuideIT {

  @RegisterExtension static final RabbitMqExtension RABBITMQ = RabbitMqExtension.create();

  @Test
  void theGuideRunsAsWritten() throws Exception {
    RABBITMQ.requireRealRabbitMq();
    String host = RABBITMQ.host() + ":" + RABBITMQ.port();
    MeterRegistry meterRegistry = new SimpleMeterRegistry();
    String exchange = RABBITMQ.exchangeName("orders");
    String queue = RABBITMQ.queueName("orders.created");
    String deadLetters = RABBITMQ.queueName("orders.created.dead");
    Set<UUID> processed = ConcurrentHashMap.newKeySet();

    // tag::configure[]
    RabbitMqAdapter adapter =
        RabbitMqAdapter.create(
            RabbitMqAdapter.builder()
                .uri("amqp://guest:guest@localhost:5672/%2F") // vhost "/"; the password is never logged
                .addresses(List.of(host)) // several nodes of a cluster: failover in turn
                .confirmTimeout(Duration.ofSeconds(10))
                .prefetch(250)
                .failurePolicy(ConsumerFailurePolicy.deadLetterAfter(5, Duration.ofSeconds(1)))
                .meterRegistry(meterRegistry)
                .build());
    // end::configure[]

    // tag::declare[]
    adapter.declare(
        RabbitMqTopology.builder()
            .exchange(exchange, BuiltinExchangeType.DIRECT)
            .quorumQueue(queue)
            .deadLetterQueue(queue, deadLetters) // what is rejected without requeue goes there
            .bind(queue, exchange, "order.created")
            .build());
    // end::declare[]

    // tag::publish[]
    OutboxMessage message =
        new OutboxMessage(
            UUID.randomUUID(), // becomes the AMQP message-id: the consumer's deduplication key
            RabbitMqAdapter.destination(exchange, "order.created"), // "<exchange>/order.created"
            "customer-42", // the key, in the header x-steadfast-key
            "{\"order\":17}".getBytes(StandardCharsets.UTF_8),
            Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    List<PublishOutcome> outcomes = adapter.publisher().publish(List.of(message)).toCompletableFuture().join();
    // confirmed only after the broker's ack; otherwise failed with a RabbitMqPublishException, to publish again
    // end::publish[]

    // tag::subscribe[]
    MessageSubscriber subscriber = adapter.subscriber(queue); // a queue name, not exchange/key
    subscriber.start(delivery -> {
      if (processed.add(delivery.message().id())) { // your inbox: effects once per message id
        // ... process delivery.message() ...
      }
      delivery.ack(); // only after the effects are committed; throwing applies the failure policy
    });
    // ...
    subscriber.close(); // stops consuming, waits up to drainTimeout for deliveries in hand to settle
    // end::subscribe[]

    assertThat(outcomes).allMatch(PublishOutcome::isConfirmed);
    MessageSubscriber again = adapter.subscriber(queue);
    again.start(delivery -> {
      processed.add(delivery.message().id());
      delivery.ack();
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> processed.contains(message.id()));
    adapter.close();
  }
}
