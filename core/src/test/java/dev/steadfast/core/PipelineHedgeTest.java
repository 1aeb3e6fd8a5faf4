package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.core.spi.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class PipelineHedgeTest {

  private final VirtualTime time = new VirtualTime();
  private final List<CompletableFuture<String>> attempts = new ArrayList<>();

  private CompletionStage<String> pendingAttempt() {
    CompletableFuture<String> attempt = new CompletableFuture<>();
    attempts.add(attempt);
    return attempt;
  }

  @Test
  void aSlowAttemptIsHedgedAfterTheDelayAndTheFirstSuccessWinsAndCancelsTheOthers() {
    Pipeline pipeline =
        Pipeline.builder("search").timeSource(time).hedge(HedgePolicy.afterDelay(Duration.ofMillis(50), 3)).build();

    CompletableFuture<String> result = pipeline.executeAsync(this::pendingAttempt).toCompletableFuture();
    assertThat(attempts).hasSize(1);

    time.advance(Duration.ofMillis(49));
    assertThat(attempts).hasSize(1);
    time.advance(Duration.ofMillis(1));
    assertThat(attempts).hasSize(2);

    attempts.get(1).complete("from hedge");

    assertThat(result).isCompletedWithValue("from hedge");
    assertThat(attempts.get(0)).isCancelled();
    time.advance(Duration.ofSeconds(1));
    assertThat(attempts).as("no hedge after the call is decided").hasSize(2);
  }

  @Test
  void neverMoreThanMaxAttempts() {
    Pipeline pipeline =
        Pipeline.builder("search").timeSource(time).hedge(HedgePolicy.afterDelay(Duration.ofMillis(10), 3)).build();
    CompletableFuture<String> result = pipeline.executeAsync(this::pendingAttempt).toCompletableFuture();
    time.advance(Duration.ofSeconds(10));
    assertThat(attempts).hasSize(3);
    attempts.get(0).complete("first");
    assertThat(result).isCompletedWithValue("first");
    assertThat(attempts.get(1)).isCancelled();
    assertThat(attempts.get(2)).isCancelled();
  }

  @Test
  void aFailedAttemptStartsTheNextHedgeAtOnce() {
    Pipeline pipeline =
        Pipeline.builder("search").timeSource(time).hedge(HedgePolicy.afterDelay(Duration.ofSeconds(1), 2)).build();
    CompletableFuture<String> result = pipeline.executeAsync(this::pendingAttempt).toCompletableFuture();
    attempts.get(0).completeExceptionally(new IllegalStateException("reset"));
    assertThat(attempts).hasSize(2);
    attempts.get(1).complete("second");
    assertThat(result).isCompletedWithValue("second");
    assertThat(time.elapsed()).isEqualTo(Duration.ZERO);
  }

  @Test
  void whenEveryAttemptFailsTheLastFailureIsReported() {
    Pipeline pipeline =
        Pipeline.builder("search").timeSource(time).hedge(HedgePolicy.afterDelay(Duration.ofMillis(10), 2)).build();
    CompletableFuture<String> result = pipeline.executeAsync(this::pendingAttempt).toCompletableFuture();
    attempts.get(0).completeExceptionally(new IllegalStateException("first"));
    attempts.get(1).completeExceptionally(new IllegalStateException("second"));
    assertThat(result).isCompletedExceptionally();
    assertThat(result.handle((value, failure) -> failure.getMessage()).join()).isEqualTo("second");
  }

  @Test
  void hedgesDrawOnTheRetryBudget() {
    RetryBudget empty = RetryBudget.percentOfRequests(0, Duration.ofSeconds(10), 0, time);
    Pipeline pipeline =
        Pipeline.builder("search")
            .timeSource(time)
            .retryBudget(empty)
            .hedge(HedgePolicy.afterDelay(Duration.ofMillis(10), 3))
            .build();
    pipeline.executeAsync(this::pendingAttempt);
    time.advance(Duration.ofSeconds(1));
    assertThat(attempts).as("the budget allows no hedge").hasSize(1);
  }

  @Test
  void aLearnedDelayFollowsThePercentileOfRecentLatencies() {
    HedgePolicy policy = HedgePolicy.atPercentile(90, Duration.ofMillis(1), 2);
    Pipeline pipeline = Pipeline.builder("search").timeSource(time).hedge(policy).build();
    assertThat(policy.delayNanos()).as("min delay until enough samples").isEqualTo(Duration.ofMillis(1).toNanos());

    for (int latencyMillis = 1; latencyMillis <= 100; latencyMillis++) {
      int first = attempts.size();
      CompletableFuture<String> result = pipeline.executeAsync(this::pendingAttempt).toCompletableFuture();
      time.advance(Duration.ofMillis(latencyMillis));
      attempts.get(first).complete("ok");
      assertThat(result).isCompletedWithValue("ok");
    }

    // Latencies 1..100 ms: the 90th percentile is about 90 ms (refreshed every 64 samples).
    assertThat(Duration.ofNanos(policy.delayNanos())).isBetween(Duration.ofMillis(80), Duration.ofMillis(95));
  }

  @Test
  void synchronousHedgesRunOnTheExecutorAndTheLoserIsInterrupted() throws Exception {
    CompletableFuture<Boolean> loserInterrupted = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    Pipeline pipeline =
        Pipeline.builder("search").hedge(HedgePolicy.afterDelay(Duration.ofMillis(20), 2)).build();

    String result =
        pipeline.execute(
            () -> {
              if (calls.incrementAndGet() == 1) {
                try {
                  new java.util.concurrent.CountDownLatch(1).await();
                } catch (InterruptedException e) {
                  loserInterrupted.complete(true);
                }
                return "slow";
              }
              return "hedge";
            });

    assertThat(result).isEqualTo("hedge");
    assertThat(loserInterrupted.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }
}
