package dev.steadfast.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A pipeline's Micrometer meters, resolved once at build time so that a call only increments. Thread-safe.
 * Tags are bounded: the pipeline's name and a fixed set of outcomes and reasons, never a per-request value.
 *
 * <ul>
 *   <li>{@code steadfast.pipeline.calls} {pipeline, outcome=success|failure|fallback}
 *   <li>{@code steadfast.pipeline.retries} {pipeline, kind=retry|hedge}: retries and hedges sent
 *   <li>{@code steadfast.pipeline.retries.refused} {pipeline, reason=budget|deadline}: retries not sent
 *   <li>{@code steadfast.pipeline.timeouts} {pipeline, limit=attempt|deadline}
 *   <li>the breaker the pipeline created: Resilience4j's {@code resilience4j.circuitbreaker.*} meters
 * </ul>
 */
public final class PipelineMetrics {

  final Counter success;
  final Counter failure;
  final Counter fallback;
  final Counter retries;
  final Counter hedges;
  final Counter refusedByBudget;
  final Counter refusedByDeadline;
  final Counter attemptTimeouts;
  final Counter deadlineTimeouts;

  PipelineMetrics(String pipeline, MeterRegistry registry) {
    success = counter(registry, "steadfast.pipeline.calls", pipeline, "outcome", "success", "Calls through a pipeline");
    failure = counter(registry, "steadfast.pipeline.calls", pipeline, "outcome", "failure", "Calls through a pipeline");
    fallback = counter(registry, "steadfast.pipeline.calls", pipeline, "outcome", "fallback", "Calls through a pipeline");
    retries = counter(registry, "steadfast.pipeline.retries", pipeline, "kind", "retry", "Retries and hedges sent");
    hedges = counter(registry, "steadfast.pipeline.retries", pipeline, "kind", "hedge", "Retries and hedges sent");
    refusedByBudget =
        counter(registry, "steadfast.pipeline.retries.refused", pipeline, "reason", "budget", "Retries not sent");
    refusedByDeadline =
        counter(registry, "steadfast.pipeline.retries.refused", pipeline, "reason", "deadline", "Retries not sent");
    attemptTimeouts = counter(registry, "steadfast.pipeline.timeouts", pipeline, "limit", "attempt", "Timeouts");
    deadlineTimeouts = counter(registry, "steadfast.pipeline.timeouts", pipeline, "limit", "deadline", "Timeouts");
  }

  /** Binds Resilience4j's meters for a breaker the pipeline created itself. */
  static void bindCircuitBreaker(CircuitBreaker breaker, MeterRegistry registry) {
    // A registry holds only what it created: create a placeholder, swap ours in, then bind.
    CircuitBreakerRegistry single = CircuitBreakerRegistry.ofDefaults();
    single.circuitBreaker(breaker.getName());
    single.replace(breaker.getName(), breaker);
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(single).bindTo(registry);
  }

  private static Counter counter(
      MeterRegistry registry, String name, String pipeline, String key, String value, String description) {
    return Counter.builder(name)
        .description(description)
        .tag("pipeline", pipeline)
        .tag(key, value)
        .register(registry);
  }
}
