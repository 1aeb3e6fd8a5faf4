package dev.steadfast.messaging.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.steadfast.core.Backoff;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.testkit.SqsExtension;
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
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** The code of docs/sqs.md, run against embedded ElasticMQ. */
class SqsGuideIT {

  @RegisterExtension static final SqsExtension SQS = SqsExtension.create();

  @Test
  void theGuideRunsEndToEnd() throws Exception {
    SqsAsyncClient sqsAsyncClient = SQS.asyncClient();
    MeterRegistry meters = new SimpleMeterRegistry();
    String queueName = SQS.queueName("orders");
    SQS.client().createQueue(r -> r.queueName(queueName));

    // tag::adapter[]
    SqsBrokerAdapter sqs = SqsBrokerAdapter.builder(sqsAsyncClient) // your client; the adapter never closes it
        .config(SqsAdapterConfig.builder()
            .visibilityTimeout(Duration.ofSeconds(60))     // set on every receive
            .heartbeatInterval(Duration.ofSeconds(20))     // extends it while a handler works
            .requeueBackoff(Backoff.exponential(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5)))
            .build())
        .meterRegistry(meters)
        .build();
    // end::adapter[]

    try (sqs) {
      // tag::publish[]
      OutboxMessage message = new OutboxMessage(UUID.randomUUID(), queueName, "customer-17",
          "{\"order\":17}".getBytes(StandardCharsets.UTF_8), Map.of("traceparent",
          "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
      List<PublishOutcome> outcomes = sqs.publisher().publish(List.of(message)).toCompletableFuture().join();
      for (PublishOutcome outcome : outcomes) {
        if (outcome.permanent()) {
          // a SqsSenderFaultException: SQS will never take this message as it is; the relay parks it
        } else if (!outcome.isConfirmed()) {
          // publish it again later: it may have arrived, and the consumer deduplicates by id
        }
      }
      // end::publish[]
      assertThat(outcomes).allMatch(PublishOutcome::isConfirmed);

      Set<UUID> processed = ConcurrentHashMap.newKeySet();
      // tag::subscribe[]
      MessageSubscriber subscriber = sqs.subscriber(queueName);
      subscriber.start(delivery -> {
        if (processed.add(delivery.message().id())) { // an inbox would do this in the consumer's transaction
          System.out.println("order " + new String(delivery.message().payload(), StandardCharsets.UTF_8)
              + ", delivery " + delivery.deliveryCount());
        }
        delivery.ack(); // deleted from the queue (in a batch) only now
      });
      // end::subscribe[]
      await().atMost(Duration.ofSeconds(30)).until(() -> processed.contains(message.id()));
      subscriber.close();
    }
  }
}
