package dev.steadfast.messaging.outbox;

import dev.steadfast.core.Backoff;
import dev.steadfast.core.Jitter;
import dev.steadfast.core.LimitExceededException;
import dev.steadfast.core.Pipeline;
import dev.steadfast.messaging.outbox.internal.OutboxStore;
import dev.steadfast.messaging.outbox.internal.OutboxStore.Claimed;
import dev.steadfast.messaging.outbox.internal.OutboxStore.Settlement;
import dev.steadfast.messaging.outbox.internal.PostgresListener;
import dev.steadfast.messaging.outbox.internal.RelaySignal;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe relay that publishes an {@link Outbox}'s committed messages through a {@link MessagePublisher}, at
 * least once, and marks each sent only after the broker confirmed it.
 *
 * <p>How it works: a worker claims a batch of rows in a short transaction that stamps a lease on them and
 * commits before any broker I/O, so no database lock is held while publishing and other relays (in this
 * process or on other machines, sharing the table) skip those rows. It publishes the batch, then settles each row
 * by its own outcome: confirmed rows are deleted (or marked sent, with a retention), failed ones are retried after
 * a jittered exponential backoff, and permanent failures or rows out of attempts are parked. A relay that crashes
 * leaves its rows leased; they come back when the lease expires, and are published again (a duplicate the
 * consumer's {@link Inbox} drops).
 *
 * <p>Order: only the oldest pending message of a key can be claimed, so a key has at most one message in flight,
 * and a message that keeps failing holds back its own key and no other. A parked message no longer holds its key
 * back. Messages without a key flow in enqueue order, several per batch.
 *
 * <p>Wake-up: after a commit on PostgreSQL (LISTEN/NOTIFY), after an enqueue in this JVM elsewhere (then again
 * shortly, as the transaction may not have committed yet), and at the latest every poll interval.
 *
 * <pre>{@code
 * OutboxRelay relay = OutboxRelay.builder(outbox, adapter.publisher()).build();
 * relay.start();
 * ...
 * relay.close(); // finishes the batches in flight, gives back what it cannot finish
 * }</pre>
 *
 * @since 0.1.0
 */
public final class OutboxRelay implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  private static final long FIRST_FOLLOW_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final Duration AGE_REFRESH = Duration.ofSeconds(5);

  private final Outbox outbox;
  private final OutboxStore store;
  private final MessagePublisher publisher;
  private final @Nullable Pipeline pipeline;
  private final Clock clock;
  private final RelaySignal signal;
  private final String name;
  private final int batchSize;
  private final int concurrency;
  private final long leaseMillis;
  private final Duration publishTimeout;
  private final long pollNanos;
  private final Backoff backoff;
  private final int maxAttempts;
  private final Duration cleanupInterval;
  private final int cleanupBatchSize;
  private final Duration shutdownTimeout;

  private final Counter published;
  private final Counter failedRetryable;
  private final Counter failedPermanent;
  private final Counter failedTimeout;
  private final Counter refused;
  private final Counter parked;
  private final Timer batchLatency;
  private final TimeGauge oldestUnsentAge;
  private final AtomicLong oldestCreatedAt = new AtomicLong(-1);
  private final RelaySignal stopSignal = new RelaySignal();

  private final ReentrantLock lifecycle = new ReentrantLock();
  private final List<Thread> threads = new ArrayList<>(); // guarded by lifecycle
  private @Nullable PostgresListener listener; // guarded by lifecycle
  private volatile boolean running;
  private boolean started; // guarded by lifecycle

  private OutboxRelay(Builder builder) {
    this.outbox = builder.outbox;
    this.store = outbox.store();
    this.publisher = builder.publisher;
    this.pipeline = builder.pipeline;
    this.clock = outbox.clock();
    this.signal = outbox.signal();
    this.name = builder.name;
    this.batchSize = builder.batchSize;
    this.concurrency = builder.concurrency;
    this.leaseMillis = builder.lease.toMillis();
    this.publishTimeout = builder.publishTimeout;
    this.pollNanos = builder.pollInterval.toNanos();
    this.backoff = builder.backoff;
    this.maxAttempts = builder.maxAttempts;
    this.cleanupInterval = builder.cleanupInterval;
    this.cleanupBatchSize = builder.cleanupBatchSize;
    this.shutdownTimeout = builder.shutdownTimeout;

    MeterRegistry meters = outbox.meterRegistry();
    String table = outbox.table();
    this.published = Counter.builder("steadfast.outbox.published")
        .description("Messages the broker confirmed").tag("table", table).tag("relay", name).register(meters);
    this.failedRetryable = failed(meters, table, "retryable");
    this.failedPermanent = failed(meters, table, "permanent");
    this.failedTimeout = failed(meters, table, "timeout");
    this.refused = failed(meters, table, "refused");
    this.parked = Counter.builder("steadfast.outbox.parked")
        .description("Messages parked: refused for good by the broker, or out of attempts")
        .tag("table", table).tag("relay", name).register(meters);
    this.batchLatency = Timer.builder("steadfast.outbox.relay.batch")
        .description("From claiming a batch to settling it").tag("table", table).tag("relay", name)
        .register(meters);
    this.oldestUnsentAge = TimeGauge.builder("steadfast.outbox.oldest.unsent.age", oldestCreatedAt,
            TimeUnit.MILLISECONDS,
            created -> created.get() < 0 ? 0 : Math.max(0, clock.millis() - created.get()))
        .description("Age of the oldest message not yet sent (refreshed every 5 s while the relay runs)")
        .tag("table", table).tag("relay", name).register(meters);
  }

  private Counter failed(MeterRegistry meters, String table, String reason) {
    return Counter.builder("steadfast.outbox.failed")
        .description("Publish attempts that did not end in a confirm, by reason")
        .tag("table", table).tag("relay", name).tag("reason", reason).register(meters);
  }

  /**
   * A builder for a relay of {@code outbox}'s messages through {@code publisher}.
   *
   * @throws NullPointerException if either is null
   */
  public static Builder builder(Outbox outbox, MessagePublisher publisher) {
    return new Builder(outbox, publisher);
  }

  /**
   * Starts the workers (and, on PostgreSQL, the notification listener and the housekeeping task) on daemon
   * threads named after the relay; returns at once.
   *
   * @throws IllegalStateException if started before
   */
  public void start() {
    lifecycle.lock();
    try {
      if (started) {
        throw new IllegalStateException("relay '" + name + "' was started before");
      }
      started = true;
      running = true;
      for (int i = 0; i < concurrency; i++) {
        threads.add(thread(this::work, name + "-worker-" + i));
      }
      threads.add(thread(this::housekeeping, name + "-housekeeping"));
      String listen = store.dialect().listen(outbox.channel());
      if (outbox.notifications() && listen != null) {
        PostgresListener started = new PostgresListener(outbox.dataSource(), listen, signal);
        listener = started;
        threads.add(thread(started, name + "-listener"));
      }
      threads.forEach(Thread::start);
    } finally {
      lifecycle.unlock();
    }
    log.atInfo().addKeyValue("relay", name).addKeyValue("table", outbox.table())
        .addKeyValue("dialect", store.dialect().name()).addKeyValue("concurrency", concurrency)
        .log("outbox relay started");
  }

  private static Thread thread(Runnable task, String threadName) {
    Thread thread = new Thread(task, threadName);
    thread.setDaemon(true);
    return thread;
  }

  /**
   * Claims one batch, publishes it and settles it, on the calling thread; returns how many messages were
   * claimed (0 when none was ready). The workers started by {@link #start()} do exactly this in a loop; call it
   * yourself to drive a relay that is not started (a scheduled job, a test).
   *
   * @throws SQLException if claiming or settling failed; claimed rows then come back when their lease expires
   * @throws InterruptedException if interrupted while waiting for the broker; the batch's rows are given back
   */
  public int relayOnce() throws SQLException, InterruptedException {
    Batch batch = claimAndPublish(null);
    if (batch == null) {
      return 0;
    }
    store.settle(batch.settlement(), clock.millis(), batch.token());
    return batch.size();
  }

  /** A published batch whose settlement is not yet written. */
  private record Batch(int size, Settlement settlement, String token) {}

  /**
   * Claims a batch, writing {@code previous}'s settlement in the same transaction, and publishes it; returns
   * null when nothing was claimable (after {@code previous} was written all the same).
   */
  private @Nullable Batch claimAndPublish(@Nullable Batch previous) throws SQLException, InterruptedException {
    long now = clock.millis();
    String token = UUID.randomUUID().toString();
    List<Claimed> rows = previous == null
        ? store.claim(batchSize, now, now + leaseMillis, token)
        : store.claim(batchSize, now, now + leaseMillis, token, previous.settlement(), previous.token());
    if (rows.isEmpty()) {
      return null;
    }
    long started = System.nanoTime();
    List<OutboxMessage> messages = new ArrayList<>(rows.size());
    for (Claimed row : rows) {
      messages.add(row.message());
    }
    Map<UUID, PublishOutcome> outcomes = new HashMap<>();
    Throwable batchFailure = null;
    boolean wasRefused = false;
    try {
      for (PublishOutcome outcome : publish(messages).toCompletableFuture()
          .get(publishTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        outcomes.put(outcome.messageId(), outcome);
      }
    } catch (TimeoutException e) {
      batchFailure = new TimeoutException("no answer from the publisher within " + publishTimeout);
      failedTimeout.increment(rows.size());
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      wasRefused = isRefusal(cause);
      batchFailure = cause;
    } catch (InterruptedException e) {
      Settlement giveBack = new Settlement();
      rows.forEach(row -> giveBack.release(row.seq(), clock.millis()));
      store.settle(giveBack, clock.millis(), token);
      throw e;
    } catch (RuntimeException e) {
      batchFailure = e; // the publisher threw instead of failing the stage
    }
    Settlement settlement = new Settlement();
    long settledAt = clock.millis();
    int parkedNow = 0;
    for (Claimed row : rows) {
      PublishOutcome outcome = outcomes.get(row.message().id());
      if (wasRefused) {
        refused.increment();
        settlement.release(row.seq(), settledAt + delayMillis(1));
      } else if (outcome != null && outcome.isConfirmed()) {
        settlement.sent(row.seq());
        published.increment();
      } else {
        Throwable cause = outcome != null ? Objects.requireNonNull(outcome.failure()) : batchFailure;
        if (cause == null) {
          cause = new IllegalStateException("the publisher reported no outcome for message " + row.message().id());
        }
        boolean permanent = outcome != null && outcome.permanent();
        if (permanent) {
          failedPermanent.increment();
        } else if (outcome != null || !(batchFailure instanceof TimeoutException)) {
          failedRetryable.increment();
        }
        String error = cause.getClass().getName() + ": " + cause.getMessage();
        if (permanent || row.attempts() >= maxAttempts) {
          settlement.park(row.seq(), error);
          parkedNow++;
          log.atWarn().addKeyValue("relay", name).addKeyValue("messageId", row.message().id())
              .addKeyValue("destination", row.message().destination()).addKeyValue("attempts", row.attempts())
              .addKeyValue("permanent", permanent).addKeyValue("error", error)
              .log("outbox message parked");
        } else {
          settlement.retry(row.seq(), settledAt + delayMillis(row.attempts()), error);
        }
      }
    }
    parked.increment(parkedNow);
    batchLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    if (batchFailure != null && !wasRefused) {
      log.atDebug().addKeyValue("relay", name).addKeyValue("messages", rows.size()).setCause(batchFailure)
          .log("outbox batch failed; its messages are retried after a backoff");
    }
    return new Batch(rows.size(), settlement, token);
  }

  private CompletionStage<List<PublishOutcome>> publish(List<OutboxMessage> messages) {
    if (pipeline == null) {
      return publisher.publish(messages);
    }
    return pipeline.executeAsync(() -> publisher.publish(messages));
  }

  private static boolean isRefusal(Throwable failure) {
    return failure instanceof CallNotPermittedException
        || failure instanceof BulkheadFullException
        || failure instanceof RequestNotPermitted
        || failure instanceof LimitExceededException;
  }

  private long delayMillis(int attempt) {
    return TimeUnit.NANOSECONDS.toMillis(backoff.delayNanos(attempt, 0, ThreadLocalRandom.current()));
  }

  private void work() {
    int failures = 0;
    long followUpNanos = FIRST_FOLLOW_UP_NANOS;
    // The settlement of the batch just published, written in the same transaction as the next claim: one commit
    // per batch. Written on its own when the loop stops or the next claim fails.
    Batch carried = null;
    while (running) {
      long seen = signal.generation();
      try {
        Batch batch = claimAndPublish(carried);
        carried = batch;
        if (!store.dialect().settlesWithNextClaim()) {
          carried = settleAlone(carried);
        }
        failures = 0;
        if (batch != null) {
          followUpNanos = FIRST_FOLLOW_UP_NANOS;
          continue; // more may be ready: the rest of a backlog, or the next message of a key just sent
        }
        if (signal.await(seen, pollNanos)) {
          // Woken by an enqueue that may not have committed yet: look now, then again after growing pauses.
          if (!outbox.notifications()) {
            int found = relayOnce();
            while (found == 0 && running && followUpNanos < pollNanos) {
              signal.await(signal.generation(), followUpNanos);
              followUpNanos *= 2;
              found = relayOnce();
            }
            followUpNanos = FIRST_FOLLOW_UP_NANOS;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (SQLException | RuntimeException e) {
        carried = settleAlone(carried);
        failures++;
        long pause = Math.min(pollNanos * 10, TimeUnit.MILLISECONDS.toNanos(100) << Math.min(failures, 10));
        log.atWarn().addKeyValue("relay", name).addKeyValue("failures", failures).setCause(e)
            .log("outbox relay could not claim or settle a batch; trying again");
        try {
          signal.await(seen, pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    settleAlone(carried);
  }

  /** Writes a carried settlement in a transaction of its own; if that fails too, the rows' leases expire. */
  private @Nullable Batch settleAlone(@Nullable Batch carried) {
    if (carried != null) {
      try {
        store.settle(carried.settlement(), clock.millis(), carried.token());
      } catch (SQLException | RuntimeException e) {
        log.atWarn().addKeyValue("relay", name).addKeyValue("messages", carried.size()).setCause(e)
            .log("outbox relay could not record a batch's outcomes; its messages are published again after their lease");
      }
    }
    return null;
  }

  private void housekeeping() {
    long nextCleanup = 0;
    boolean cleanup = !outbox.retention().isZero();
    while (running) {
      try {
        OptionalLong oldest = store.oldestPendingCreatedAt();
        oldestCreatedAt.set(oldest.isPresent() ? oldest.getAsLong() : -1);
        long now = clock.millis();
        if (cleanup && now >= nextCleanup) {
          deleteExpiredSent(now, true);
          nextCleanup = now + cleanupInterval.toMillis();
        }
      } catch (SQLException | RuntimeException e) {
        log.atWarn().addKeyValue("relay", name).setCause(e).log("outbox housekeeping failed; trying again");
      }
      try {
        stopSignal.await(stopSignal.generation(), AGE_REFRESH.toNanos());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Deletes sent rows older than the outbox's retention, in batches of the configured size, until none is left;
   * returns how many. The relay runs this every cleanup interval when a retention is set.
   */
  public int deleteExpiredSent() throws SQLException {
    return deleteExpiredSent(clock.millis(), false);
  }

  private int deleteExpiredSent(long now, boolean stopWithRelay) throws SQLException {
    long before = now - outbox.retention().toMillis();
    int total = 0;
    int deleted;
    do {
      deleted = store.deleteSentBefore(before, cleanupBatchSize);
      total += deleted;
    } while (deleted == cleanupBatchSize && !(stopWithRelay && !running));
    return total;
  }

  /**
   * Stops claiming, waits up to the shutdown timeout for batches in flight to be settled, then interrupts the
   * workers, which give their rows back for another relay to take at once. Idempotent.
   */
  @Override
  public void close() {
    // A closed relay no longer reports the age: the registry would keep the first relay's gauge for good and
    // ignore the gauge of a relay built later under the same name and table.
    outbox.meterRegistry().remove(oldestUnsentAge);
    List<Thread> stopping;
    lifecycle.lock();
    try {
      if (!running) {
        return;
      }
      running = false;
      stopping = List.copyOf(threads);
      if (listener != null) {
        listener.close();
      }
    } finally {
      lifecycle.unlock();
    }
    signal.signal();
    stopSignal.signal();
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    for (Thread thread : stopping) {
      try {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        if (thread.isAlive()) {
          thread.interrupt();
          thread.join(1000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    log.atInfo().addKeyValue("relay", name).log("outbox relay stopped");
  }

  /**
   * Builds an {@link OutboxRelay}. Not thread-safe; {@link #build()} copies the settings.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Outbox outbox;
    private final MessagePublisher publisher;
    private @Nullable Pipeline pipeline;
    private String name = "outbox-relay";
    private int batchSize = 100;
    private int concurrency = 1;
    private Duration lease = Duration.ofSeconds(60);
    private Duration publishTimeout = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofMillis(500);
    private Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5))
        .withJitter(Jitter.EQUAL);
    private int maxAttempts = 20;
    private Duration cleanupInterval = Duration.ofMinutes(1);
    private int cleanupBatchSize = 1000;
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    private Builder(Outbox outbox, MessagePublisher publisher) {
      this.outbox = Objects.requireNonNull(outbox, "outbox");
      this.publisher = Objects.requireNonNull(publisher, "publisher");
    }

    /** Names the relay's threads, logs and meters; default {@code outbox-relay}. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * A core pipeline every publish call goes through (a circuit breaker that stops hammering a broker that is
     * down, a bulkhead, a rate limit); default none. Calls the pipeline refuses (open breaker, full bulkhead,
     * rate limit) are not counted as attempts: their rows are given back after the first backoff step. Leave
     * retries out of it: the relay retries per message.
     */
    public Builder pipeline(Pipeline pipeline) {
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      return this;
    }

    /** Messages claimed and published together, 1 to 10,000; default 100. */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1 || batchSize > 10_000) {
        throw new IllegalArgumentException("batchSize must be between 1 and 10000, was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** Workers, each with a batch in flight, 1 to 64; default 1. */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1 || concurrency > 64) {
        throw new IllegalArgumentException("concurrency must be between 1 and 64, was " + concurrency);
      }
      this.concurrency = concurrency;
      return this;
    }

    /**
     * How long a claim holds its rows; after that another relay may take them (a crashed relay's rows come back
     * then). Must exceed the publish timeout; default 60 s. Relays sharing a table must have clocks in sync to
     * well within this.
     */
    public Builder lease(Duration lease) {
      this.lease = positive("lease", lease);
      return this;
    }

    /** How long to wait for the publisher's outcomes before counting the batch as failed; default 30 s. */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = positive("publishTimeout", publishTimeout);
      return this;
    }

    /** The longest an idle worker waits before looking for messages again; default 500 ms. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = positive("pollInterval", pollInterval);
      return this;
    }

    /**
     * The delay before a failed message's next attempt, by attempt number; default exponential from 1 s,
     * doubling, at most 5 minutes, with equal jitter.
     */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * Attempts after which a message that keeps failing is parked, at least 1; default 20 (with the default
     * backoff about an hour of failures).
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** How often sent rows past the outbox's retention are deleted (only with a retention); default 1 minute. */
    public Builder cleanupInterval(Duration cleanupInterval) {
      this.cleanupInterval = positive("cleanupInterval", cleanupInterval);
      return this;
    }

    /** Rows deleted per cleanup statement, 1 to 100,000; default 1000. */
    public Builder cleanupBatchSize(int cleanupBatchSize) {
      if (cleanupBatchSize < 1 || cleanupBatchSize > 100_000) {
        throw new IllegalArgumentException("cleanupBatchSize must be between 1 and 100000, was " + cleanupBatchSize);
      }
      this.cleanupBatchSize = cleanupBatchSize;
      return this;
    }

    /** How long {@link OutboxRelay#close()} waits for batches in flight; default 10 s. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = positive("shutdownTimeout", shutdownTimeout);
      return this;
    }

    private static Duration positive(String setting, Duration value) {
      Objects.requireNonNull(value, setting);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(setting + " must be positive, was " + value);
      }
      return value;
    }

    /**
     * Builds the relay, not yet started.
     *
     * @throws IllegalStateException if the lease is not longer than the publish timeout
     */
    public OutboxRelay build() {
      if (lease.compareTo(publishTimeout) <= 0) {
        throw new IllegalStateException("lease must be longer than publishTimeout, was lease=" + lease
            + ", publishTimeout=" + publishTimeout);
      }
      return new OutboxRelay(this);
    }
  }
}
