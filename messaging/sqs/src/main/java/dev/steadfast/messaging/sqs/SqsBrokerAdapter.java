package dev.steadfast.messaging.sqs;

import dev.steadfast.messaging.outbox.spi.BrokerAdapter;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.sqs.internal.QueueDirectory;
import dev.steadfast.messaging.sqs.internal.QueueInfo;
import dev.steadfast.messaging.sqs.internal.SqsMeters;
import dev.steadfast.messaging.sqs.internal.SqsPublisher;
import dev.steadfast.messaging.sqs.internal.SqsSubscriber;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Amazon SQS as a thread-safe {@link BrokerAdapter}: a destination is a queue URL or a queue name (resolved with
 * {@code GetQueueUrl} and cached), the publisher sends {@code SendMessageBatch} requests within the queue's size
 * limit and reports each entry's outcome, and subscribers long-poll, extend the visibility of messages being
 * handled, and delete acknowledged ones in batches. {@code docs/sqs.md} has the details.
 *
 * <pre>{@code
 * SqsBrokerAdapter sqs = SqsBrokerAdapter.builder(sqsAsyncClient).meterRegistry(meters).build();
 * }</pre>
 *
 * <p>The {@link SqsAsyncClient} is the caller's: the adapter never closes it, and it must outlive the adapter.
 *
 * @since 0.1.0
 */
public final class SqsBrokerAdapter implements BrokerAdapter {

  private final SqsAsyncClient client;
  private final SqsAdapterConfig config;
  private final QueueDirectory directory;
  private final SqsMeters meters;
  private final SqsPublisher publisher;
  private final ExecutorService handlers;
  private final boolean ownsHandlers;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Set<SqsSubscriber> subscribers = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private SqsBrokerAdapter(Builder builder) {
    this.client = builder.client;
    this.config = builder.config;
    this.directory = new QueueDirectory(client, config.queueAttributesTtl(), System::nanoTime);
    this.meters = new SqsMeters(builder.meterRegistry);
    this.publisher = new SqsPublisher(client, directory, config, meters, System::nanoTime);
    ExecutorService givenHandlers = builder.handlerExecutor;
    this.ownsHandlers = givenHandlers == null;
    this.handlers = givenHandlers != null
        ? givenHandlers
        : Executors.newFixedThreadPool(builder.handlerThreads, daemonThreads("steadfast-sqs-handler-"));
    ScheduledExecutorService givenScheduler = builder.scheduler;
    this.ownsScheduler = givenScheduler == null;
    if (givenScheduler != null) {
      this.scheduler = givenScheduler;
    } else {
      ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, daemonThreads("steadfast-sqs-timer-"));
      own.setRemoveOnCancelPolicy(true);
      this.scheduler = own;
    }
  }

  /** A builder for an adapter on {@code client}, which the caller keeps owning. */
  public static Builder builder(SqsAsyncClient client) {
    return new Builder(client);
  }

  /** The adapter's settings. */
  public SqsAdapterConfig config() {
    return config;
  }

  @Override
  public MessagePublisher publisher() {
    return publisher;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Deliveries carry {@code destination} as their message's destination, exactly as given here.
   *
   * @throws IllegalArgumentException if {@code destination} is blank, or this adapter is for {@link
   *     SqsAdapterConfig#fifoQueues() FIFO queues} and the queue name does not end in {@code .fifo}
   * @throws IllegalStateException if the adapter is closed
   */
  @Override
  public MessageSubscriber subscriber(String destination) {
    Objects.requireNonNull(destination, "destination");
    if (destination.isBlank()) {
      throw new IllegalArgumentException("destination must not be blank, was '" + destination + "'");
    }
    String name = QueueDirectory.isUrl(destination) ? QueueInfo.nameOf(destination) : destination;
    if (config.fifoQueues() && !name.endsWith(".fifo")) {
      throw new IllegalArgumentException(
          "destination must be a FIFO queue (name ending in .fifo) for an adapter with fifoQueues, was '"
              + destination + "'");
    }
    if (closed.get()) {
      throw new IllegalStateException("the SQS adapter is closed");
    }
    SqsSubscriber subscriber = new SqsSubscriber(client, directory, destination, config, meters, handlers, scheduler,
        subscribers::remove);
    subscribers.add(subscriber);
    return subscriber;
  }

  /** True when the adapter is for {@link SqsAdapterConfig#fifoQueues() FIFO queues}, false otherwise. */
  @Override
  public boolean preservesOrderPerKey() {
    return config.fifoQueues();
  }

  /**
   * Refuses later publishes, closes every subscriber (their unsettled deliveries go back to the queue), and stops
   * the threads the adapter created; does not close the client. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    publisher.close();
    for (SqsSubscriber subscriber : List.copyOf(subscribers)) {
      subscriber.close();
    }
    if (ownsHandlers) {
      handlers.shutdown();
    }
    if (ownsScheduler) {
      scheduler.shutdown();
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger number = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Builds an {@link SqsBrokerAdapter}. Not thread-safe; each setter checks its argument and throws naming the
   * setting and the value.
   */
  public static final class Builder {
    private final SqsAsyncClient client;
    private SqsAdapterConfig config = SqsAdapterConfig.defaults();
    private MeterRegistry meterRegistry = new CompositeMeterRegistry();
    private @Nullable ExecutorService handlerExecutor;
    private @Nullable ScheduledExecutorService scheduler;
    private int handlerThreads = 16;

    private Builder(SqsAsyncClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** The settings; default {@link SqsAdapterConfig#defaults()}. */
    public Builder config(SqsAdapterConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Where the adapter's meters go; default none (a registry nobody reads). */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Where handlers run; the caller keeps owning it (the adapter does not shut it down). Default: a pool of
     * {@link #handlerThreads(int)} daemon threads that the adapter creates and stops.
     */
    public Builder handlerExecutor(ExecutorService handlerExecutor) {
      this.handlerExecutor = Objects.requireNonNull(handlerExecutor, "handlerExecutor");
      return this;
    }

    /** The size of the default handler pool; at least 1, default 16. */
    public Builder handlerThreads(int handlerThreads) {
      if (handlerThreads < 1) {
        throw new IllegalArgumentException("handlerThreads must be >= 1, was " + handlerThreads);
      }
      this.handlerThreads = handlerThreads;
      return this;
    }

    /**
     * The scheduler for visibility heartbeats and receive retries; the caller keeps owning it. Default: one
     * daemon thread that the adapter creates and stops.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** An adapter with these settings; the builder can build again. */
    public SqsBrokerAdapter build() {
      return new SqsBrokerAdapter(this);
    }
  }
}
