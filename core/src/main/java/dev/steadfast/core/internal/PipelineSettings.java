package dev.steadfast.core.internal;

import dev.steadfast.core.AdaptiveLimit;
import dev.steadfast.core.HedgePolicy;
import dev.steadfast.core.KeyedBulkhead;
import dev.steadfast.core.KeyedRateLimiter;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.TimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/** What a pipeline is built from: the builder's settings, validated, with the breaker resolved. */
public record PipelineSettings(
    String name,
    TimeSource time,
    @Nullable RandomGenerator random,
    @Nullable MeterRegistry meterRegistry,
    @Nullable Duration deadline,
    @Nullable RetryBudget retryBudget,
    @Nullable RetryPolicy retry,
    @Nullable HedgePolicy hedge,
    @Nullable CircuitBreaker circuitBreaker,
    @Nullable KeyedBulkhead keyedBulkhead,
    @Nullable Bulkhead bulkhead,
    @Nullable AdaptiveLimit adaptiveLimit,
    @Nullable KeyedRateLimiter keyedRateLimiter,
    @Nullable RateLimiter rateLimiter,
    @Nullable Duration attemptTimeout) {}
