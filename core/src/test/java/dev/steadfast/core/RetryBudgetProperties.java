package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.core.spi.VirtualTime;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class RetryBudgetProperties {

  /** Under 100% failure, within one window: retries sent <= percent x requests + reserve. */
  @Property(tries = 200)
  void percentBudgetBoundsRetriesUnderTotalFailure(
      @ForAll @DoubleRange(min = 0.0, max = 1.0) double percent,
      @ForAll @IntRange(min = 0, max = 5) int minPerSecond,
      @ForAll @IntRange(min = 1, max = 300) int requests,
      @ForAll @IntRange(min = 1, max = 5) int maxAttempts) {
    VirtualTime time = new VirtualTime();
    RetryBudget budget = RetryBudget.percentOfRequests(percent, Duration.ofSeconds(10), minPerSecond, time);
    AtomicInteger attempts = new AtomicInteger();
    Pipeline pipeline =
        Pipeline.builder("p")
            .timeSource(time)
            .retryBudget(budget)
            .retry(RetryPolicy.builder().maxAttempts(maxAttempts).backoff(Backoff.none()).build())
            .build();

    for (int i = 0; i < requests; i++) {
      try {
        pipeline.run(
            () -> {
              attempts.incrementAndGet();
              throw new IllegalStateException("down");
            });
      } catch (IllegalStateException expected) {
        // every call fails
      }
    }

    int retries = attempts.get() - requests;
    assertThat((double) retries).isLessThanOrEqualTo(percent * requests + minPerSecond * 10.0 + 1e-9);
  }

  /** Under 100% failure, a token bucket allows at most half its tokens in retries. */
  @Property(tries = 200)
  void tokenBucketBoundsRetriesUnderTotalFailure(
      @ForAll @IntRange(min = 1, max = 100) int maxTokens,
      @ForAll @DoubleRange(min = 0.01, max = 1.0) double ratio,
      @ForAll @IntRange(min = 1, max = 300) int requests) {
    RetryBudget budget = RetryBudget.tokenBucket(maxTokens, ratio);
    AtomicInteger attempts = new AtomicInteger();
    Pipeline pipeline =
        Pipeline.builder("p")
            .retryBudget(budget)
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
            .build();
    for (int i = 0; i < requests; i++) {
      try {
        pipeline.run(
            () -> {
              attempts.incrementAndGet();
              throw new IllegalStateException("down");
            });
      } catch (IllegalStateException expected) {
        // every call fails
      }
    }
    int retries = attempts.get() - requests;
    assertThat(retries).isLessThanOrEqualTo((int) Math.ceil(maxTokens / 2.0));
  }

  @Property(tries = 50)
  void depositsExpireAfterTheWindow(@ForAll @IntRange(min = 10, max = 200) int requests) {
    VirtualTime time = new VirtualTime();
    RetryBudget budget = RetryBudget.percentOfRequests(0.5, Duration.ofSeconds(10), 0, time);
    for (int i = 0; i < requests; i++) {
      budget.onRequest();
    }
    assertThat(budget.available()).isEqualTo(requests * 0.5, org.assertj.core.data.Offset.offset(1e-6));
    time.advance(Duration.ofSeconds(11));
    assertThat(budget.available()).isZero();
    assertThat(budget.tryAcquireRetry()).isFalse();
  }
}
