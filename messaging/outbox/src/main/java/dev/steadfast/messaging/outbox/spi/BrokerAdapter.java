package dev.steadfast.messaging.outbox.spi;

/**
 * One broker (a RabbitMQ cluster, an SQS region and account) as the outbox relay and its consumers see it;
 * implementations are thread-safe, as one adapter is shared by the relay and every subscriber of a service.
 *
 * <p>A destination is a string whose meaning belongs to the adapter (a queue name, an exchange and routing key,
 * a queue URL). Messages are published to {@link dev.steadfast.messaging.outbox.OutboxMessage#destination()
 * their destination}, and {@link #subscriber(String)} receives what was published to the same string. A
 * confirmed message is kept until a subscriber acknowledges it, also while no subscriber runs; creating
 * destinations (declaring queues, bindings) is the adapter's or the deployment's job, not the caller's.
 *
 * <p>Closing the adapter closes its publisher and subscribers and releases its connections; deliveries not
 * acknowledged by then are delivered again later, to this service or another.
 *
 * @since 0.1.0
 */
public interface BrokerAdapter extends AutoCloseable {

  /** The publisher; the same thread-safe instance on every call. */
  MessagePublisher publisher();

  /**
   * A new subscriber to {@code destination}, not yet started. Several subscribers of one destination compete
   * for its messages: each message goes to one of them at a time.
   *
   * @throws IllegalArgumentException if the adapter cannot read {@code destination}, saying why
   */
  MessageSubscriber subscriber(String destination);

  /**
   * Whether messages with the same {@link dev.steadfast.messaging.outbox.OutboxMessage#key() key} and
   * destination are first delivered in the order they were confirmed, one at a time: the handler is not called
   * for a key's next message before its call for the previous one returned. Redeliveries may come out of order
   * in any case. A fixed property of the adapter and its configuration (a RabbitMQ queue with one consumer,
   * an SQS FIFO queue: true; an SQS standard queue: false).
   */
  boolean preservesOrderPerKey();

  /** Closes the publisher and subscribers and releases connections; idempotent. */
  @Override
  void close();
}
