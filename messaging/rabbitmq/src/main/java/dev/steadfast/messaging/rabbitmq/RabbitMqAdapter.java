package dev.steadfast.messaging.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.steadfast.messaging.outbox.spi.BrokerAdapter;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.rabbitmq.internal.ConfirmingPublisher;
import dev.steadfast.messaging.rabbitmq.internal.ConnectionHolder;
import dev.steadfast.messaging.rabbitmq.internal.ConsumerMeters;
import dev.steadfast.messaging.rabbitmq.internal.PublisherMeters;
import dev.steadfast.messaging.rabbitmq.internal.QueueSubscriber;
import dev.steadfast.messaging.rabbitmq.internal.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The outbox's {@link BrokerAdapter} for RabbitMQ (AMQP 0-9-1 with amqp-client 5); thread-safe, one per broker
 * (cluster) and service.
 *
 * <p>Destinations: {@code "queue"} publishes to that queue through the default exchange; {@code
 * "exchange/routingKey"} to an exchange with a routing key (split at the first {@code /}); {@code "/queue/with/slash"}
 * to a queue whose name contains {@code /}. Subscribers read queues, so {@link #subscriber(String)} takes a queue
 * name ({@code "queue"} or {@code "/queue"}); a delivery's {@code destination} is the exchange and routing key it was
 * published with, in the same notation.
 *
 * <p>Publishing: every batch is written on one channel in confirm mode, persistent, {@code mandatory}, with the
 * outbox id as {@code message-id}, the headers as AMQP headers and the key in {@code x-steadfast-key}. A message is
 * confirmed only by its broker ack; a nack, a return (unroutable), a confirm timeout, a lost channel or connection
 * fail it with a {@link RabbitMqPublishException}. While the connection recovers, batches fail at once.
 *
 * <p>Consuming: manual acks sent by the handler ({@code Delivery.ack()}), a bounded prefetch, one delivery at a
 * time per consumer channel, a {@link ConsumerFailurePolicy} when the handler throws, recovery with the connection,
 * and a draining {@code close()}. The publisher and the subscribers use two connections, opened on first use.
 *
 * <p>{@code docs/rabbitmq.md} is the guide: meters, recovery, failover, declarations.
 *
 * @since 0.1.0
 */
public final class RabbitMqAdapter implements BrokerAdapter {

  private static final int CLOSE_TIMEOUT_MILLIS = 5_000;

  private final RabbitMqConfig config;
  private final ConnectionHolder publisherConnection;
  private final ConnectionHolder consumerConnection;
  private final ConfirmingPublisher publisher;
  private final @Nullable ExecutorService ownExecutor;
  private final @Nullable ScheduledExecutorService ownScheduler;
  private final ScheduledExecutorService scheduler;
  private final Set<MessageSubscriber> subscribers = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private RabbitMqAdapter(RabbitMqConfig config) {
    this.config = config;
    ConnectionFactory factory = config.newConnectionFactory();
    var addresses = config.effectiveAddresses(factory);
    ExecutorService executor = config.executor();
    if (executor == null) {
      executor = Executors.newCachedThreadPool(daemonThreads("steadfast-rabbitmq-publish-" + config.name()));
      ownExecutor = executor;
    } else {
      ownExecutor = null;
    }
    ScheduledExecutorService configuredScheduler = config.scheduler();
    if (configuredScheduler == null) {
      ScheduledThreadPoolExecutor own =
          new ScheduledThreadPoolExecutor(1, daemonThreads("steadfast-rabbitmq-timer-" + config.name()));
      own.setRemoveOnCancelPolicy(true);
      ownScheduler = own;
      scheduler = own;
    } else {
      ownScheduler = null;
      scheduler = configuredScheduler;
    }
    publisherConnection =
        new ConnectionHolder(factory, addresses, "steadfast-" + config.name() + "-publisher", null);
    consumerConnection =
        new ConnectionHolder(factory, addresses, "steadfast-" + config.name() + "-consumer", null);
    publisher =
        new ConfirmingPublisher(
            publisherConnection,
            config.publisherChannels(),
            executor,
            scheduler,
            config.confirmTimeout(),
            new PublisherMeters(config.meterRegistry(), config.name()));
  }

  /** An adapter with {@code config}; connections open on first use. */
  public static RabbitMqAdapter create(RabbitMqConfig config) {
    return new RabbitMqAdapter(Objects.requireNonNull(config, "config"));
  }

  /** A builder of settings, for {@link #create(RabbitMqConfig)}; or use {@code RabbitMqConfig.builder()}. */
  public static RabbitMqConfig.Builder builder() {
    return RabbitMqConfig.builder();
  }

  /** The destination string of {@code exchange} and {@code routingKey} ({@code ""} for the default exchange). */
  public static String destination(String exchange, String routingKey) {
    return Route.format(Objects.requireNonNull(exchange, "exchange"), Objects.requireNonNull(routingKey, "routingKey"));
  }

  /** The settings. */
  public RabbitMqConfig config() {
    return config;
  }

  @Override
  public MessagePublisher publisher() {
    return publisher;
  }

  /**
   * A new subscriber of the queue {@code destination}.
   *
   * @throws IllegalArgumentException when {@code destination} names an exchange and routing key, not a queue
   * @throws IllegalStateException when the adapter is closed
   */
  @Override
  public MessageSubscriber subscriber(String destination) {
    Objects.requireNonNull(destination, "destination");
    if (closed.get()) {
      throw new IllegalStateException("the RabbitMQ adapter is closed");
    }
    QueueSubscriber[] self = new QueueSubscriber[1];
    QueueSubscriber subscriber =
        new QueueSubscriber(
            destination,
            consumerConnection,
            scheduler,
            new ConsumerMeters(config.meterRegistry(), config.name(), Route.parse(destination).routingKey()),
            config.failurePolicy(),
            config.prefetch(),
            config.consumerConcurrency(),
            config.recoveryInterval(),
            config.drainTimeout(),
            () -> {
              QueueSubscriber me = self[0];
              if (me != null) {
                subscribers.remove(me);
              }
            });
    self[0] = subscriber;
    subscribers.add(subscriber);
    return subscriber;
  }

  /**
   * True when one consumer channel handles a queue's deliveries ({@code consumerConcurrency} 1) and one channel
   * publishes ({@code publisherChannels} 1): a queue then delivers in publish order. It holds per subscriber; two
   * subscribers of one queue compete and may handle one key's messages at the same time.
   */
  @Override
  public boolean preservesOrderPerKey() {
    return config.consumerConcurrency() == 1 && config.publisherChannels() == 1;
  }

  /**
   * Declares {@code topology} on a channel of its own, and waits for the broker.
   *
   * @throws UncheckedIOException when the broker cannot be reached or refuses a declaration
   */
  public void declare(RabbitMqTopology topology) {
    Objects.requireNonNull(topology, "topology");
    // A connection of its own without recovery: a recovering connection would record the declarations and
    // replay them on the closed channel after every reconnect.
    ConnectionFactory factory = config.newConnectionFactory();
    factory.setAutomaticRecoveryEnabled(false);
    factory.setTopologyRecoveryEnabled(false);
    try (Connection connection =
        factory.newConnection(config.effectiveAddresses(factory), "steadfast-" + config.name() + "-declare")) {
      Channel channel = connection.createChannel();
      if (channel == null) {
        throw new IOException("the connection has no free channel");
      }
      topology.declareOn(channel);
    } catch (IOException e) {
      Throwable reason = e.getMessage() == null && e.getCause() != null ? e.getCause() : e;
      throw new UncheckedIOException("declaring the RabbitMQ topology failed: " + reason.getMessage(), e);
    } catch (TimeoutException e) {
      throw new UncheckedIOException("declaring the RabbitMQ topology timed out", new IOException(e));
    }
  }

  /**
   * Closes the subscribers (each drains up to the drain timeout), the publisher (messages still waiting for their
   * confirm fail), the connections, and the executors the adapter made; idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (MessageSubscriber subscriber : Set.copyOf(subscribers)) {
      subscriber.close();
    }
    publisher.close();
    consumerConnection.close(CLOSE_TIMEOUT_MILLIS);
    publisherConnection.close(CLOSE_TIMEOUT_MILLIS);
    if (ownScheduler != null) {
      ownScheduler.shutdownNow();
    }
    if (ownExecutor != null) {
      ownExecutor.shutdown();
    }
  }

  @Override
  public String toString() {
    return "RabbitMqAdapter[" + config + "]";
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger number = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
