package dev.steadfast.messaging.outbox.spi;

import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What became of one published message: confirmed by the broker, or failed with the cause. Immutable.
 *
 * @param messageId the {@link dev.steadfast.messaging.outbox.OutboxMessage#id() id} of the message
 * @param failure why the message is not confirmed, or null when it is
 * @since 0.1.0
 */
public record PublishOutcome(UUID messageId, @Nullable Throwable failure) {

  /** Checks that {@code messageId} is not null. */
  public PublishOutcome {
    Objects.requireNonNull(messageId, "messageId");
  }

  /** The broker confirmed that it holds message {@code messageId}. */
  public static PublishOutcome confirmed(UUID messageId) {
    return new PublishOutcome(messageId, null);
  }

  /** Message {@code messageId} is not confirmed, because of {@code cause}; the broker may or may not have it. */
  public static PublishOutcome failed(UUID messageId, Throwable cause) {
    return new PublishOutcome(messageId, Objects.requireNonNull(cause, "cause"));
  }

  /** Whether the broker confirmed the message. */
  public boolean isConfirmed() {
    return failure == null;
  }
}
