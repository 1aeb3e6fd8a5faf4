package dev.steadfast.core.internal;

import dev.steadfast.core.Deadline;
import dev.steadfast.core.HedgePolicy;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.TimeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The attempts of one hedged call: the first starts at once, each next one after the hedge delay (or at once
 * when an attempt fails with a retryable error), up to the policy's maximum; the first success wins and the
 * others are cancelled. Thread-safe: outcomes arrive on the attempts' threads, hedges on the timer's.
 */
final class HedgeGroup {

  /** One started attempt: its outcome, and how to cancel it. */
  record Attempt(CompletableFuture<@Nullable Object> outcome, Runnable cancel) {}

  /** Starts one attempt of the group. */
  @FunctionalInterface
  interface Starter {
    Attempt start(HedgeGroup group);
  }

  private static final class DefaultExecutor {
    static final ExecutorService INSTANCE =
        Executors.newCachedThreadPool(
            new java.util.concurrent.ThreadFactory() {
              private final AtomicInteger count = new AtomicInteger();

              @Override
              public Thread newThread(Runnable runnable) {
                Thread thread = new Thread(runnable, "steadfast-hedge-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              }
            });
  }

  /** Runs synchronous hedged attempts: a cached pool of daemon threads. */
  static ExecutorService defaultExecutor() {
    return DefaultExecutor.INSTANCE;
  }

  private final PipelineEngine engine;
  private final HedgePolicy policy;
  private final @Nullable Deadline deadline;
  private final CompletableFuture<@Nullable Object> winner = new CompletableFuture<>();
  private final ReentrantLock lock = new ReentrantLock();

  // @GuardedBy("lock")
  private final List<Attempt> attempts = new ArrayList<>(4);
  // @GuardedBy("lock")
  private int finished;
  // @GuardedBy("lock")
  private TimeSource.@Nullable Cancellable nextHedge;

  private @Nullable Starter starter;

  HedgeGroup(PipelineEngine engine, @Nullable Deadline deadline) {
    this.engine = engine;
    this.policy = Objects.requireNonNull(engine.hedge);
    this.deadline = deadline;
  }

  /** Starts the first attempt; the returned future completes with the winner or the last failure. */
  CompletableFuture<@Nullable Object> start(Starter starter) {
    this.starter = starter;
    launch();
    return winner;
  }

  /** Whether the call is decided: a losing attempt's failure is then a cancellation, not a failure. */
  boolean isDecided() {
    return winner.isDone();
  }

  /** Cancels every attempt and the next hedge (the caller gave up). */
  void cancelAll() {
    winner.cancel(false);
    cancelOthers();
  }

  private void launch() {
    Starter s = Objects.requireNonNull(starter);
    long startedAt = engine.time.nanoTime();
    Attempt attempt = s.start(this);
    lock.lock();
    try {
      attempts.add(attempt);
      scheduleNextHedge();
    } finally {
      lock.unlock();
    }
    CompletableFuture<?> unused =
        attempt.outcome().whenComplete((result, failure) -> onOutcome(startedAt, result, failure));
  }

  // Called with the lock held.
  private void scheduleNextHedge() {
    TimeSource.Cancellable pending = nextHedge;
    if (pending != null) {
      pending.cancel();
      nextHedge = null;
    }
    if (attempts.size() < policy.maxAttempts() && !winner.isDone()) {
      nextHedge = engine.time.schedule(this::hedgeNow, policy.delayNanos());
    }
  }

  private void hedgeNow() {
    lock.lock();
    try {
      nextHedge = null;
      if (winner.isDone() || attempts.size() >= policy.maxAttempts()) {
        return;
      }
    } finally {
      lock.unlock();
    }
    if (engine.mayRetry(deadline, 0, true)) {
      launch();
    }
  }

  private void onOutcome(long startedAt, @Nullable Object result, @Nullable Throwable thrown) {
    if (thrown == null) {
      if (winner.complete(result)) {
        policy.recordLatency(engine.time.nanoTime() - startedAt);
        cancelOthers();
      }
      return;
    }
    Throwable failure = AsyncCall.unwrap(thrown);
    boolean startNext = false;
    boolean allFailed = false;
    lock.lock();
    try {
      finished++;
      if (winner.isDone()) {
        return;
      }
      if (!retryable(failure)) {
        allFailed = true;
      } else if (attempts.size() < policy.maxAttempts()) {
        startNext = true;
      } else {
        allFailed = finished == attempts.size();
      }
    } finally {
      lock.unlock();
    }
    if (startNext) {
      if (engine.mayRetry(deadline, 0, true)) {
        launch();
        return;
      }
      lock.lock();
      try {
        allFailed = finished == attempts.size();
      } finally {
        lock.unlock();
      }
    }
    if (allFailed && winner.completeExceptionally(failure)) {
      cancelOthers();
    }
  }

  private boolean retryable(Throwable failure) {
    RetryPolicy retry = engine.retry;
    return retry == null ? RetryPolicy.isRetryableByDefault(failure) : retry.retriesOn(failure);
  }

  private void cancelOthers() {
    List<Attempt> toCancel;
    lock.lock();
    try {
      TimeSource.Cancellable pending = nextHedge;
      if (pending != null) {
        pending.cancel();
        nextHedge = null;
      }
      toCancel = new ArrayList<>(attempts);
    } finally {
      lock.unlock();
    }
    for (Attempt attempt : toCancel) {
      if (!attempt.outcome().isDone()) {
        attempt.cancel().run();
      }
    }
  }

  /**
   * A synchronous attempt on a pool thread that can be cancelled by interrupting that thread, and only while it
   * runs the attempt: the interrupt never leaks to the pool's next task.
   */
  static final class InterruptibleTask implements Runnable {
    private final Runnable body;
    private final ReentrantLock lock = new ReentrantLock();
    // @GuardedBy("lock")
    private @Nullable Thread runner;
    // @GuardedBy("lock")
    private boolean cancelled;

    InterruptibleTask(Runnable body) {
      this.body = body;
    }

    @Override
    public void run() {
      lock.lock();
      try {
        if (cancelled) {
          return;
        }
        runner = Thread.currentThread();
      } finally {
        lock.unlock();
      }
      try {
        body.run();
      } finally {
        lock.lock();
        try {
          runner = null;
          Thread.interrupted();
        } finally {
          lock.unlock();
        }
      }
    }

    void cancel() {
      lock.lock();
      try {
        cancelled = true;
        Thread thread = runner;
        if (thread != null) {
          thread.interrupt();
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
