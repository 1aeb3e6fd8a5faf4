package dev.steadfast.messaging.outbox.spi;

/**
 * Processes one delivery; see {@link MessageSubscriber#start(MessageHandler)} for what it may rely on.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface MessageHandler {

  /**
   * Processes {@code delivery} and settles it, now or later.
   *
   * @throws Exception to have the delivery rejected with requeue, if it is not settled yet
   */
  void handle(Delivery delivery) throws Exception;
}
