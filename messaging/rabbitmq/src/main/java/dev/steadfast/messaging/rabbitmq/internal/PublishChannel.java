package dev.steadfast.messaging.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.rabbitmq.RabbitMqPublishException;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publishing channel in confirm mode, shared by the batches the publisher assigns to it; thread-safe.
 *
 * <p>Design: a batch is written under {@link #lock}, so that reading the next sequence number, tracking it and
 * writing the message happen in the channel's own order (a {@link ReentrantLock}, since a write may block on TCP or
 * on the broker's flow control). Confirms, returns and the shutdown signal arrive on the client's I/O thread and
 * only touch the lock-free {@link ConfirmTracker}. amqp-client recovers the channel with its connection; a channel
 * closed by a channel error (a missing exchange: 404) is not recovered, so the next batch opens a new one.
 */
final class PublishChannel implements ConfirmListener, ReturnListener, ShutdownListener {

  private static final Logger LOG = LoggerFactory.getLogger(PublishChannel.class);

  private final ConnectionHolder connections;
  private final RouteCache routes;
  private final PublisherMeters meters;
  private final ReentrantLock lock = new ReentrantLock();
  // @GuardedBy("lock")
  private @Nullable Channel channel;
  private volatile ConfirmTracker tracker;
  private volatile boolean closed;

  PublishChannel(ConnectionHolder connections, RouteCache routes, PublisherMeters meters) {
    this.connections = connections;
    this.routes = routes;
    this.meters = meters;
    this.tracker = new ConfirmTracker(meters);
  }

  /** Writes the batch's unsettled messages; failures to write fail the rest of the batch at once. */
  void publish(PublishBatch batch) {
    lock.lock();
    try {
      if (batch.isDone()) {
        return; // timed out while queued
      }
      Channel current;
      try {
        current = openChannel();
      } catch (IOException | RuntimeException e) {
        meters.failed.increment(batch.failFrom(0, notPublished(e)));
        return;
      }
      ConfirmTracker currentTracker = tracker;
      for (int i = 0; i < batch.size(); i++) {
        if (batch.isSettled(i)) {
          continue;
        }
        OutboxMessage message = batch.messages.get(i);
        Route route;
        try {
          route = routes.route(message.destination());
        } catch (IllegalArgumentException badDestination) {
          meters.failed.increment(batch.failFrom(i, notPublished(badDestination)));
          return;
        }
        AMQP.BasicProperties properties = AmqpMessages.properties(message);
        String messageId = properties.getMessageId();
        PendingConfirm confirm =
            new PendingConfirm(batch, i, current.getNextPublishSeqNo(), messageId, meters.now(), currentTracker);
        batch.track(i, confirm);
        if (!currentTracker.register(confirm)) {
          Throwable death = currentTracker.death();
          meters.failed.increment(
              batch.failFrom(i, death != null ? death : notPublished(new IOException("the channel closed"))));
          return;
        }
        try {
          current.basicPublish(route.exchange(), route.routingKey(), true, properties, message.payload());
        } catch (IOException | RuntimeException e) {
          currentTracker.remove(confirm);
          meters.failed.increment(batch.failFrom(i, notPublished(e)));
          return;
        }
        meters.published.increment();
      }
    } finally {
      lock.unlock();
    }
  }

  // @GuardedBy("lock")
  private Channel openChannel() throws IOException {
    if (closed) {
      throw new IllegalStateException("the publisher is closed");
    }
    Channel current = channel;
    if (current != null && current.isOpen()) {
      return current;
    }
    Connection connection = connections.get();
    if (current != null) {
      ShutdownSignalException reason = current.getCloseReason();
      if (!connection.isOpen() || reason == null || reason.isHardError()) {
        // The connection is down or being recovered, and the channel with it: the client does not buffer.
        throw new IOException("the connection to RabbitMQ is down or recovering");
      }
      LOG.debug("replacing a publishing channel closed by a channel error: {}", reason.getMessage());
    }
    Channel created = connection.createChannel();
    if (created == null) {
      throw new IOException("the connection has no free channel");
    }
    created.confirmSelect();
    created.addConfirmListener(this);
    created.addReturnListener(this);
    tracker = new ConfirmTracker(meters);
    created.addShutdownListener(this);
    channel = created;
    return created;
  }

  @Override
  public void handleAck(long deliveryTag, boolean multiple) {
    tracker.confirm(deliveryTag, multiple, true);
  }

  @Override
  public void handleNack(long deliveryTag, boolean multiple) {
    tracker.confirm(deliveryTag, multiple, false);
  }

  @Override
  public void handleReturn(
      int replyCode,
      String replyText,
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body) {
    tracker.returned(properties.getMessageId(), replyCode, replyText);
  }

  @Override
  public void shutdownCompleted(ShutdownSignalException cause) {
    ConfirmTracker dead = tracker;
    tracker = new ConfirmTracker(meters);
    RabbitMqPublishException failure =
        closed
            ? new RabbitMqPublishException(
                RabbitMqPublishException.Reason.CLOSED, "the publisher closed before the confirm", null)
            : new RabbitMqPublishException(
                RabbitMqPublishException.Reason.CONNECTION_LOST,
                "the channel closed before the confirm: " + cause.getMessage(),
                null);
    dead.kill(failure);
  }

  /** Closes the channel; messages waiting for their confirm fail. */
  void close() {
    closed = true;
    lock.lock();
    try {
      Channel current = channel;
      channel = null;
      if (current != null && current.isOpen()) {
        try {
          current.close();
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
          LOG.debug("closing a publishing channel failed", e);
        }
      }
    } finally {
      lock.unlock();
    }
    tracker.kill(
        new RabbitMqPublishException(
            RabbitMqPublishException.Reason.CLOSED, "the publisher closed before the confirm", null));
  }

  private static RabbitMqPublishException notPublished(Exception cause) {
    if (cause instanceof IllegalStateException closedCause) {
      return new RabbitMqPublishException(RabbitMqPublishException.Reason.CLOSED, String.valueOf(closedCause.getMessage()), null);
    }
    return new RabbitMqPublishException(
        RabbitMqPublishException.Reason.NOT_PUBLISHED, String.valueOf(cause.getMessage()), cause);
  }
}
