package dev.steadfast.core.internal;

import dev.steadfast.core.AdaptiveLimit;
import dev.steadfast.core.AttemptTimeoutException;
import dev.steadfast.core.Deadline;
import dev.steadfast.core.DeadlineExceededException;
import dev.steadfast.core.LimitExceededException;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.TimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One asynchronous call through a pipeline: the same order as the synchronous path, driven by callbacks.
 * Retries and rate-limit waits are scheduled on the pipeline's time source; a timeout completes the attempt
 * with the timeout exception and cancels the call's future. Thread-safe by confinement: each step runs after
 * the previous one completed.
 */
final class AsyncCall<T> {

  private final PipelineEngine engine;
  private final Supplier<? extends CompletionStage<T>> call;
  private final @Nullable Deadline deadline;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private int attempt;
  private long previousDelay;

  AsyncCall(PipelineEngine engine, Supplier<? extends CompletionStage<T>> call, @Nullable Deadline deadline) {
    this.engine = engine;
    this.call = call;
    this.deadline = deadline;
  }

  CompletionStage<T> start() {
    RetryBudget budget = engine.budget;
    if (budget != null) {
      budget.onRequest();
    }
    nextAttempt();
    return result;
  }

  private void nextAttempt() {
    if (result.isDone()) {
      return; // the caller cancelled
    }
    attempt++;
    CompletableFuture<@Nullable Object> outcome;
    if (engine.hedge == null) {
      outcome = attempt(null).outcome();
    } else {
      outcome = new HedgeGroup(engine, deadline).start(this::attempt);
    }
    CompletableFuture<?> unused = outcome.whenComplete(this::onAttemptDone);
  }

  private void onAttemptDone(@Nullable Object value, @Nullable Throwable thrown) {
    Throwable failure = thrown == null ? null : unwrap(thrown);
    RetryPolicy retry = engine.retry;
    if (retry != null
        && attempt < retry.maxAttempts()
        && (failure == null ? retry.retriesOnResult(value) : retry.retriesOn(failure))) {
      long delay = retry.delayNanos(attempt, previousDelay, value, failure, engine.random());
      if (engine.mayRetry(deadline, delay, false)) {
        previousDelay = delay;
        engine.time.schedule(this::nextAttempt, delay);
        return;
      }
    }
    finish(value, failure);
  }

  @SuppressWarnings("unchecked")
  private void finish(@Nullable Object value, @Nullable Throwable failure) {
    PipelineMetrics metrics = engine.metrics;
    if (failure == null) {
      if (metrics != null) {
        metrics.success.increment();
      }
      result.complete((T) value);
    } else {
      if (metrics != null) {
        metrics.failure.increment();
      }
      result.completeExceptionally(failure);
    }
  }

  /** One attempt: permits, then the call under its timeout; outcomes recorded when it completes. */
  private HedgeGroup.Attempt attempt(@Nullable HedgeGroup group) {
    CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();
    CircuitBreaker cb = engine.breaker;
    if (cb != null && !cb.tryAcquirePermission()) {
      engine.observeBreaker();
      outcome.completeExceptionally(CallNotPermittedException.createCallNotPermittedException(cb));
      return new HedgeGroup.Attempt(outcome, () -> {});
    }
    Bulkhead kb = engine.keyedBulkhead;
    if (kb != null && !kb.tryAcquirePermission()) {
      release(cb, null, null);
      outcome.completeExceptionally(BulkheadFullException.createBulkheadFullException(kb));
      return new HedgeGroup.Attempt(outcome, () -> {});
    }
    Bulkhead bh = engine.bulkhead;
    if (bh != null && !bh.tryAcquirePermission()) {
      release(cb, kb, null);
      outcome.completeExceptionally(BulkheadFullException.createBulkheadFullException(bh));
      return new HedgeGroup.Attempt(outcome, () -> {});
    }
    AdaptiveLimit.Permit permit = null;
    AdaptiveLimit limit = engine.adaptiveLimit;
    if (limit != null) {
      permit = limit.tryAcquire();
      if (permit == null) {
        release(cb, kb, bh);
        outcome.completeExceptionally(new LimitExceededException(limit.name()));
        return new HedgeGroup.Attempt(outcome, () -> {});
      }
    }
    long waitNanos = 0;
    RateLimiter refusing = null;
    long keyedWait = reserve(engine.keyedRateLimiter);
    if (keyedWait < 0) {
      refusing = engine.keyedRateLimiter;
    } else {
      long sharedWait = reserve(engine.rateLimiter);
      if (sharedWait < 0) {
        refusing = engine.rateLimiter;
      } else {
        waitNanos = Math.max(keyedWait, sharedWait);
      }
    }
    if (refusing != null) {
      release(cb, kb, bh);
      if (permit != null) {
        permit.onIgnore();
      }
      outcome.completeExceptionally(RequestNotPermitted.createRequestNotPermitted(refusing));
      return new HedgeGroup.Attempt(outcome, () -> {});
    }
    AdaptiveLimit.Permit granted = permit;
    Invocation invocation = new Invocation(outcome, group, cb, kb, bh, granted);
    if (waitNanos > 0) {
      engine.time.schedule(invocation::invoke, waitNanos);
    } else {
      invocation.invoke();
    }
    return new HedgeGroup.Attempt(outcome, invocation::cancel);
  }

  /** Reserves a permit: nanoseconds to wait (0 for none or no limiter), or -1 when refused. */
  private static long reserve(@Nullable RateLimiter limiter) {
    return limiter == null ? 0 : limiter.reservePermission();
  }

  private static void release(@Nullable CircuitBreaker cb, @Nullable Bulkhead kb, @Nullable Bulkhead bh) {
    if (cb != null) {
      cb.releasePermission();
    }
    if (kb != null) {
      kb.onComplete();
    }
    if (bh != null) {
      bh.onComplete();
    }
  }

  /** The call of one attempt, after its permits were granted. */
  private final class Invocation {
    private final CompletableFuture<@Nullable Object> outcome;
    private final @Nullable HedgeGroup group;
    private final @Nullable CircuitBreaker cb;
    private final @Nullable Bulkhead kb;
    private final @Nullable Bulkhead bh;
    private final AdaptiveLimit.@Nullable Permit permit;
    private volatile @Nullable CompletableFuture<T> running;

    Invocation(
        CompletableFuture<@Nullable Object> outcome,
        @Nullable HedgeGroup group,
        @Nullable CircuitBreaker cb,
        @Nullable Bulkhead kb,
        @Nullable Bulkhead bh,
        AdaptiveLimit.@Nullable Permit permit) {
      this.outcome = outcome;
      this.group = group;
      this.cb = cb;
      this.kb = kb;
      this.bh = bh;
      this.permit = permit;
    }

    void invoke() {
      long timeout = engine.attemptTimeoutNanos;
      boolean byDeadline = false;
      Deadline d = deadline;
      if (d != null) {
        long left = d.remainingNanos();
        if (left <= 0) {
          release(cb, kb, bh);
          if (permit != null) {
            permit.onIgnore();
          }
          outcome.completeExceptionally(engine.timeoutException(true, null));
          return;
        }
        if (timeout == 0 || left < timeout) {
          timeout = left;
          byDeadline = true;
        }
      }
      long start = cb == null ? 0 : cb.getCurrentTimestamp();
      CompletableFuture<?> unused = outcome.whenComplete((value, failure) -> record(start, value, failure));
      CompletableFuture<T> future;
      Deadline previous = d == null ? null : CurrentDeadline.swap(d);
      try {
        future = call.get().toCompletableFuture();
      } catch (Throwable t) {
        future = CompletableFuture.failedFuture(t);
      } finally {
        if (d != null) {
          CurrentDeadline.swap(previous);
        }
      }
      running = future;
      TimeSource.Cancellable timer = null;
      if (timeout > 0) {
        boolean deadlineBound = byDeadline;
        CompletableFuture<T> toCancel = future;
        timer =
            engine.time.schedule(
                () -> {
                  if (outcome.completeExceptionally(engine.timeoutException(deadlineBound, null))) {
                    toCancel.cancel(true);
                  }
                },
                timeout);
      }
      TimeSource.Cancellable armed = timer;
      CompletableFuture<?> unusedToo =
          future.whenComplete(
          (value, failure) -> {
            if (armed != null) {
              armed.cancel();
            }
            if (failure == null) {
              outcome.complete(value);
            } else {
              outcome.completeExceptionally(unwrap(failure));
            }
          });
    }

    void cancel() {
      CompletableFuture<T> future = running;
      if (future != null) {
        future.cancel(true);
      }
      outcome.cancel(false);
    }

    private void record(long start, @Nullable Object value, @Nullable Throwable thrown) {
      boolean lostHedge = group != null && group.isDecided() && thrown != null;
      if (cb != null) {
        long elapsed = cb.getCurrentTimestamp() - start;
        if (lostHedge) {
          cb.releasePermission();
        } else if (thrown == null) {
          cb.onResult(elapsed, cb.getTimestampUnit(), value);
        } else {
          cb.onError(elapsed, cb.getTimestampUnit(), unwrap(thrown));
        }
        engine.observeBreaker();
      }
      if (permit != null) {
        if (thrown == null) {
          permit.onSuccess();
        } else if (!lostHedge
            && (thrown instanceof AttemptTimeoutException || thrown instanceof DeadlineExceededException)) {
          permit.onDropped();
        } else {
          permit.onIgnore();
        }
      }
      RetryBudget budget = engine.budget;
      if (budget != null && !lostHedge) {
        if (thrown == null) {
          budget.onSuccess();
        } else {
          budget.onFailure();
        }
      }
      if (bh != null) {
        bh.onComplete();
      }
      if (kb != null) {
        kb.onComplete();
      }
    }
  }

  /** The exception a stage failed with, without the wrappers that {@code CompletableFuture} adds. */
  static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
