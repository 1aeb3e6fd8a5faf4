package dev.steadfast.messaging.outbox.spi;

import dev.steadfast.messaging.outbox.OutboxMessage;

/**
 * One delivery of a message to a subscriber, to be settled once; implementations are thread-safe, as a delivery
 * may be settled from another thread than the one that received it.
 *
 * <p>The {@link #message()} carries the id, destination, key, payload and headers as published. Every delivery
 * of a message (a redelivery, or a duplicate of a message published twice) carries the same id, so that a
 * consumer's inbox can recognise it.
 *
 * @since 0.1.0
 */
public interface Delivery {

  /** The message, as published. */
  OutboxMessage message();

  /**
   * How often this message was delivered, this delivery included, as far as the broker knows: 1 for the first
   * delivery, at least 2 for a redelivery. Brokers that only flag redeliveries (RabbitMQ classic queues) report
   * 2 for every redelivery; a duplicate published separately counts from 1 again.
   */
  int deliveryCount();

  /**
   * The message is processed: the broker may forget it. An acknowledgement can be lost with the connection, so
   * the message may still come again (that is at least once; deduplicate by id).
   *
   * @throws IllegalStateException if this delivery is already settled
   */
  void ack();

  /**
   * The message was not processed: with {@code requeue}, the broker delivers it again; without, it drops it or
   * moves it to a dead-letter destination, as the broker is configured.
   *
   * @throws IllegalStateException if this delivery is already settled
   */
  void reject(boolean requeue);
}
