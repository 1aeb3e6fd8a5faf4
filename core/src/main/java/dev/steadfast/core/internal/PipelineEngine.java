package dev.steadfast.core.internal;

import dev.steadfast.core.AdaptiveLimit;
import dev.steadfast.core.AttemptTimeoutException;
import dev.steadfast.core.CheckedSupplier;
import dev.steadfast.core.Deadline;
import dev.steadfast.core.DeadlineExceededException;
import dev.steadfast.core.HedgePolicy;
import dev.steadfast.core.LimitExceededException;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.PipelineBuilder;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.TimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The pipeline engine: the fixed order of {@link dev.steadfast.core.Pipeline} written out as straight code
 * rather than a chain of decorators. Immutable and thread-safe.
 *
 * <p>Design. The order never changes, so one method per level (call, retry loop, hedge, attempt) is both the
 * simplest and the cheapest composition: no per-call decorator objects, no lambdas capturing the call, and
 * absent policies cost one null check. On the success path of a synchronous call nothing is allocated but the
 * call's {@link Deadline} (when a deadline applies) and whatever Resilience4j allocates. The asynchronous path
 * ({@link AsyncCall}) and hedging ({@link HedgeGroup}) allocate per call: they are callback-driven.
 */
public final class PipelineEngine implements Pipeline {

  private static final int SUPPLIER = 0;
  private static final int CHECKED = 1;
  private static final int RUNNABLE = 2;

  /**
   * No {@link System#nanoTime()} reading at hand. Should a real reading ever equal it, the timer just reads the
   * clock itself.
   */
  private static final long NO_READING = Long.MIN_VALUE;

  /** Resilience4j's default breaker clock: {@code System.nanoTime()}, boxed to a {@code Long} per reading. */
  private static final Function<java.time.Clock, Long> DEFAULT_BREAKER_TIMESTAMP =
      CircuitBreakerConfig.ofDefaults().getCurrentTimestampFunction();

  final PipelineSettings settings;
  final String name;
  final TimeSource time;
  final @Nullable RandomGenerator random;
  final long deadlineNanos;
  final long attemptTimeoutNanos;
  final @Nullable Duration attemptTimeout;
  final @Nullable RetryBudget budget;
  final @Nullable RetryPolicy retry;
  final @Nullable HedgePolicy hedge;
  final @Nullable CircuitBreaker breaker;
  final PipelineEvents.@Nullable BreakerWatch breakerWatch;
  /**
   * Whether the breaker times calls with Resilience4j's default clock, which this engine then reads itself as
   * {@link System#nanoTime()}: the same values, without a boxed {@code Long} per reading, and the attempt's start
   * doubles as the attempt timer's "now".
   */
  final boolean breakerOnSystemNanos;
  final @Nullable Bulkhead bulkhead;
  final @Nullable AdaptiveLimit adaptiveLimit;
  final @Nullable RateLimiter rateLimiter;
  final @Nullable Bulkhead keyedBulkhead;
  final @Nullable RateLimiter keyedRateLimiter;
  final @Nullable String key;
  final AttemptTimer timer;
  final @Nullable PipelineMetrics metrics;
  final PipelineEvents events;
  final Executor hedgeExecutor;

  public PipelineEngine(PipelineSettings settings, @Nullable String key) {
    this(settings, key, null, null);
  }

  private PipelineEngine(
      PipelineSettings settings,
      @Nullable String key,
      @Nullable PipelineMetrics sharedMetrics,
      @Nullable PipelineEvents sharedEvents) {
    this.settings = settings;
    this.name = settings.name();
    this.time = settings.time();
    this.random = settings.random();
    this.deadlineNanos = settings.deadline() == null ? 0 : settings.deadline().toNanos();
    this.attemptTimeout = settings.attemptTimeout();
    this.attemptTimeoutNanos = attemptTimeout == null ? 0 : attemptTimeout.toNanos();
    this.budget = settings.retryBudget();
    this.retry = settings.retry();
    this.hedge = settings.hedge();
    this.breaker = settings.circuitBreaker();
    this.breakerWatch = breaker == null ? null : PipelineEvents.watch(breaker);
    this.breakerOnSystemNanos =
        breaker != null
            && breaker.getCircuitBreakerConfig().getCurrentTimestampFunction() == DEFAULT_BREAKER_TIMESTAMP
            && breaker.getCircuitBreakerConfig().getTimestampUnit() == TimeUnit.NANOSECONDS;
    this.bulkhead = settings.bulkhead();
    this.adaptiveLimit = settings.adaptiveLimit();
    this.rateLimiter = settings.rateLimiter();
    this.key = key;
    this.keyedBulkhead =
        key == null || settings.keyedBulkhead() == null ? null : settings.keyedBulkhead().forKey(key);
    this.keyedRateLimiter =
        key == null || settings.keyedRateLimiter() == null ? null : settings.keyedRateLimiter().forKey(key);
    this.timer = AttemptTimer.forTime(time);
    HedgePolicy hedgePolicy = settings.hedge();
    Executor executor = hedgePolicy == null ? null : hedgePolicy.executor();
    this.hedgeExecutor = executor == null ? HedgeGroup.defaultExecutor() : executor;
    if (sharedEvents != null) {
      this.events = sharedEvents;
      this.metrics = sharedMetrics;
    } else {
      this.events = new PipelineEvents(name);
      var registry = settings.meterRegistry();
      this.metrics = registry == null ? null : new PipelineMetrics(name, registry);
      CircuitBreaker cb = settings.circuitBreaker();
      if (cb != null && registry != null && cb.getName().equals(name)) {
        PipelineMetrics.bindCircuitBreaker(cb, registry);
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Pipeline withKey(String key) {
    Objects.requireNonNull(key, "key");
    return new PipelineEngine(settings, key, metrics, events);
  }

  @Override
  public PipelineBuilder toBuilder() {
    PipelineSettings s = settings;
    PipelineBuilder builder = Pipeline.builder(name).timeSource(s.time());
    if (s.random() != null) {
      builder.random(s.random());
    }
    if (s.meterRegistry() != null) {
      builder.meterRegistry(s.meterRegistry());
    }
    if (s.deadline() != null) {
      builder.deadline(s.deadline());
    }
    if (s.retryBudget() != null) {
      builder.retryBudget(s.retryBudget());
    }
    if (s.retry() != null) {
      builder.retry(s.retry());
    }
    if (s.hedge() != null) {
      builder.hedge(s.hedge());
    }
    if (s.circuitBreaker() != null) {
      builder.circuitBreaker(s.circuitBreaker());
    }
    if (s.keyedBulkhead() != null) {
      builder.keyedBulkhead(s.keyedBulkhead());
    }
    if (s.bulkhead() != null) {
      builder.bulkhead(s.bulkhead());
    }
    if (s.adaptiveLimit() != null) {
      builder.adaptiveLimit(s.adaptiveLimit());
    }
    if (s.keyedRateLimiter() != null) {
      builder.keyedRateLimiter(s.keyedRateLimiter());
    }
    if (s.rateLimiter() != null) {
      builder.rateLimiter(s.rateLimiter());
    }
    if (s.attemptTimeout() != null) {
      builder.attemptTimeout(s.attemptTimeout());
    }
    return builder.asVariant();
  }

  /** The circuit breaker in use, for tests and hot reload. */
  public @Nullable CircuitBreaker circuitBreaker() {
    return breaker;
  }

  /** The settings this engine was built from. */
  public PipelineSettings settings() {
    return settings;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Synchronous calls

  @Override
  @SuppressWarnings({"unchecked", "NullAway"}) // T is the call's own result type, null included
  public <T> T execute(Supplier<T> call) {
    Objects.requireNonNull(call, "call");
    try {
      return (T) invoke(call, SUPPLIER);
    } catch (Throwable t) {
      throw Sneaky.<RuntimeException>rethrow(t);
    }
  }

  @Override
  @SuppressWarnings({"unchecked", "NullAway"}) // T is the call's own result type, null included
  public <T> T execute(Supplier<T> call, Function<? super Throwable, ? extends T> fallback) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(fallback, "fallback");
    try {
      return (T) invoke(call, SUPPLIER);
    } catch (Throwable t) {
      PipelineMetrics m = metrics;
      if (m != null) {
        m.fallback.increment();
      }
      return fallback.apply(t);
    }
  }

  @Override
  public void run(Runnable call) {
    Objects.requireNonNull(call, "call");
    try {
      invoke(call, RUNNABLE);
    } catch (Throwable t) {
      throw Sneaky.<RuntimeException>rethrow(t);
    }
  }

  @Override
  @SuppressWarnings({"unchecked", "NullAway"}) // T is the call's own result type, null included
  public <T> T call(CheckedSupplier<T> call) throws Exception {
    Objects.requireNonNull(call, "call");
    try {
      return (T) invoke(call, CHECKED);
    } catch (Throwable t) {
      throw Sneaky.<Exception>rethrow(t);
    }
  }

  private @Nullable Object invoke(Object call, int kind) throws Throwable {
    checkKeyed();
    CurrentDeadline.Holder current = CurrentDeadline.holder();
    Deadline inherited = current.value;
    Deadline deadline = callDeadline(inherited);
    current.value = deadline;
    try {
      Object result = retryLoop(call, kind, deadline);
      PipelineMetrics m = metrics;
      if (m != null) {
        m.success.increment();
      }
      return result;
    } catch (Throwable t) {
      PipelineMetrics m = metrics;
      if (m != null) {
        m.failure.increment();
      }
      throw t;
    } finally {
      current.value = inherited;
    }
  }

  private @Nullable Object retryLoop(Object call, int kind, @Nullable Deadline deadline) throws Throwable {
    RetryBudget b = budget;
    if (b != null) {
      b.onRequest();
    }
    RetryPolicy r = retry;
    int maxAttempts = r == null ? 1 : r.maxAttempts();
    long previousDelay = 0;
    for (int attempt = 1; ; attempt++) {
      Object result = null;
      Throwable failure = null;
      try {
        result = hedge == null ? attempt(call, kind, deadline, null) : hedgedSync(call, kind, deadline);
      } catch (Throwable t) {
        failure = t;
      }
      if (r == null || attempt >= maxAttempts) {
        return resultOrThrow(result, failure);
      }
      if (failure == null ? !r.retriesOnResult(result) : !r.retriesOn(failure)) {
        return resultOrThrow(result, failure);
      }
      long delay = r.delayNanos(attempt, previousDelay, result, failure, random());
      if (!mayRetry(deadline, delay, false)) {
        return resultOrThrow(result, failure);
      }
      try {
        time.sleepNanos(delay);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        if (failure != null) {
          failure.addSuppressed(interrupted);
        }
        return resultOrThrow(result, failure);
      }
      previousDelay = delay;
    }
  }

  /**
   * Whether one more retry (or hedge) may be sent: enough time left for {@code delayNanos} and then some, and
   * the budget agrees. Counts and logs the refusals.
   */
  boolean mayRetry(@Nullable Deadline deadline, long delayNanos, boolean isHedge) {
    PipelineMetrics m = metrics;
    if (deadline != null && deadline.remainingNanos() <= delayNanos) {
      if (m != null) {
        m.refusedByDeadline.increment();
      }
      return false;
    }
    RetryBudget b = budget;
    if (b != null && !b.tryAcquireRetry()) {
      if (m != null) {
        m.refusedByBudget.increment();
      }
      events.budgetRefused(time.nanoTime(), b.available());
      return false;
    }
    if (m != null) {
      (isHedge ? m.hedges : m.retries).increment();
    }
    return true;
  }

  /**
   * One attempt, from the breaker to the call: permits in order, the call under its timeout, outcomes recorded
   * in reverse order. {@code group} is the hedge group the attempt belongs to, whose cancellation of a loser
   * must not count as a failure.
   */
  @Nullable Object attempt(Object call, int kind, @Nullable Deadline deadline, @Nullable HedgeGroup group)
      throws Throwable {
    CircuitBreaker cb = breaker;
    Bulkhead kb = keyedBulkhead;
    Bulkhead bh = bulkhead;
    boolean cbPermitted = false;
    boolean kbAcquired = false;
    boolean bhAcquired = false;
    boolean called = false;
    AdaptiveLimit.Permit permit = null;
    try {
      if (cb != null) {
        cb.acquirePermission();
        cbPermitted = true;
      }
      if (kb != null) {
        kb.acquirePermission();
        kbAcquired = true;
      }
      if (bh != null) {
        bh.acquirePermission();
        bhAcquired = true;
      }
      AdaptiveLimit limit = adaptiveLimit;
      if (limit != null) {
        permit = limit.tryAcquire();
        if (permit == null) {
          throw new LimitExceededException(limit.name());
        }
      }
      if (keyedRateLimiter != null) {
        RateLimiter.waitForPermission(keyedRateLimiter);
      }
      if (rateLimiter != null) {
        RateLimiter.waitForPermission(rateLimiter);
      }
      long start = cb == null ? 0 : breakerNow(cb);
      called = true;
      Object result;
      try {
        result = timed(call, kind, deadline, breakerOnSystemNanos ? start : NO_READING);
      } catch (Throwable failure) {
        boolean lostHedge = group != null && group.isDecided();
        if (cb != null) {
          if (lostHedge) {
            cb.releasePermission();
          } else {
            cb.onError(breakerNow(cb) - start, cb.getTimestampUnit(), failure);
          }
        }
        if (permit != null) {
          if (lostHedge) {
            permit.onIgnore();
          } else if (failure instanceof AttemptTimeoutException
              || failure instanceof DeadlineExceededException) {
            permit.onDropped();
          } else {
            permit.onIgnore();
          }
        }
        RetryBudget b = budget;
        if (b != null && !lostHedge) {
          b.onFailure();
        }
        throw failure;
      }
      if (cb != null) {
        cb.onResult(breakerNow(cb) - start, cb.getTimestampUnit(), result);
      }
      if (permit != null) {
        permit.onSuccess();
      }
      RetryBudget b = budget;
      if (b != null) {
        b.onSuccess();
      }
      return result;
    } catch (Throwable rejectedOrFailed) {
      if (!called) {
        if (cbPermitted && cb != null) {
          cb.releasePermission();
        }
        if (permit != null) {
          permit.onIgnore();
        }
      }
      throw rejectedOrFailed;
    } finally {
      if (bhAcquired && bh != null) {
        bh.onComplete();
      }
      if (kbAcquired && kb != null) {
        kb.onComplete();
      }
      observeBreaker();
    }
  }

  /** Logs a change of the breaker's state that the attempt just made or saw (see {@link PipelineEvents}). */
  void observeBreaker() {
    CircuitBreaker cb = breaker;
    PipelineEvents.BreakerWatch watch = breakerWatch;
    if (cb != null && watch != null) {
      watch.observe(cb.getState());
    }
  }

  /** The breaker's clock, in its {@link CircuitBreaker#getTimestampUnit() unit}. */
  private long breakerNow(CircuitBreaker cb) {
    return breakerOnSystemNanos ? System.nanoTime() : cb.getCurrentTimestamp();
  }

  /**
   * Runs the call under {@code min(attemptTimeout, time left)}, interrupting it when that passes. {@code
   * systemNanos} is a {@link System#nanoTime()} read just before, or {@link #NO_READING}; as it is read before
   * the time left, the timeout may fire a few nanoseconds early, never late.
   */
  private @Nullable Object timed(Object call, int kind, @Nullable Deadline deadline, long systemNanos)
      throws Throwable {
    long timeout = attemptTimeoutNanos;
    boolean byDeadline = false;
    if (deadline != null) {
      long left = deadline.remainingNanos();
      if (left <= 0) {
        countTimeout(true);
        throw new DeadlineExceededException(name, null);
      }
      if (timeout == 0 || left < timeout) {
        timeout = left;
        byDeadline = true;
      }
    }
    if (timeout == 0) {
      return invokeCall(call, kind);
    }
    AttemptTimer.Armed armed =
        systemNanos == NO_READING ? timer.arm(timeout) : timer.arm(timeout, systemNanos);
    Object result;
    try {
      result = invokeCall(call, kind);
    } catch (Throwable failure) {
      if (armed.disarm()) {
        throw timeoutException(byDeadline, failure);
      }
      throw failure;
    }
    // A timeout that fired as the call returned: the result stands, the interrupt was cleared by disarm.
    armed.disarm();
    return result;
  }

  RuntimeException timeoutException(boolean byDeadline, @Nullable Throwable cause) {
    countTimeout(byDeadline);
    return byDeadline || attemptTimeout == null
        ? new DeadlineExceededException(name, cause)
        : new AttemptTimeoutException(name, attemptTimeout, cause);
  }

  private void countTimeout(boolean byDeadline) {
    PipelineMetrics m = metrics;
    if (m != null) {
      (byDeadline ? m.deadlineTimeouts : m.attemptTimeouts).increment();
    }
  }

  @SuppressWarnings("unchecked")
  private static @Nullable Object invokeCall(Object call, int kind) throws Exception {
    switch (kind) {
      case SUPPLIER:
        return ((Supplier<Object>) call).get();
      case CHECKED:
        return ((CheckedSupplier<Object>) call).get();
      case RUNNABLE:
      default:
        ((Runnable) call).run();
        return null;
    }
  }

  private @Nullable Object hedgedSync(Object call, int kind, @Nullable Deadline deadline) throws Throwable {
    HedgeGroup group = new HedgeGroup(this, deadline);
    CompletableFuture<@Nullable Object> winner =
        group.start(
            g -> {
              CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();
              HedgeGroup.InterruptibleTask task =
                  new HedgeGroup.InterruptibleTask(
                      () -> {
                        Deadline previous = deadline == null ? null : CurrentDeadline.swap(deadline);
                        try {
                          outcome.complete(attempt(call, kind, deadline, g));
                        } catch (Throwable t) {
                          outcome.completeExceptionally(t);
                        } finally {
                          if (deadline != null) {
                            CurrentDeadline.swap(previous);
                          }
                        }
                      });
              hedgeExecutor.execute(task);
              return new HedgeGroup.Attempt(outcome, task::cancel);
            });
    try {
      return winner.get();
    } catch (ExecutionException e) {
      throw Objects.requireNonNullElse(e.getCause(), e);
    } catch (InterruptedException e) {
      group.cancelAll();
      Thread.currentThread().interrupt();
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Asynchronous calls

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<? extends CompletionStage<T>> call) {
    Objects.requireNonNull(call, "call");
    checkKeyed();
    return new AsyncCall<T>(this, call, callDeadline(CurrentDeadline.get())).start();
  }

  @Override
  public <T> CompletionStage<T> executeAsync(
      Supplier<? extends CompletionStage<T>> call, Function<? super Throwable, ? extends T> fallback) {
    Objects.requireNonNull(fallback, "fallback");
    return executeAsync(call)
        .exceptionally(
            failure -> {
              PipelineMetrics m = metrics;
              if (m != null) {
                m.fallback.increment();
              }
              return fallback.apply(AsyncCall.unwrap(failure));
            });
  }

  // ---------------------------------------------------------------------------------------------------------

  /** The call's deadline: the earlier of the pipeline's and {@code inherited}; null if neither. */
  @Nullable Deadline callDeadline(@Nullable Deadline inherited) {
    if (deadlineNanos == 0) {
      return inherited;
    }
    Deadline own = Deadline.after(Objects.requireNonNull(settings.deadline()), time);
    return inherited == null ? own : own.min(inherited);
  }

  RandomGenerator random() {
    RandomGenerator r = random;
    return r == null ? ThreadLocalRandom.current() : r;
  }

  private void checkKeyed() {
    if (key == null && (settings.keyedBulkhead() != null || settings.keyedRateLimiter() != null)) {
      throw new IllegalStateException(
          "pipeline '" + name + "' has per-key limits: call it through withKey(key)");
    }
  }

  private static @Nullable Object resultOrThrow(@Nullable Object result, @Nullable Throwable failure)
      throws Throwable {
    if (failure != null) {
      throw failure;
    }
    return result;
  }

  @Override
  public String toString() {
    return "Pipeline[" + name + (key == null ? "" : ", key=" + key) + "]";
  }
}
