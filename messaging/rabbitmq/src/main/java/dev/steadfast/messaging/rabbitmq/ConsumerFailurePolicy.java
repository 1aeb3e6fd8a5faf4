package dev.steadfast.messaging.rabbitmq;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a subscriber does with a delivery whose handler threw before settling it. Immutable.
 *
 * <ul>
 *   <li>{@link #requeue(Duration)}: reject it with requeue after a delay (the delivery keeps its prefetch slot
 *       meanwhile, which slows a failing consumer down instead of spinning);
 *   <li>{@link #deadLetterAfter(int, Duration)}: the same, until the message was delivered {@code maxDeliveries}
 *       times; then reject it without requeue, so that the queue's dead-letter exchange (see {@link
 *       RabbitMqTopology.Builder#deadLetterQueue(String, String)}) gets it, or the broker drops it.
 * </ul>
 *
 * <p>The delivery count comes from the broker: {@code x-delivery-count} on quorum queues counts every delivery;
 * classic queues only flag a redelivery, so there the count is at most 2, and {@code deadLetterAfter(n)} with
 * {@code n > 2} never dead-letters: use a quorum queue for that.
 *
 * @since 0.1.0
 */
public final class ConsumerFailurePolicy {

  private static final Duration MAX_DELAY = Duration.ofHours(1);

  private final int maxDeliveries;
  private final Duration requeueDelay;

  private ConsumerFailurePolicy(int maxDeliveries, Duration requeueDelay) {
    this.maxDeliveries = maxDeliveries;
    this.requeueDelay = requeueDelay;
  }

  /**
   * Requeues every failed delivery after {@code delay} ({@link Duration#ZERO} for at once).
   *
   * @throws IllegalArgumentException when the delay is negative or longer than an hour
   */
  public static ConsumerFailurePolicy requeue(Duration delay) {
    return new ConsumerFailurePolicy(0, checkDelay(delay));
  }

  /**
   * Requeues a failed delivery after {@code requeueDelay}, and rejects it without requeue (dead-letters it) once it
   * was delivered {@code maxDeliveries} times.
   *
   * @throws IllegalArgumentException when {@code maxDeliveries < 1}, or the delay is negative or longer than an hour
   */
  public static ConsumerFailurePolicy deadLetterAfter(int maxDeliveries, Duration requeueDelay) {
    if (maxDeliveries < 1) {
      throw new IllegalArgumentException("maxDeliveries must be >= 1, was " + maxDeliveries);
    }
    return new ConsumerFailurePolicy(maxDeliveries, checkDelay(requeueDelay));
  }

  /** How long a failed delivery is held before it is requeued. */
  public Duration requeueDelay() {
    return requeueDelay;
  }

  /** After how many deliveries a failed message is dead-lettered; 0 for never. */
  public int maxDeliveries() {
    return maxDeliveries;
  }

  /** Whether a failed delivery that was delivered {@code deliveryCount} times is dead-lettered. */
  public boolean deadLetters(int deliveryCount) {
    return maxDeliveries > 0 && deliveryCount >= maxDeliveries;
  }

  private static Duration checkDelay(Duration delay) {
    Objects.requireNonNull(delay, "requeueDelay");
    if (delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
      throw new IllegalArgumentException("requeueDelay must be in 0..PT1H, was " + delay);
    }
    return delay;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof ConsumerFailurePolicy that
        && maxDeliveries == that.maxDeliveries
        && requeueDelay.equals(that.requeueDelay);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxDeliveries, requeueDelay);
  }

  @Override
  public String toString() {
    return maxDeliveries == 0
        ? "requeue(" + requeueDelay + ")"
        : "deadLetterAfter(" + maxDeliveries + ", " + requeueDelay + ")";
  }
}
