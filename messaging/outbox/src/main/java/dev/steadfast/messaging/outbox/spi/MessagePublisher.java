package dev.steadfast.messaging.outbox.spi;

import dev.steadfast.messaging.outbox.OutboxMessage;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Publishes messages with broker confirmation; implementations are thread-safe and may be called concurrently.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface MessagePublisher {

  /**
   * Publishes {@code messages}, each to its own destination, and reports for each whether the broker confirmed
   * it. Never blocks for the broker: the answer comes through the returned stage.
   *
   * <p>What a caller may rely on:
   *
   * <ul>
   *   <li>The stage completes with exactly one {@link PublishOutcome} per message, in the order of {@code
   *       messages}, each naming its message's id.
   *   <li>An outcome is {@link PublishOutcome#isConfirmed() confirmed} only when the broker confirmed that it
   *       holds the message (a RabbitMQ publisher confirm, a successful SQS send). A message whose confirm was
   *       lost, refused, or did not come in time is reported as failed, with the cause, never as sent, even
   *       though the broker may have it (and deliver it): the caller publishes it again, and the consumer sees
   *       a duplicate with the same id.
   *   <li>The stage completes in bounded time: the adapter times out confirms that do not come.
   *   <li>An empty list completes at once with an empty list. Any number of messages is accepted; the adapter
   *       splits them into the broker's batches.
   * </ul>
   *
   * <p>Adapters report broker failures as failed outcomes. A stage that completes exceptionally anyway (a bug,
   * a rejected argument) means that no message may be considered sent.
   */
  CompletionStage<List<PublishOutcome>> publish(List<OutboxMessage> messages);
}
