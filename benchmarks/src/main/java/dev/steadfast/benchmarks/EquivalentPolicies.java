package dev.steadfast.benchmarks;

import dev.failsafe.Bulkhead;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.RetryPolicy;
import dev.failsafe.Timeout;
import dev.steadfast.core.Backoff;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The same policies written for each library, so that every benchmark compares like with like: 3 attempts
 * with exponential backoff (100 ms, x2, at most 10 s); a count-based breaker over the last 100 calls that opens
 * at 50% failures and stays open 60 s; a bulkhead of 25 concurrent calls that does not wait; a 2 s bound on the
 * whole call. Every call succeeds, so no backoff is ever waited and no breaker opens.
 *
 * <p>Known differences that do not touch the success path: Resilience4j's breaker decides only after 100
 * calls ({@code minimumNumberOfCalls}), Failsafe's as soon as 50 of the last 100 failed; Failsafe's and
 * Resilience4j's retries retry every exception, Steadfast's every exception but local rejections.
 */
final class EquivalentPolicies {

  static final int MAX_ATTEMPTS = 3;
  static final Duration BACKOFF_INITIAL = Duration.ofMillis(100);
  static final double BACKOFF_MULTIPLIER = 2.0;
  static final Duration BACKOFF_MAX = Duration.ofSeconds(10);
  static final int BREAKER_WINDOW = 100;
  static final int BREAKER_FAILURE_PERCENT = 50;
  static final Duration BREAKER_OPEN_FOR = Duration.ofSeconds(60);
  static final int BULKHEAD_MAX_CONCURRENT = 25;
  static final Duration DEADLINE = Duration.ofSeconds(2);

  /** What the downstream returns: preallocated, so the call itself allocates nothing. */
  static final Object RESULT = new Object();

  /** The downstream call: returns {@link #RESULT}. */
  static final Supplier<Object> DOWNSTREAM = () -> RESULT;

  /** The downstream call as Failsafe takes it. */
  static final dev.failsafe.function.CheckedSupplier<Object> FAILSAFE_DOWNSTREAM = () -> RESULT;

  private EquivalentPolicies() {}

  // Resilience4j (Steadfast takes its breaker and bulkhead as they are)

  static Retry r4jRetry(String name) {
    return Retry.of(
        name,
        RetryConfig.custom()
            .maxAttempts(MAX_ATTEMPTS)
            .intervalFunction(
                IntervalFunction.ofExponentialBackoff(BACKOFF_INITIAL, BACKOFF_MULTIPLIER, BACKOFF_MAX))
            .build());
  }

  static io.github.resilience4j.circuitbreaker.CircuitBreaker r4jBreaker(String name) {
    return io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
        name,
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(BREAKER_WINDOW)
            .minimumNumberOfCalls(BREAKER_WINDOW)
            .failureRateThreshold(BREAKER_FAILURE_PERCENT)
            .waitDurationInOpenState(BREAKER_OPEN_FOR)
            .build());
  }

  static io.github.resilience4j.bulkhead.Bulkhead r4jBulkhead(String name) {
    return io.github.resilience4j.bulkhead.Bulkhead.of(
        name,
        BulkheadConfig.custom()
            .maxConcurrentCalls(BULKHEAD_MAX_CONCURRENT)
            .maxWaitDuration(Duration.ZERO)
            .build());
  }

  // Steadfast

  static dev.steadfast.core.RetryPolicy steadfastRetry() {
    return dev.steadfast.core.RetryPolicy.builder()
        .maxAttempts(MAX_ATTEMPTS)
        .backoff(Backoff.exponential(BACKOFF_INITIAL, BACKOFF_MULTIPLIER, BACKOFF_MAX))
        .build();
  }

  // Failsafe

  static RetryPolicy<Object> failsafeRetry() {
    return RetryPolicy.builder()
        .withMaxAttempts(MAX_ATTEMPTS)
        .withBackoff(BACKOFF_INITIAL, BACKOFF_MAX, BACKOFF_MULTIPLIER)
        .build();
  }

  static CircuitBreaker<Object> failsafeBreaker() {
    return CircuitBreaker.builder()
        .withFailureThreshold(BREAKER_WINDOW * BREAKER_FAILURE_PERCENT / 100, BREAKER_WINDOW)
        .withDelay(BREAKER_OPEN_FOR)
        .build();
  }

  static Bulkhead<Object> failsafeBulkhead() {
    return Bulkhead.builder(BULKHEAD_MAX_CONCURRENT).withMaxWaitTime(Duration.ZERO).build();
  }

  /** Interrupts the call when it passes, like a Steadfast deadline. */
  static Timeout<Object> failsafeTimeout() {
    return Timeout.builder(DEADLINE).withInterrupt().build();
  }
}
