package dev.steadfast.messaging.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.steadfast.messaging.outbox.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AmqpMessagesTest {

  private static final byte[] BODY = "body".getBytes(StandardCharsets.UTF_8);

  @Test
  void aMessageWithoutHeadersOrKeyIsPublishedWithoutAHeaderTable() {
    OutboxMessage message = new OutboxMessage(UUID.randomUUID(), "orders", null, BODY, Map.of());

    AMQP.BasicProperties properties = AmqpMessages.properties(message);

    assertThat(properties.getHeaders()).isNull();
    assertThat(properties.getDeliveryMode()).isEqualTo(2);
    assertThat(properties.getMessageId()).isEqualTo(message.id().toString());
    assertThat(delivered(properties)).isEqualTo(message);
  }

  @Test
  void headersAndTheKeyTravelAsHeadersAndComeBackAsPublished() {
    OutboxMessage message = new OutboxMessage(UUID.randomUUID(), "orders", "customer-7", BODY,
        Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));

    AMQP.BasicProperties properties = AmqpMessages.properties(message);

    assertThat(properties.getHeaders()).containsEntry(AmqpMessages.KEY_HEADER, "customer-7")
        .containsKey("traceparent");
    assertThat(delivered(properties)).isEqualTo(message);
  }

  @Test
  void aKeyWithoutHeadersIsPublishedInAHeaderTableOfItsOwn() {
    OutboxMessage message = new OutboxMessage(UUID.randomUUID(), "orders", "customer-7", BODY, Map.of());

    AMQP.BasicProperties properties = AmqpMessages.properties(message);

    assertThat(properties.getHeaders()).containsOnlyKeys(AmqpMessages.KEY_HEADER);
    assertThat(delivered(properties)).isEqualTo(message);
  }

  private static OutboxMessage delivered(AMQP.BasicProperties properties) {
    return AmqpMessages.message(new Envelope(1, false, "", "orders"), properties, BODY);
  }
}
