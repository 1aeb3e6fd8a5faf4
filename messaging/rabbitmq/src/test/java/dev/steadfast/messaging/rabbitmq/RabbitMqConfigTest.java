package dev.steadfast.messaging.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RabbitMqConfigTest {

  @Test
  void settersNameTheSettingAndTheRejectedValue() {
    RabbitMqConfig.Builder builder = RabbitMqConfig.builder();

    assertThatThrownBy(() -> builder.prefetch(0)).hasMessage("prefetch must be in 1..65535, was 0");
    assertThatThrownBy(() -> builder.publisherChannels(65)).hasMessage("publisherChannels must be in 1..64, was 65");
    assertThatThrownBy(() -> builder.consumerConcurrency(0)).hasMessage("consumerConcurrency must be in 1..64, was 0");
    assertThatThrownBy(() -> builder.confirmTimeout(Duration.ZERO))
        .hasMessage("confirmTimeout must be in (0, PT1H], was PT0S");
    assertThatThrownBy(() -> builder.drainTimeout(Duration.ofSeconds(-1)))
        .hasMessage("drainTimeout must be in 0..PT1H, was PT-1S");
    assertThatThrownBy(() -> builder.heartbeat(Duration.ofMillis(500))).hasMessage("heartbeat must be >= 1 s, was PT0.5S");
    assertThatThrownBy(() -> builder.addresses(List.of("a:5672", "b:99999")))
        .hasMessage("addresses[1] must be host:port, was 'b:99999'");
    assertThatThrownBy(() -> builder.name(" ")).hasMessage("name must not be blank, was ' '");
    assertThatThrownBy(() -> ConsumerFailurePolicy.deadLetterAfter(0, Duration.ZERO))
        .hasMessage("maxDeliveries must be >= 1, was 0");
  }

  @Test
  void aBadUriIsRejectedWithoutRepeatingIt() {
    assertThatThrownBy(() -> RabbitMqConfig.builder().uri("http://user:s3cret@host"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("uri must be amqp://")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void thePasswordOfTheUriIsNeverInToString() {
    RabbitMqConfig config = RabbitMqConfig.builder().uri("amqp://app:s3cret@rabbit.internal:5672/prod").build();

    assertThat(config.toString()).doesNotContain("s3cret").contains("uri=(set, not shown)");
    assertThat(RabbitMqAdapter.create(config).toString()).doesNotContain("s3cret");
  }

  @Test
  void addressesReplaceTheHostOfTheUriForFailover() {
    RabbitMqConfig config =
        RabbitMqConfig.builder()
            .uri("amqp://app:pw@ignored:5672/prod")
            .addresses(List.of("node-1:5672", "node-2"))
            .build();
    ConnectionFactory factory = config.newConnectionFactory();

    assertThat(config.effectiveAddresses(factory))
        .containsExactly(new Address("node-1", 5672), new Address("node-2", 5672));
    assertThat(factory.getVirtualHost()).isEqualTo("prod");
    assertThat(factory.isAutomaticRecoveryEnabled()).isTrue();
  }

  @Test
  void toBuilderDerivesAVariantWithoutChangingTheOriginal() {
    RabbitMqConfig base = RabbitMqConfig.builder().prefetch(10).build();
    RabbitMqConfig variant = base.toBuilder().prefetch(20).build();

    assertThat(base.prefetch()).isEqualTo(10);
    assertThat(variant.prefetch()).isEqualTo(20);
  }

  @Test
  void orderPerKeyIsPreservedOnlyWithOneConsumerChannelAndOnePublishingChannel() {
    try (RabbitMqAdapter one = RabbitMqAdapter.create(RabbitMqConfig.builder().build());
        RabbitMqAdapter more = RabbitMqAdapter.create(RabbitMqConfig.builder().consumerConcurrency(4).build())) {
      assertThat(one.preservesOrderPerKey()).isTrue();
      assertThat(more.preservesOrderPerKey()).isFalse();
    }
  }

  @Test
  void aSubscriberNeedsAQueueNotAnExchange() {
    try (RabbitMqAdapter adapter = RabbitMqAdapter.create(RabbitMqConfig.builder().build())) {
      assertThatThrownBy(() -> adapter.subscriber("events/order.created"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("was 'events/order.created'");
    }
  }

  @Test
  void theTopologyDeclaresDeadLetterQueuesBeforeTheirQueues() {
    RabbitMqTopology topology =
        RabbitMqTopology.builder()
            .quorumQueue("orders")
            .deliveryLimit("orders", 5)
            .deadLetterQueue("orders", "orders.dead")
            .build();

    assertThat(topology.queues().keySet()).containsExactly("orders.dead", "orders");
    assertThat(topology.queues().get("orders"))
        .containsEntry("x-queue-type", "quorum")
        .containsEntry("x-delivery-limit", 5)
        .containsEntry("x-dead-letter-exchange", "")
        .containsEntry("x-dead-letter-routing-key", "orders.dead");
    assertThatThrownBy(() -> RabbitMqTopology.builder().classicQueue("c").deliveryLimit("c", 3))
        .hasMessage("deliveryLimit needs a quorum queue, 'c' is not one");
  }
}
