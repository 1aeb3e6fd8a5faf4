package dev.steadfast.messaging.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.MessageHandler;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.rabbitmq.ConsumerFailurePolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RabbitMQ {@link MessageSubscriber} of one queue: {@code consumerConcurrency} channels, each with a bounded
 * prefetch and one manual-ack consumer whose deliveries are handled one at a time on amqp-client's consumer
 * dispatch threads (never its I/O thread); thread-safe.
 *
 * <p>Design: amqp-client recovers the channels and re-registers the consumers after a connection loss; deliveries
 * of the lost channel are forgotten here (their acks would be stale: the client drops them, and the broker
 * redelivers). If the first subscription fails (no connection yet, the queue does not exist yet), it is retried
 * every recovery interval. {@link #close()} cancels the consumers, waits up to the drain timeout for the deliveries
 * being handled to settle, then closes the channels, which returns the unsettled ones to the broker.
 */
public final class QueueSubscriber implements MessageSubscriber {

  private static final Logger LOG = LoggerFactory.getLogger(QueueSubscriber.class);
  private static final ThreadLocal<QueueSubscriber> HANDLING = new ThreadLocal<>();

  private final String destination;
  private final String queue;
  private final ConnectionHolder connections;
  private final ScheduledExecutorService scheduler;
  private final ConsumerMeters meters;
  private final ConsumerFailurePolicy failurePolicy;
  private final int prefetch;
  private final int concurrency;
  private final Duration retryInterval;
  private final Duration drainTimeout;
  private final Runnable onClose;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition settled = lock.newCondition();
  // @GuardedBy("lock")
  private @Nullable MessageHandler handler;
  // @GuardedBy("lock")
  private boolean closed;
  // @GuardedBy("lock")
  private final List<Dispatcher> consumers = new ArrayList<>();
  // @GuardedBy("lock")
  private int handlerCalls;
  private final Set<RabbitDelivery> unsettled = ConcurrentHashMap.newKeySet();

  /** A subscriber of {@code destination} (a queue, see {@link Route}); not started. */
  public QueueSubscriber(
      String destination,
      ConnectionHolder connections,
      ScheduledExecutorService scheduler,
      ConsumerMeters meters,
      ConsumerFailurePolicy failurePolicy,
      int prefetch,
      int concurrency,
      Duration retryInterval,
      Duration drainTimeout,
      Runnable onClose) {
    Route route = Route.parse(destination);
    if (!route.isQueue()) {
      throw new IllegalArgumentException(
          "a subscriber reads a queue, so destination must be a queue name (or '/queue'), was '" + destination
              + "': subscribe to the queue bound to exchange '" + route.exchange() + "'");
    }
    this.destination = destination;
    this.queue = route.routingKey();
    this.connections = connections;
    this.scheduler = scheduler;
    this.meters = meters;
    this.failurePolicy = failurePolicy;
    this.prefetch = prefetch;
    this.concurrency = concurrency;
    this.retryInterval = retryInterval;
    this.drainTimeout = drainTimeout;
    this.onClose = onClose;
  }

  @Override
  public String destination() {
    return destination;
  }

  @Override
  public void start(MessageHandler handler) {
    Objects.requireNonNull(handler, "handler");
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the subscriber of " + destination + " is closed");
      }
      if (this.handler != null) {
        throw new IllegalStateException("the subscriber of " + destination + " was started before");
      }
      this.handler = handler;
    } finally {
      lock.unlock();
    }
    subscribe();
  }

  private void subscribe() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      Connection connection = connections.get();
      while (consumers.size() < concurrency) {
        Channel channel = connection.createChannel();
        if (channel == null) {
          throw new IOException("the connection has no free channel");
        }
        Dispatcher consumer = new Dispatcher(channel);
        try {
          channel.basicQos(prefetch);
          channel.basicConsume(queue, false, consumer);
        } catch (IOException | RuntimeException e) {
          closeQuietly(channel);
          throw e;
        }
        consumers.add(consumer);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalStateException && closed) {
        return;
      }
      LOG.warn("could not subscribe to queue {} ({}); trying again in {}", queue, e.toString(), retryInterval);
      try {
        var unused = scheduler.schedule(this::subscribe, retryInterval.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException shutDown) {
        LOG.debug("not retrying the subscription to {}: the scheduler is shut down", queue);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    List<Dispatcher> toClose;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      toClose = List.copyOf(consumers);
      consumers.clear();
    } finally {
      lock.unlock();
    }
    for (Dispatcher consumer : toClose) {
      consumer.cancel();
    }
    if (HANDLING.get() == this) {
      // Called from our own handler: it cannot wait for itself; drain and close on another thread.
      try {
        scheduler.execute(() -> drainAndClose(toClose));
      } catch (RejectedExecutionException shutDown) {
        toClose.forEach(consumer -> closeQuietly(consumer.getChannel()));
        onClose.run();
      }
    } else {
      drainAndClose(toClose);
    }
  }

  private void drainAndClose(List<Dispatcher> toClose) {
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    lock.lock();
    try {
      while (handlerCalls > 0 || !unsettled.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.info(
              "closing the subscriber of {} with {} handler calls running and {} deliveries unsettled after {};"
                  + " the broker delivers them again",
              queue, handlerCalls, unsettled.size(), drainTimeout);
          break;
        }
        settled.awaitNanos(left);
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    toClose.forEach(consumer -> closeQuietly(consumer.getChannel()));
    onClose.run();
  }

  private static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      LOG.debug("closing a consumer channel failed", e);
    }
  }

  void settledOne(RabbitDelivery delivery) {
    if (unsettled.remove(delivery)) {
      signal();
    }
  }

  private void signal() {
    lock.lock();
    try {
      settled.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The consumer of one channel; amqp-client calls it on a dispatch thread, one delivery at a time. */
  private final class Dispatcher extends DefaultConsumer {

    Dispatcher(Channel channel) {
      super(channel);
    }

    /** Stops deliveries to this consumer (those prefetched already are still handled). */
    void cancel() {
      String tag = getConsumerTag();
      try {
        if (tag != null && getChannel().isOpen()) {
          getChannel().basicCancel(tag);
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cancelling the consumer of {} failed", queue, e);
      }
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      Channel channel = getChannel();
      long tag = envelope.getDeliveryTag();
      OutboxMessage message;
      try {
        message = AmqpMessages.message(envelope, properties, body);
      } catch (IllegalArgumentException unreadable) {
        LOG.warn("rejecting a delivery from {} without requeue: {}", queue, unreadable.getMessage());
        meters.unreadable.increment();
        RabbitDelivery.rejectQuietly(channel, tag, false);
        return;
      }
      meters.consumed.increment();
      RabbitDelivery delivery =
          new RabbitDelivery(
              channel, tag, message, AmqpMessages.deliveryCount(envelope, properties), meters, QueueSubscriber.this);
      MessageHandler current;
      lock.lock();
      try {
        current = handler;
        handlerCalls++;
      } finally {
        lock.unlock();
      }
      unsettled.add(delivery);
      HANDLING.set(QueueSubscriber.this);
      try {
        if (current == null) {
          throw new IllegalStateException("no handler");
        }
        current.handle(delivery);
      } catch (Throwable failure) {
        // Not rethrown: amqp-client would close the channel. The failure policy settles the delivery.
        onFailure(delivery, failure);
        if (failure instanceof VirtualMachineError fatal) {
          throw fatal;
        }
      } finally {
        HANDLING.remove();
        lock.lock();
        try {
          handlerCalls--;
          settled.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }

    @Override
    public void handleShutdownSignal(String consumerTag, ShutdownSignalException signal) {
      // The channel is gone: forget its deliveries (their acks would be stale; the broker redelivers them).
      unsettled.removeIf(delivery -> delivery.channel() == getChannel());
      signal();
      if (!signal.isHardError() && !signal.isInitiatedByApplication()) {
        // A channel error (an ack of an unknown delivery tag, say): amqp-client recovers channels only with
        // their connection, so this consumer is replaced.
        LOG.warn("the consumer channel of queue {} closed ({}); subscribing again", queue, signal.getMessage());
        replace(this);
      }
    }

    @Override
    public void handleCancel(String consumerTag) {
      LOG.warn("the broker cancelled the consumer of queue {} (deleted?); subscribing again", queue);
      replace(this);
    }
  }

  private void replace(Dispatcher consumer) {
    lock.lock();
    try {
      if (closed || !consumers.remove(consumer)) {
        return;
      }
    } finally {
      lock.unlock();
    }
    try {
      // Not on this (the client's dispatch) thread: closing waits for the broker.
      var unused =
          scheduler.schedule(
              () -> {
                closeQuietly(consumer.getChannel());
                subscribe();
              },
              retryInterval.toNanos(),
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      LOG.debug("not subscribing to {} again: the scheduler is shut down", queue);
    }
  }

  private void onFailure(RabbitDelivery delivery, Throwable failure) {
    if (delivery.isSettled()) {
      LOG.debug("the handler of {} threw after settling message {}", queue, delivery.message().id(), failure);
      return;
    }
    if (failurePolicy.deadLetters(delivery.deliveryCount())) {
      LOG.warn(
          "dead-lettering message {} from {} after {} deliveries: the handler threw {}",
          delivery.message().id(), queue, delivery.deliveryCount(), failure.toString());
      delivery.rejectIfUnsettled(false);
      return;
    }
    LOG.debug("requeueing message {} from {} in {}: the handler threw", delivery.message().id(), queue,
        failurePolicy.requeueDelay(), failure);
    Duration delay = failurePolicy.requeueDelay();
    if (delay.isZero()) {
      delivery.rejectIfUnsettled(true);
      return;
    }
    // Held (it keeps its prefetch slot) until the delay is over; closing the channel meanwhile returns it too.
    unsettled.remove(delivery);
    signal();
    try {
      var unused = scheduler.schedule(() -> delivery.rejectIfUnsettled(true), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      delivery.rejectIfUnsettled(true);
    }
  }
}
