package dev.steadfast.messaging.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.Delivery;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery from a consumer channel, settled once (from any thread: channel methods are thread-safe);
 * thread-safe. An ack or reject that cannot be sent (the channel is gone) is dropped: the broker delivers the
 * message again, which is at least once.
 */
final class RabbitDelivery implements Delivery {

  private static final Logger LOG = LoggerFactory.getLogger(RabbitDelivery.class);

  private final Channel channel;
  private final long deliveryTag;
  private final OutboxMessage message;
  private final int deliveryCount;
  private final ConsumerMeters meters;
  private final QueueSubscriber subscriber;
  private final AtomicBoolean settled = new AtomicBoolean();

  RabbitDelivery(
      Channel channel,
      long deliveryTag,
      OutboxMessage message,
      int deliveryCount,
      ConsumerMeters meters,
      QueueSubscriber subscriber) {
    this.channel = channel;
    this.deliveryTag = deliveryTag;
    this.message = message;
    this.deliveryCount = deliveryCount;
    this.meters = meters;
    this.subscriber = subscriber;
  }

  @Override
  public OutboxMessage message() {
    return message;
  }

  @Override
  public int deliveryCount() {
    return deliveryCount;
  }

  Channel channel() {
    return channel;
  }

  boolean isSettled() {
    return settled.get();
  }

  @Override
  public void ack() {
    settleOnce();
    try {
      channel.basicAck(deliveryTag, false);
      meters.acked.increment();
    } catch (IOException | RuntimeException lost) {
      LOG.debug("the ack of message {} was lost with its channel; it comes again", message.id(), lost);
    } finally {
      subscriber.settledOne(this);
    }
  }

  @Override
  public void reject(boolean requeue) {
    settleOnce();
    send(requeue);
  }

  /** Rejects unless settled meanwhile (the failure policy, after a delay). */
  void rejectIfUnsettled(boolean requeue) {
    if (settled.compareAndSet(false, true)) {
      send(requeue);
    }
  }

  private void send(boolean requeue) {
    if (rejectQuietly(channel, deliveryTag, requeue)) {
      (requeue ? meters.requeued : meters.rejected).increment();
    }
    subscriber.settledOne(this);
  }

  private void settleOnce() {
    if (!settled.compareAndSet(false, true)) {
      throw new IllegalStateException("message " + message.id() + " is already settled");
    }
  }

  static boolean rejectQuietly(Channel channel, long deliveryTag, boolean requeue) {
    try {
      channel.basicReject(deliveryTag, requeue);
      return true;
    } catch (IOException | RuntimeException lost) {
      LOG.debug("a reject was lost with its channel; the message comes again", lost);
      return false;
    }
  }

  @Override
  public String toString() {
    return "RabbitDelivery[" + message + ", deliveryCount=" + deliveryCount + "]";
  }
}
