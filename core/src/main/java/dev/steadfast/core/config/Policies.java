package dev.steadfast.core.config;

import dev.steadfast.core.AdaptiveLimit;
import dev.steadfast.core.Backoff;
import dev.steadfast.core.HedgePolicy;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.config.PipelineSpec.AdaptiveLimitSettings;
import dev.steadfast.core.config.PipelineSpec.BreakerSettings;
import dev.steadfast.core.config.PipelineSpec.BulkheadSettings;
import dev.steadfast.core.config.PipelineSpec.HedgeSettings;
import dev.steadfast.core.config.PipelineSpec.RateLimiterSettings;
import dev.steadfast.core.config.PipelineSpec.RetrySettings;
import dev.steadfast.core.spi.TimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.util.concurrent.TimeUnit;

/**
 * Builds each policy from its validated settings through the public API of the core and of Resilience4j, so that
 * their own checks apply to configured policies as well.
 */
final class Policies {

  private Policies() {}

  static RetryPolicy retry(RetrySettings settings) {
    Backoff backoff =
        switch (settings.backoff()) {
          case NONE -> Backoff.none();
          case FIXED -> Backoff.fixed(settings.initialDelay()).withJitter(settings.jitter());
          case EXPONENTIAL ->
              Backoff.exponential(settings.initialDelay(), settings.multiplier(), settings.maxDelay())
                  .withJitter(settings.jitter());
        };
    return RetryPolicy.builder()
        .maxAttempts(settings.maxAttempts())
        .backoff(backoff)
        .maxPushback(settings.maxPushback())
        .build();
  }

  static HedgePolicy hedge(HedgeSettings settings) {
    Double percentile = settings.percentile();
    if (percentile != null) {
      return HedgePolicy.atPercentile(percentile, settings.minDelay(), settings.maxAttempts());
    }
    var delay = settings.delay();
    if (delay == null) {
      throw new IllegalStateException("hedge settings with neither a delay nor a percentile: " + settings);
    }
    return HedgePolicy.afterDelay(delay, settings.maxAttempts());
  }

  /**
   * A breaker named {@code name} on {@code time} (so that it opens, waits and half-opens in virtual time in tests),
   * as {@link dev.steadfast.core.PipelineBuilder#circuitBreaker(CircuitBreakerConfig)} would build it.
   */
  static CircuitBreaker circuitBreaker(String name, BreakerSettings settings, TimeSource time) {
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .failureRateThreshold((float) settings.failureRateThreshold())
            .slidingWindowSize(settings.slidingWindowSize())
            .minimumNumberOfCalls(settings.minimumNumberOfCalls())
            .waitDurationInOpenState(settings.waitInOpen())
            .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpen())
            .slowCallDurationThreshold(settings.slowCallDuration())
            .slowCallRateThreshold((float) settings.slowCallRateThreshold())
            .clock(time.clock())
            .currentTimestampFunction(clock -> time.nanoTime(), TimeUnit.NANOSECONDS)
            .build();
    return CircuitBreaker.of(name, config);
  }

  static Bulkhead bulkhead(String name, BulkheadSettings settings) {
    return Bulkhead.of(
        name,
        BulkheadConfig.custom()
            .maxConcurrentCalls(settings.maxConcurrentCalls())
            .maxWaitDuration(settings.maxWait())
            .build());
  }

  static RateLimiter rateLimiter(String name, RateLimiterSettings settings) {
    return RateLimiter.of(
        name,
        RateLimiterConfig.custom()
            .limitForPeriod(settings.limitForPeriod())
            .limitRefreshPeriod(settings.period())
            .timeoutDuration(settings.timeout())
            .build());
  }

  static AdaptiveLimit adaptiveLimit(String name, AdaptiveLimitSettings settings, TimeSource time) {
    return switch (settings.algorithm()) {
      case GRADIENT ->
          AdaptiveLimit.gradient(name, settings.initialLimit(), settings.minLimit(), settings.maxLimit(), time);
      case AIMD ->
          AdaptiveLimit.aimd(
              name,
              settings.initialLimit(),
              settings.minLimit(),
              settings.maxLimit(),
              settings.backoffRatio(),
              settings.timeout(),
              time);
    };
  }

  static RetryBudget retryBudget(BudgetSpec spec, TimeSource time) {
    return switch (spec.type()) {
      case PERCENT ->
          RetryBudget.percentOfRequests(spec.percent(), spec.window(), spec.minRetriesPerSecond(), time);
      case TOKEN_BUCKET -> RetryBudget.tokenBucket(spec.maxTokens(), spec.tokenRatio());
    };
  }
}
