package dev.steadfast.messaging.rabbitmq;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a message was not confirmed: the {@link dev.steadfast.messaging.outbox.spi.PublishOutcome#failure() failure} of a failed outcome of the RabbitMQ
 * publisher. Every reason is retryable: the relay publishes the message again (the broker may have it already, and
 * then delivers it twice).
 *
 * @since 0.1.0
 */
public final class RabbitMqPublishException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Reason {
    /** The broker refused the message (basic.nack). */
    NACKED,
    /** The broker returned the mandatory message as unroutable (no queue bound), before acking it. */
    RETURNED,
    /** No confirm came within the confirm timeout. */
    CONFIRM_TIMEOUT,
    /** The channel or connection closed (or is recovering) before the confirm came. */
    CONNECTION_LOST,
    /** The message could not be written: no connection, a recovering connection, or a bad destination. */
    NOT_PUBLISHED,
    /** The adapter is closed. */
    CLOSED
  }

  private final Reason reason;

  /** A failure for {@code reason}, described by {@code message}, with an optional cause. */
  public RabbitMqPublishException(Reason reason, String message, @Nullable Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** What went wrong. */
  public Reason reason() {
    return reason;
  }
}
