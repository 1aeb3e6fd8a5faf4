package dev.steadfast.messaging.outbox;

import dev.steadfast.messaging.outbox.internal.Uuid7;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A message as the outbox stores and relays it. Immutable: the payload and headers are copied in and out.
 *
 * <p>The {@code id} travels with every delivery, so a consumer's inbox can drop duplicates of a message that
 * was relayed more than once (the relay is at least once). The {@code key} orders messages: the relay keeps
 * messages with the same key in enqueue order where the broker can.
 *
 * @param id unique per message; the deduplication key downstream
 * @param destination where the broker adapter routes it (an exchange and routing key, a queue URL, ...)
 * @param key ordering and partitioning key, or null for none
 * @param payload the body, at most {@link #MAX_PAYLOAD_BYTES} bytes
 * @param headers application headers; names are non-blank
 * @since 0.1.0
 */
// The array component is copied in and out, and equals/hashCode/toString are written for it.
@SuppressWarnings("ArrayRecordComponent")
public record OutboxMessage(
    UUID id, String destination, @Nullable String key, byte[] payload, Map<String, String> headers) {

  /** The largest payload accepted: 256 KiB, the smallest limit among the supported brokers (Amazon SQS). */
  public static final int MAX_PAYLOAD_BYTES = 256 * 1024;

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException naming the field and its value when the destination is blank, the payload
   *     is too large, or a header name is blank
   */
  public OutboxMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(headers, "headers");
    if (destination.isBlank()) {
      throw new IllegalArgumentException("destination must not be blank, was '" + destination + "'");
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "payload must be at most " + MAX_PAYLOAD_BYTES + " bytes, was " + payload.length + " bytes");
    }
    for (String name : headers.keySet()) {
      if (name.isBlank()) {
        throw new IllegalArgumentException("header names must not be blank, was '" + name + "'");
      }
    }
    payload = payload.clone();
    headers = Map.copyOf(headers);
  }

  /** A new message with a fresh time-ordered id (UUIDv7) and no key or headers. */
  public static OutboxMessage of(String destination, byte[] payload) {
    return new OutboxMessage(Uuid7.next(), destination, null, payload, Map.of());
  }

  /** A new message with a fresh time-ordered id (UUIDv7), the ordering key {@code key}, and no headers. */
  public static OutboxMessage of(String destination, @Nullable String key, byte[] payload) {
    return new OutboxMessage(Uuid7.next(), destination, key, payload, Map.of());
  }

  /** A builder for a message to {@code destination}, with a fresh time-ordered id (UUIDv7) unless one is set. */
  public static Builder builder(String destination) {
    return new Builder(destination);
  }

  /**
   * Builds an {@link OutboxMessage}; not thread-safe. {@link #build()} validates, as the constructor does.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final String destination;
    private @Nullable UUID id;
    private @Nullable String key;
    private byte[] payload = new byte[0];
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Builder(String destination) {
      this.destination = Objects.requireNonNull(destination, "destination");
    }

    /** The id; default a fresh UUIDv7. Set it to make enqueueing idempotent under a caller's own id. */
    public Builder id(UUID id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** The ordering key; default none. */
    public Builder key(@Nullable String key) {
      this.key = key;
      return this;
    }

    /** The body; default empty. */
    public Builder payload(byte[] payload) {
      this.payload = Objects.requireNonNull(payload, "payload");
      return this;
    }

    /** The body as UTF-8 text. */
    public Builder payload(String text) {
      this.payload = text.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /** Adds or replaces a header. */
    public Builder header(String name, String value) {
      headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The message. */
    public OutboxMessage build() {
      return new OutboxMessage(id != null ? id : Uuid7.next(), destination, key, payload, headers);
    }
  }

  /** A copy of the body. */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof OutboxMessage that
        && id.equals(that.id)
        && destination.equals(that.destination)
        && Objects.equals(key, that.key)
        && Arrays.equals(payload, that.payload)
        && headers.equals(that.headers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, destination, key, Arrays.hashCode(payload), headers);
  }

  @Override
  public String toString() {
    // Never the payload: it may hold personal data or secrets, and toString ends up in logs.
    return "OutboxMessage[id=" + id + ", destination=" + destination + ", key=" + key + ", payload="
        + payload.length + " bytes, headers=" + headers.keySet() + "]";
  }
}
