package dev.steadfast.messaging.outbox;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A message the relay stopped trying to publish: the broker refused it for good, or it ran out of attempts.
 * Immutable. {@link Outbox#replay(UUID)} sends it again; {@link Outbox#discard(UUID)} deletes it.
 *
 * @param id the message's id
 * @param destination where it was going
 * @param key its ordering key, or null
 * @param attempts how many publish attempts were made
 * @param parkedAt when it was parked
 * @param lastError the last failure, as recorded (the exception's class and message, at most 1000 characters)
 * @since 0.1.0
 */
public record ParkedMessage(
    UUID id, String destination, @Nullable String key, int attempts, Instant parkedAt, String lastError) {

  /** Checks that nothing but the key is null. */
  public ParkedMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(parkedAt, "parkedAt");
    Objects.requireNonNull(lastError, "lastError");
  }
}
