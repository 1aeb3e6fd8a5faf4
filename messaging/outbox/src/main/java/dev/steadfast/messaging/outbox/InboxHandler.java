package dev.steadfast.messaging.outbox;

import java.sql.Connection;

/**
 * A consumer's processing of one message, run by {@link Inbox#handler(String, InboxHandler)} inside the
 * transaction that also records the message as processed.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface InboxHandler {

  /**
   * Applies {@code message}'s effects through {@code connection}, in the inbox's transaction; do not commit or
   * roll back, and do not close the connection.
   *
   * @throws Exception to roll the transaction back; the delivery is then rejected and the message comes again
   */
  void handle(Connection connection, OutboxMessage message) throws Exception;
}
