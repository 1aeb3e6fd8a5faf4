package dev.steadfast.messaging.outbox.spi;

/**
 * Receives the messages of one destination and hands each to a {@link MessageHandler}; implementations are
 * thread-safe, and {@link #close()} may be called from any thread, also from within the handler.
 *
 * @since 0.1.0
 */
public interface MessageSubscriber extends AutoCloseable {

  /** The destination this subscriber reads. */
  String destination();

  /**
   * Starts handing deliveries to {@code handler}, on the adapter's threads; returns without waiting for the
   * first delivery.
   *
   * <p>What the handler may rely on, and what it must do:
   *
   * <ul>
   *   <li>Every delivery is settled once: {@link Delivery#ack()} when the message is processed, or {@link
   *       Delivery#reject(boolean)}. It may settle after returning, from another thread.
   *   <li>If the handler throws before settling, the delivery is rejected with requeue: the message comes back.
   *   <li>A delivery not settled when the subscriber closes (or its connection is lost) comes back later, to
   *       this destination's next subscriber.
   *   <li>The handler may be called from several threads at once (except for messages with the same key, where
   *       the adapter {@link BrokerAdapter#preservesOrderPerKey() preserves order}), so it must be thread-safe.
   * </ul>
   *
   * @throws IllegalStateException if this subscriber was started before or is closed
   */
  void start(MessageHandler handler);

  /**
   * Stops handing out deliveries and returns those not yet settled to the broker, which delivers them again;
   * waits for handler calls in progress only as long as the adapter documents. Idempotent.
   */
  @Override
  void close();
}
