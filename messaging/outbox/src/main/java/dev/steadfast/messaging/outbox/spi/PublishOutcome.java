package dev.steadfast.messaging.outbox.spi;

import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What became of one published message: confirmed by the broker, failed for now (publish it again later), or
 * refused for good (publishing it again cannot help, such as a message the broker rejects as too large).
 * Immutable.
 *
 * @param messageId the {@link dev.steadfast.messaging.outbox.OutboxMessage#id() id} of the message
 * @param failure why the message is not confirmed, or null when it is
 * @param permanent whether the failure is permanent; false when confirmed
 * @since 0.1.0
 */
public record PublishOutcome(UUID messageId, @Nullable Throwable failure, boolean permanent) {

  /**
   * Checks that {@code messageId} is not null and that only a failure is permanent.
   *
   * @throws IllegalArgumentException if {@code permanent} is true without a failure
   */
  public PublishOutcome {
    Objects.requireNonNull(messageId, "messageId");
    if (permanent && failure == null) {
      throw new IllegalArgumentException("permanent must be false for a confirmed message " + messageId);
    }
  }

  /** The broker confirmed that it holds message {@code messageId}. */
  public static PublishOutcome confirmed(UUID messageId) {
    return new PublishOutcome(messageId, null, false);
  }

  /**
   * Message {@code messageId} is not confirmed, because of {@code cause}; the broker may or may not have it, and
   * publishing it again may succeed (a lost connection, a nack, a timeout).
   */
  public static PublishOutcome failed(UUID messageId, Throwable cause) {
    return new PublishOutcome(messageId, Objects.requireNonNull(cause, "cause"), false);
  }

  /**
   * The broker refused message {@code messageId} for a reason that publishing it again cannot change (too large,
   * characters the broker does not accept); the outbox relay parks it instead of retrying.
   */
  public static PublishOutcome rejected(UUID messageId, Throwable cause) {
    return new PublishOutcome(messageId, Objects.requireNonNull(cause, "cause"), true);
  }

  /** Whether the broker confirmed the message. */
  public boolean isConfirmed() {
    return failure == null;
  }
}
