package dev.steadfast.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
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

  // Breakers may be shared by several pipelines and rebuilt ones: subscribe to each breaker once.
  private static final Set<CircuitBreaker> SUBSCRIBED = Collections.newSetFromMap(new WeakHashMap<>());

  private final String pipeline;
  private final AtomicLong lastBudgetLog = new AtomicLong(Long.MIN_VALUE);

  PipelineEvents(String pipeline) {
    this.pipeline = pipeline;
  }

  void subscribe(CircuitBreaker breaker) {
    synchronized (SUBSCRIBED) {
      if (!SUBSCRIBED.add(breaker)) {
        return;
      }
    }
    String name = breaker.getName();
    breaker
        .getEventPublisher()
        .onStateTransition(
            event -> {
              CircuitBreaker.State to = event.getStateTransition().getToState();
              boolean opening = to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.FORCED_OPEN;
              LOG.atLevel(opening ? Level.WARN : Level.INFO)
                  .setMessage("circuit breaker changed state")
                  .addKeyValue("breaker", name)
                  .addKeyValue("from", event.getStateTransition().getFromState())
                  .addKeyValue("to", to)
                  .log();
            });
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
