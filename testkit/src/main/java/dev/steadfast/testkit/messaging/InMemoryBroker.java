package dev.steadfast.testkit.messaging;

import dev.steadfast.core.spi.TimeSource;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.BrokerAdapter;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.testkit.messaging.internal.BrokerEngine;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A thread-safe, at-least-once message channel in memory, for unit tests of consumers and of code that
 * publishes: publish, subscribe, settle, inject faults and read the records from any thread.
 *
 * <p>It behaves as {@link BrokerAdapter} promises, with nothing left to chance unless you ask: every publish is
 * confirmed and kept until acknowledged; a delivery rejected with requeue, one whose handler threw, and one not
 * settled when its subscriber closed come back, with a higher {@link
 * dev.steadfast.messaging.outbox.spi.Delivery#deliveryCount() deliveryCount}, at their old place in the queue.
 * Several subscribers of one destination compete for its messages. Messages with the same key are handed out
 * in publish order, one handler call at a time, unless the builder says {@link
 * Builder#preservesOrderPerKey(boolean) otherwise}.
 *
 * <p>On demand it misbehaves as real brokers do: it fails publishes, loses confirms (the message is stored but
 * reported failed), duplicates messages, delays them (on its {@link TimeSource}, so {@code VirtualTime} drives
 * the delay), hands them out in a seeded random order, loses deliveries and acknowledgements, and drops
 * consumer connections. It records what was published, delivered, acknowledged and dead-lettered, and what
 * handlers threw.
 *
 * <pre>{@code
 * InMemoryBroker broker = InMemoryBroker.builder().executor(Runnable::run).build(); // handlers on this thread
 * broker.subscriber("orders").start(orderConsumer);
 * broker.duplicateDeliveries(1.0); // every message stored twice, as after a lost confirm
 * broker.publisher().publish(List.of(order));
 * assertThat(broker.acknowledgedCount(order.id())).isEqualTo(2); // both copies acknowledged
 * }</pre>
 *
 * <p>Handlers run on the builder's {@link Builder#executor(Executor) executor}: by default the broker's own
 * daemon threads (so wait with Awaitility), or, with {@code Runnable::run}, on the thread that publishes,
 * settles, starts a subscriber or advances time, so a test needs no waiting at all. A closed broker fails
 * publishes and stops its threads.
 *
 * @since 0.1.0
 */
public final class InMemoryBroker implements BrokerAdapter {

  private final BrokerEngine engine;
  private final boolean preservesOrderPerKey;
  private final @Nullable ExecutorService ownExecutor;
  private final MessagePublisher publisher;

  private InMemoryBroker(Builder builder) {
    Executor executor = builder.executor;
    ExecutorService own = null;
    if (executor == null) {
      own = newDaemonPool();
      executor = own;
    }
    this.ownExecutor = own;
    this.preservesOrderPerKey = builder.preservesOrderPerKey;
    this.engine =
        new BrokerEngine(builder.time, builder.random.get(), executor, builder.preservesOrderPerKey);
    this.publisher =
        messages -> CompletableFuture.completedFuture(engine.publish(List.copyOf(messages)));
  }

  /** A broker with the builder's defaults. */
  public static InMemoryBroker create() {
    return builder().build();
  }

  /** A builder with the defaults documented on its methods. */
  public static Builder builder() {
    return new Builder();
  }

  /** Publishes with immediate confirms, or failures as the faults say; the stage is already complete. */
  @Override
  public MessagePublisher publisher() {
    return publisher;
  }

  /**
   * A new subscriber of {@code destination}. Messages published to a destination before any subscriber exists
   * are kept for it.
   *
   * @throws IllegalArgumentException if {@code destination} is blank
   */
  @Override
  public MessageSubscriber subscriber(String destination) {
    Objects.requireNonNull(destination, "destination");
    if (destination.isBlank()) {
      throw new IllegalArgumentException("destination must not be blank, was '" + destination + "'");
    }
    return engine.subscriber(destination);
  }

  /** As built; true by default. */
  @Override
  public boolean preservesOrderPerKey() {
    return preservesOrderPerKey;
  }

  /**
   * Closes every subscriber (their unsettled deliveries go back to the queues), fails later publishes and stops
   * the broker's own threads; handler calls in progress finish on their own. Idempotent.
   */
  @Override
  public void close() {
    engine.close();
    ExecutorService own = ownExecutor;
    if (own != null) {
      own.shutdown();
    }
  }

  // ---- faults

  /**
   * The next {@code count} published messages are not stored and are reported failed with an {@link
   * dev.steadfast.testkit.chaos.InjectedFaultException}; replaces any count left.
   *
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public InMemoryBroker failNextPublishes(int count) {
    engine.failNextPublishes(nonNegative("failNextPublishes", count));
    return this;
  }

  /**
   * The next {@code count} published messages are stored (and will be delivered) but reported failed, as when the
   * connection drops after the publish and before its confirm; replaces any count left.
   *
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public InMemoryBroker loseNextConfirms(int count) {
    engine.loseNextConfirms(nonNegative("loseNextConfirms", count));
    return this;
  }

  /**
   * The next {@code count} deliveries are lost on the way to the handler: they count as delivered, and the
   * message comes again at once; replaces any count left.
   *
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public InMemoryBroker failNextDeliveries(int count) {
    engine.failNextDeliveries(nonNegative("failNextDeliveries", count));
    return this;
  }

  /**
   * The next {@code count} acknowledgements are lost: the consumer's {@code ack()} returns normally, but the
   * message comes again (and is not recorded as acknowledged); replaces any count left.
   *
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public InMemoryBroker loseNextAcks(int count) {
    engine.loseNextAcks(nonNegative("loseNextAcks", count));
    return this;
  }

  /**
   * From now on, each published message is stored twice with probability {@code rate}, drawn from the seeded
   * random generator, as when a publish was retried after a lost confirm; each copy is delivered separately
   * and counts its deliveries from 1. 0 turns it off.
   *
   * @throws IllegalArgumentException if {@code rate} is not in [0, 1]
   */
  public InMemoryBroker duplicateDeliveries(double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("duplicateDeliveries rate must be in [0, 1], was " + rate);
    }
    engine.duplicateRate(rate);
    return this;
  }

  /**
   * From now on, a published message can be delivered only {@code delay} after its publish, measured on the
   * broker's time source. {@link Duration#ZERO} turns it off. Redeliveries are not delayed.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public InMemoryBroker delayDeliveries(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delayDeliveries must be >= 0, was " + delay);
    }
    engine.delayNanos(TimeSource.toNanosSaturated(delay));
    return this;
  }

  /**
   * From now on, or no longer, hands out ready messages in a random order drawn from the seeded generator; where
   * order per key is preserved, only messages of different keys change places.
   */
  public InMemoryBroker reorderDeliveries(boolean on) {
    engine.reorder(on);
    return this;
  }

  /**
   * Returns every delivery not yet settled to its queue, as a lost consumer connection would; subscribers stay
   * started and get those messages again. Settling a returned delivery throws {@link IllegalStateException}.
   */
  public InMemoryBroker dropConsumerConnections() {
    engine.dropConsumerConnections();
    return this;
  }

  /** Turns every fault off. */
  public InMemoryBroker clearFaults() {
    engine.failNextPublishes(0);
    engine.loseNextConfirms(0);
    engine.failNextDeliveries(0);
    engine.loseNextAcks(0);
    engine.duplicateRate(0);
    engine.delayNanos(0);
    engine.reorder(false);
    return this;
  }

  // ---- records

  /** Every message the broker stored (confirmed or with a lost confirm), in publish order, duplicates once. */
  public List<OutboxMessage> published() {
    return engine.published();
  }

  /** The ids of the acknowledgements the broker received, in order, repeats included. */
  public List<UUID> acknowledged() {
    return engine.acknowledged();
  }

  /** How often message {@code id} was acknowledged (more than once when it was duplicated or redelivered). */
  public int acknowledgedCount(UUID id) {
    Objects.requireNonNull(id, "id");
    int count = 0;
    for (UUID acked : engine.acknowledged()) {
      if (acked.equals(id)) {
        count++;
      }
    }
    return count;
  }

  /** How often message {@code id} was handed to a handler. */
  public int deliveries(UUID id) {
    return engine.deliveries(Objects.requireNonNull(id, "id"));
  }

  /** The ids of the deliveries rejected without requeue, in order. */
  public List<UUID> deadLettered() {
    return engine.deadLettered();
  }

  /** What handlers threw, in order (each time, the delivery was requeued unless settled). */
  public List<Throwable> handlerFailures() {
    return engine.handlerFailures();
  }

  /** How many messages of {@code destination} are stored and not yet acknowledged or dead-lettered. */
  public int pending(String destination) {
    return engine.pending(Objects.requireNonNull(destination, "destination"));
  }

  private static int nonNegative(String setting, int count) {
    if (count < 0) {
      throw new IllegalArgumentException(setting + " must be >= 0, was " + count);
    }
    return count;
  }

  private static ExecutorService newDaemonPool() {
    AtomicInteger threads = new AtomicInteger();
    return Executors.newCachedThreadPool(
        runnable -> {
          Thread thread = new Thread(runnable, "steadfast-in-memory-broker-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Builds an {@link InMemoryBroker}. Not thread-safe. {@link #build()} copies the settings, so the builder can
   * build again.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private TimeSource time = TimeSource.system();
    private Supplier<RandomGenerator> random = () -> new SplittableRandom(0);
    private @Nullable Executor executor;
    private boolean preservesOrderPerKey = true;

    private Builder() {}

    /** Where delays are measured and scheduled; default {@link TimeSource#system()}. */
    public Builder timeSource(TimeSource time) {
      this.time = Objects.requireNonNull(time, "timeSource");
      return this;
    }

    /**
     * The generator behind duplicates and reordering, used under the broker's lock (and shared by every broker
     * this builder builds); default a {@link SplittableRandom} seeded with 0, so that runs repeat.
     */
    public Builder random(RandomGenerator random) {
      Objects.requireNonNull(random, "random");
      this.random = () -> random;
      return this;
    }

    /** Shorthand for {@link #random(RandomGenerator)} with a {@link SplittableRandom} seeded with {@code seed}. */
    public Builder seed(long seed) {
      this.random = () -> new SplittableRandom(seed);
      return this;
    }

    /**
     * Where handlers run; default: the broker's own daemon threads, stopped by {@link InMemoryBroker#close()}.
     * {@code Runnable::run} runs them on the thread that publishes, settles, starts a subscriber or advances
     * time: deterministic, but a handler that blocks then blocks that thread.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Whether messages with the same key are handed out in publish order, one at a time; default true. */
    public Builder preservesOrderPerKey(boolean preserves) {
      this.preservesOrderPerKey = preserves;
      return this;
    }

    /** A new broker. */
    public InMemoryBroker build() {
      return new InMemoryBroker(this);
    }
  }
}
