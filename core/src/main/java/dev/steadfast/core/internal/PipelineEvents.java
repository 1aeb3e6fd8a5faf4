package dev.steadfast.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The log events of pipelines: state changes only, never one line per call. SLF4J 2 key-value pairs, so a JSON
 * encoder gets fields. Thread-safe.
 *
 * <ul>
 *   <li>breaker transitions: WARN when it opens (or is forced open), INFO otherwise;
 *   <li>a retry budget refusing retries: WARN, at most once per pipeline every 10 s.
 * </ul>
 */
public final class PipelineEvents {

  static final Logger LOG = LoggerFactory.getLogger("dev.steadfast.core.Pipeline");
  private static final long BUDGET_LOG_INTERVAL_NANOS = 10_000_000_000L;

  // Breakers may be shared by several pipelines and rebuilt ones: one watch per breaker, so each change is
  // logged once.
  // @GuardedBy("WATCHES")
  private static final Map<CircuitBreaker, BreakerWatch> WATCHES = new WeakHashMap<>();

  private final String pipeline;
  private final AtomicLong lastBudgetLog = new AtomicLong(Long.MIN_VALUE);

  PipelineEvents(String pipeline) {
    this.pipeline = pipeline;
  }

  /** The watch of {@code breaker}'s state, shared by every pipeline that uses the breaker. */
  static BreakerWatch watch(CircuitBreaker breaker) {
    synchronized (WATCHES) {
      return WATCHES.computeIfAbsent(breaker, b -> new BreakerWatch(b.getName(), b.getState()));
    }
  }

  /**
   * Logs a breaker's state changes as pipeline calls see them. Thread-safe.
   *
   * <p>Why not Resilience4j's event publisher: once any consumer is registered there, even one for state
   * transitions only, the breaker builds an event (with a {@code ZonedDateTime}) for every call it records,
   * for every user of the breaker; measured at 45 ns and 120 B per call (docs/benchmarks.md). Reading the
   * state after each attempt costs one volatile read. The price: a change is logged once, by the first call
   * that sees it, from the state seen before; a change made outside any pipeline call (a forced transition, an
   * automatic open-to-half-open) is logged at the next call.
   */
  static final class BreakerWatch {
    private final String breaker;
    private final AtomicReference<CircuitBreaker.State> seen;

    BreakerWatch(String breaker, CircuitBreaker.State initial) {
      this.breaker = breaker;
      this.seen = new AtomicReference<>(initial);
    }

    /** Logs the change if {@code now} differs from the state seen last (once, whichever thread wins). */
    void observe(CircuitBreaker.State now) {
      CircuitBreaker.State last = seen.get();
      if (now != last && seen.compareAndSet(last, now)) {
        boolean opening = now == CircuitBreaker.State.OPEN || now == CircuitBreaker.State.FORCED_OPEN;
        LOG.atLevel(opening ? Level.WARN : Level.INFO)
            .setMessage("circuit breaker changed state")
            .addKeyValue("breaker", breaker)
            .addKeyValue("from", last)
            .addKeyValue("to", now)
            .log();
      }
    }
  }

  void budgetRefused(long nowNanos, double available) {
    long last = lastBudgetLog.get();
    if (last != Long.MIN_VALUE && nowNanos - last < BUDGET_LOG_INTERVAL_NANOS) {
      return;
    }
    if (lastBudgetLog.compareAndSet(last, nowNanos)) {
      LOG.atWarn()
          .setMessage("retry budget exhausted: retries are not sent")
          .addKeyValue("pipeline", pipeline)
          .addKeyValue("available", available)
          .log();
    }
  }
}
