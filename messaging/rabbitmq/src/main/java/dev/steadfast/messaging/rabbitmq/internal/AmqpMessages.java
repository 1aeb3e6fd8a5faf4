package dev.steadfast.messaging.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import dev.steadfast.messaging.outbox.OutboxMessage;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Converts outbox messages to AMQP properties and back. Stateless.
 *
 * <p>The outbox id is the AMQP {@code message-id}; application headers (a {@code traceparent} among them) are AMQP
 * headers of the same names with string values; the key travels in the header {@value #KEY_HEADER}. On the way
 * back, headers whose values are not strings (the broker's {@code x-death} table, the quorum queue's {@code
 * x-delivery-count}) and the broker's dead-letter bookkeeping headers are left out, so a delivery carries the
 * headers as published.
 */
public final class AmqpMessages {

  /** The AMQP header that carries the outbox message's key. */
  public static final String KEY_HEADER = "x-steadfast-key";

  /** The header quorum queues set on redeliveries: how many times the message was delivered before. */
  public static final String DELIVERY_COUNT_HEADER = "x-delivery-count";

  private static final int PERSISTENT = 2;

  private static final Set<String> BROKER_HEADERS =
      Set.of(
          KEY_HEADER,
          "x-first-death-exchange",
          "x-first-death-queue",
          "x-first-death-reason",
          "x-last-death-exchange",
          "x-last-death-queue",
          "x-last-death-reason");

  private AmqpMessages() {}

  /** Persistent delivery, the id as message-id, the headers and the key. */
  public static AMQP.BasicProperties properties(OutboxMessage message) {
    Map<String, String> headers = message.headers();
    String key = message.key();
    AMQP.BasicProperties.Builder properties =
        new AMQP.BasicProperties.Builder().deliveryMode(PERSISTENT).messageId(message.id().toString());
    if (headers.isEmpty() && key == null) {
      return properties.build();
    }
    Map<String, Object> amqpHeaders = new HashMap<>(capacity(headers.size() + 1));
    amqpHeaders.putAll(headers);
    if (key != null) {
      amqpHeaders.put(KEY_HEADER, key);
    }
    return properties.headers(amqpHeaders).build();
  }

  /**
   * The message a delivery carries.
   *
   * @throws IllegalArgumentException when it has no message-id that is a UUID (it was not published through the
   *     outbox)
   */
  public static OutboxMessage message(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
    String messageId = properties.getMessageId();
    if (messageId == null) {
      throw new IllegalArgumentException("the delivery has no message-id");
    }
    UUID id;
    try {
      id = UUID.fromString(messageId);
    } catch (IllegalArgumentException notUuid) {
      throw new IllegalArgumentException("the delivery's message-id is not a UUID, was '" + messageId + "'");
    }
    Map<String, Object> amqpHeaders = properties.getHeaders();
    Map<String, String> headers = new HashMap<>();
    String key = null;
    if (amqpHeaders != null) {
      for (Map.Entry<String, Object> header : amqpHeaders.entrySet()) {
        String value = stringValue(header.getValue());
        if (value == null) {
          continue;
        }
        if (header.getKey().equals(KEY_HEADER)) {
          key = value;
        } else if (!BROKER_HEADERS.contains(header.getKey()) && !header.getKey().isBlank()) {
          headers.put(header.getKey(), value);
        }
      }
    }
    String destination = Route.format(envelope.getExchange(), envelope.getRoutingKey());
    return new OutboxMessage(id, destination, key, body, headers);
  }

  /**
   * How often the message was delivered, this delivery included: {@code x-delivery-count + 1} on quorum queues,
   * else 2 for a redelivery and 1 otherwise.
   */
  public static int deliveryCount(Envelope envelope, AMQP.BasicProperties properties) {
    Map<String, Object> headers = properties.getHeaders();
    Object count = headers == null ? null : headers.get(DELIVERY_COUNT_HEADER);
    if (count instanceof Number number) {
      long value = number.longValue() + 1;
      return (int) Math.min(Integer.MAX_VALUE, Math.max(value, envelope.isRedeliver() ? 2 : 1));
    }
    return envelope.isRedeliver() ? 2 : 1;
  }

  private static @Nullable String stringValue(@Nullable Object value) {
    if (value instanceof String string) {
      return string;
    }
    if (value instanceof LongString longString) {
      return longString.toString();
    }
    return null;
  }

  private static int capacity(int entries) {
    return (int) (entries / 0.75f) + 1;
  }
}
