package dev.steadfast.messaging.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Thread-safe conversion between application objects and outbox messages through a Jackson {@link ObjectMapper}:
 * the payload is the object's JSON, with a {@code content-type: application/json} header.
 *
 * <pre>{@code
 * JsonMessages json = new JsonMessages(objectMapper);
 * outbox.enqueue(connection, json.message("orders", order.customerId(), new OrderPlaced(order.id())));
 * ...
 * OrderPlaced event = json.read(delivery.message(), OrderPlaced.class);
 * }</pre>
 *
 * @since 0.1.0
 */
public final class JsonMessages {

  /** The content type header's name. */
  public static final String CONTENT_TYPE = "content-type";

  private final ObjectMapper mapper;

  /** Converts with {@code mapper}, which must not be reconfigured afterwards. */
  public JsonMessages(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /**
   * A new message to {@code destination} with ordering key {@code key} (or none) carrying {@code value} as JSON.
   *
   * @throws IllegalArgumentException if Jackson cannot write {@code value}, with Jackson's reason
   */
  public OutboxMessage message(String destination, @Nullable String key, Object value) {
    byte[] payload;
    try {
      payload = mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value of " + value.getClass().getName() + " cannot be written as JSON: "
          + e.getOriginalMessage(), e);
    }
    return OutboxMessage.builder(destination).key(key).payload(payload)
        .header(CONTENT_TYPE, "application/json").build();
  }

  /**
   * Reads {@code message}'s payload as a {@code type}.
   *
   * @throws UncheckedIOException if the payload is not JSON for {@code type}
   */
  public <T> T read(OutboxMessage message, Class<T> type) {
    try {
      return mapper.readValue(message.payload(), type);
    } catch (IOException e) {
      throw new UncheckedIOException("message " + message.id() + " is not JSON for " + type.getName(), e);
    }
  }
}
