package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.spi.VirtualTime;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PipelineCompositionTest {

  private final VirtualTime time = new VirtualTime();

  private static CircuitBreakerConfig breakerOpeningAfter(int calls) {
    return CircuitBreakerConfig.custom()
        .slidingWindowSize(calls)
        .minimumNumberOfCalls(calls)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(30))
        .permittedNumberOfCallsInHalfOpenState(1)
        .build();
  }

  @Test
  void theBreakerRecordsEveryAttemptOnceAndItsRejectionIsNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline =
        Pipeline.builder("payments")
            .timeSource(time)
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
            .circuitBreaker(breakerOpeningAfter(4))
            .build();
    CircuitBreaker breaker = ((dev.steadfast.core.internal.PipelineEngine) pipeline).circuitBreaker();

    assertThatThrownBy(() -> pipeline.run(() -> failWith(calls))).isInstanceOf(IllegalStateException.class);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(3);
    // The 4th attempt opens the breaker; the 5th is rejected and the rejection is not retried.
    assertThatThrownBy(() -> pipeline.run(() -> failWith(calls))).isInstanceOf(CallNotPermittedException.class);
    assertThat(calls).hasValue(4);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aBreakerBuiltFromConfigWaitsItsOpenStateInVirtualTime() {
    Pipeline pipeline =
        Pipeline.builder("payments").timeSource(time).circuitBreaker(breakerOpeningAfter(2)).build();
    AtomicInteger calls = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> pipeline.run(() -> failWith(calls))).isInstanceOf(IllegalStateException.class);
    }
    assertThatThrownBy(() -> pipeline.execute(() -> "x")).isInstanceOf(CallNotPermittedException.class);

    time.advance(Duration.ofSeconds(29));
    assertThatThrownBy(() -> pipeline.execute(() -> "x")).isInstanceOf(CallNotPermittedException.class);
    time.advance(Duration.ofMillis(1001)); // Resilience4j half-opens strictly after the wait
    assertThat(pipeline.execute(() -> "x")).isEqualTo("x");
  }

  @Test
  void aFullBulkheadRejectsAndReleasesTheBreakersPermission() throws Exception {
    Bulkhead bulkhead = Bulkhead.of("payments", BulkheadConfig.custom().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build());
    Pipeline pipeline =
        Pipeline.builder("payments").timeSource(time).circuitBreaker(breakerOpeningAfter(2)).bulkhead(bulkhead).build();
    CircuitBreaker breaker = ((dev.steadfast.core.internal.PipelineEngine) pipeline).circuitBreaker();
    CompletableFuture<String> pending = new CompletableFuture<>();
    CompletableFuture<String> first = pipeline.executeAsync(() -> pending).toCompletableFuture();

    assertThatThrownBy(() -> pipeline.execute(() -> "second")).isInstanceOf(BulkheadFullException.class);
    assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).as("a rejection is no outcome").isZero();

    pending.complete("first");
    assertThat(first).isCompletedWithValue("first");
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
    assertThat(pipeline.execute(() -> "third")).isEqualTo("third");
  }

  @Test
  void asynchronousRetriesWaitOnTheTimeSource() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline =
        Pipeline.builder("payments")
            .timeSource(time)
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.fixed(Duration.ofSeconds(1))).build())
            .build();

    CompletableFuture<String> result =
        pipeline
            .executeAsync(
                () ->
                    calls.incrementAndGet() < 3
                        ? CompletableFuture.<String>failedFuture(new IllegalStateException("down"))
                        : CompletableFuture.completedFuture("ok"))
            .toCompletableFuture();

    assertThat(calls).hasValue(1);
    time.advance(Duration.ofSeconds(1));
    assertThat(calls).hasValue(2);
    assertThat(result).isNotDone();
    time.advance(Duration.ofSeconds(1));
    assertThat(result).isCompletedWithValue("ok");
  }

  @Test
  void anAsynchronousAttemptTimeoutCancelsTheFuture() {
    Pipeline pipeline =
        Pipeline.builder("payments").timeSource(time).attemptTimeout(Duration.ofMillis(100)).build();
    CompletableFuture<String> never = new CompletableFuture<>();
    CompletableFuture<String> result = pipeline.executeAsync(() -> never).toCompletableFuture();

    time.advance(Duration.ofMillis(100));

    assertThat(never).isCancelled();
    assertThatThrownBy(result::join).hasCauseInstanceOf(AttemptTimeoutException.class);
    String fallback =
        pipeline.executeAsync(() -> new CompletableFuture<String>(), failure -> "fallback").toCompletableFuture().getNow("pending");
    assertThat(fallback).isEqualTo("pending");
    time.advance(Duration.ofMillis(100));
  }

  @Test
  void keyedLimitsNeedAKeyAndGiveEachKeyItsOwnShare() {
    KeyedBulkhead perTenant =
        KeyedBulkhead.of(
            "tenants", BulkheadConfig.custom().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build(), 100, Duration.ofMinutes(5));
    Pipeline pipeline = Pipeline.builder("api").timeSource(time).keyedBulkhead(perTenant).build();

    assertThatThrownBy(() -> pipeline.execute(() -> "x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("pipeline 'api' has per-key limits: call it through withKey(key)");

    CompletableFuture<String> busy = new CompletableFuture<>();
    pipeline.withKey("noisy").executeAsync(() -> busy);
    assertThatThrownBy(() -> pipeline.withKey("noisy").execute(() -> "x")).isInstanceOf(BulkheadFullException.class);
    assertThat(pipeline.withKey("quiet").execute(() -> "served")).isEqualTo("served");
    busy.complete("done");
    assertThat(pipeline.withKey("noisy").execute(() -> "again")).isEqualTo("again");
  }

  @Test
  void keyedRateLimitersBoundTheKeySpace() {
    KeyedRateLimiter perKey =
        KeyedRateLimiter.of(
            "keys",
            RateLimiterConfig.custom().limitForPeriod(1).limitRefreshPeriod(Duration.ofMinutes(1)).timeoutDuration(Duration.ZERO).build(),
            10,
            Duration.ofMinutes(5));
    Pipeline pipeline = Pipeline.builder("api").timeSource(time).keyedRateLimiter(perKey).build();
    assertThat(pipeline.withKey("a").execute(() -> 1)).isEqualTo(1);
    assertThatThrownBy(() -> pipeline.withKey("a").execute(() -> 2)).isInstanceOf(RequestNotPermitted.class);
    for (int i = 0; i < 100; i++) {
      pipeline.withKey("k" + i).execute(() -> 3);
    }
    perKey.forKey("probe");
    assertThat(perKey.keys()).isLessThanOrEqualTo(11);
  }

  @Test
  void anAdaptiveLimitRejectsBeyondItsLimit() {
    AdaptiveLimit limit = AdaptiveLimit.aimd("db", 1, 1, 10, 0.9, Duration.ofSeconds(1), time);
    Pipeline pipeline = Pipeline.builder("db").timeSource(time).adaptiveLimit(limit).build();
    CompletableFuture<String> busy = new CompletableFuture<>();
    pipeline.executeAsync(() -> busy);
    assertThatThrownBy(() -> pipeline.execute(() -> "x"))
        .isInstanceOf(LimitExceededException.class)
        .hasMessage("concurrency limit 'db' reached");
    busy.complete("done");
    assertThat(pipeline.execute(() -> "y")).isEqualTo("y");
  }

  private static String failWith(AtomicInteger calls) {
    calls.incrementAndGet();
    throw new IllegalStateException("down");
  }

  @Test
  void anAsynchronousCallOverTheRateIsRefusedAndReleasesItsBulkheadPermit() {
    Bulkhead bulkhead = Bulkhead.of("rated", BulkheadConfig.custom().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build());
    io.github.resilience4j.ratelimiter.RateLimiter limiter =
        io.github.resilience4j.ratelimiter.RateLimiter.of(
            "rated",
            RateLimiterConfig.custom().limitForPeriod(1).limitRefreshPeriod(Duration.ofMinutes(1)).timeoutDuration(Duration.ZERO).build());
    Pipeline pipeline = Pipeline.builder("rated").timeSource(time).bulkhead(bulkhead).rateLimiter(limiter).build();

    assertThat(pipeline.executeAsync(() -> CompletableFuture.completedFuture("first")).toCompletableFuture())
        .isCompletedWithValue("first");
    CompletableFuture<String> second =
        pipeline.executeAsync(() -> CompletableFuture.completedFuture("second")).toCompletableFuture();

    assertThatThrownBy(second::join).hasCauseInstanceOf(RequestNotPermitted.class);
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
  }
}
