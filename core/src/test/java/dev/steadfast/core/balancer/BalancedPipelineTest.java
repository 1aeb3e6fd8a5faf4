package dev.steadfast.core.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.Backoff;
import dev.steadfast.core.HedgePolicy;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.balancer.internal.BalancerEngine;
import dev.steadfast.core.spi.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A balancer under a pipeline: each retry goes to another host, within the pipeline's budget. */
class BalancedPipelineTest {

  private final VirtualTime time = new VirtualTime();

  private LoadBalancer balancer(Strategy strategy) {
    return LoadBalancer.builder("svc")
        .endpoints(IntStream.range(0, 3).mapToObj(i -> Endpoint.of("h" + i)).toList())
        .strategy(strategy)
        .timeSource(time)
        .random(new SplittableRandom(3))
        .build();
  }

  @Test
  void eachRetryGoesToAnotherHostThanTheAttemptBefore() {
    for (Strategy strategy : LoadBalancerTest.allStrategies()) {
      LoadBalancer lb = balancer(strategy);
      Pipeline pipeline =
          Pipeline.builder("svc")
              .timeSource(time)
              .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
              .build();
      for (int call = 0; call < 20; call++) {
        List<String> hosts = new ArrayList<>();
        assertThatThrownBy(
                () ->
                    pipeline.execute(
                        lb.attempts(
                            endpoint -> {
                              hosts.add(endpoint.address());
                              throw new IllegalStateException("503 from " + endpoint.address());
                            })))
            .isInstanceOf(IllegalStateException.class);
        assertThat(hosts).as(strategy.name()).hasSize(3);
        assertThat(hosts.get(1)).as(strategy.name()).isNotEqualTo(hosts.get(0));
        assertThat(hosts.get(2)).as(strategy.name()).isNotEqualTo(hosts.get(1));
      }
    }
  }

  @Test
  void aRetryOnAnotherHostSucceedsWhereTheFirstFailed() {
    LoadBalancer lb = balancer(Strategy.roundRobin());
    Pipeline pipeline =
        Pipeline.builder("svc")
            .timeSource(time)
            .retry(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none()).build())
            .build();
    String answer =
        pipeline.execute(
            lb.attempts(
                endpoint -> {
                  if (endpoint.address().equals("h0")) {
                    throw new IllegalStateException("h0 is down");
                  }
                  return "ok from " + endpoint.address();
                }));
    assertThat(answer).isEqualTo("ok from h1");
  }

  @Test
  void retriesAcrossHostsStayWithinTheSharedRetryBudget() {
    LoadBalancer lb = balancer(Strategy.peakEwma());
    int[] attempts = new int[1];
    Pipeline pipeline =
        Pipeline.builder("svc")
            .timeSource(time)
            .retryBudget(RetryBudget.tokenBucket(4, 0.1))
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
            .build();
    for (int call = 0; call < 10; call++) {
      try {
        pipeline.execute(
            lb.attempts(
                endpoint -> {
                  attempts[0]++;
                  throw new IllegalStateException("down");
                }));
      } catch (IllegalStateException expected) {
        // every host is down
      }
    }
    // 10 originals and at most half the bucket's 4 tokens in retries
    assertThat(attempts[0]).isLessThanOrEqualTo(12);
  }

  @Test
  void asyncAttemptsReportWhenTheStageCompletesAndReleaseWhenCancelled() {
    LoadBalancer lb = balancer(Strategy.leastRequest(2));
    BalancerEngine engine = (BalancerEngine) lb;
    List<CompletableFuture<String>> stages = new ArrayList<>();
    List<Endpoint> picked = new ArrayList<>();
    Supplier<CompletionStage<String>> attempts =
        lb.asyncAttempts(
            endpoint -> {
              CompletableFuture<String> stage = new CompletableFuture<>();
              stages.add(stage);
              picked.add(endpoint);
              return stage;
            });
    attempts.get();
    attempts.get();
    assertThat(picked.get(1)).isNotEqualTo(picked.get(0));
    assertThat(inFlight(engine, picked.get(0))).isEqualTo(1);
    stages.get(0).complete("ok");
    stages.get(1).cancel(true); // a losing hedge
    assertThat(inFlight(engine, picked.get(0))).isZero();
    assertThat(inFlight(engine, picked.get(1))).isZero();
  }

  @Test
  void aHedgeGoesToAnotherHostAndTheLosingAttemptIsReleasedNotBlamed() {
    LoadBalancer lb =
        LoadBalancer.builder("svc")
            .endpoints(IntStream.range(0, 3).mapToObj(i -> Endpoint.of("h" + i)).toList())
            .strategy(Strategy.peakEwma())
            .timeSource(time)
            .random(new SplittableRandom(5))
            .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).maxEjectionPercent(100).build())
            .build();
    BalancerEngine engine = (BalancerEngine) lb;
    Pipeline search =
        Pipeline.builder("search")
            .timeSource(time)
            .retryBudget(RetryBudget.tokenBucket(10, 0.1))
            .hedge(HedgePolicy.afterDelay(Duration.ofMillis(50), 2))
            .build();
    List<CompletableFuture<String>> stages = new ArrayList<>();
    List<Endpoint> picked = new ArrayList<>();
    CompletableFuture<String> result =
        search
            .executeAsync(
                lb.<String>asyncAttempts(
                    endpoint -> {
                      CompletableFuture<String> stage = new CompletableFuture<>();
                      stages.add(stage);
                      picked.add(endpoint);
                      return stage;
                    }))
            .toCompletableFuture();
    assertThat(stages).hasSize(1);
    time.advance(Duration.ofMillis(50));
    assertThat(stages).hasSize(2);
    assertThat(picked.get(1)).isNotEqualTo(picked.get(0));

    stages.get(1).complete("from " + picked.get(1).address());

    assertThat(result).isCompletedWithValue("from " + picked.get(1).address());
    assertThat(stages.get(0)).isCancelled();
    assertThat(inFlight(engine, picked.get(0))).isZero();
    assertThat(inFlight(engine, picked.get(1))).isZero();
    assertThat(lb.unhealthy()).as("a cancelled hedge is not a failure").isEmpty();
  }

  private static int inFlight(BalancerEngine engine, Endpoint endpoint) {
    return Objects.requireNonNull(engine.stateOf(endpoint)).inFlight();
  }

  @Test
  void theCallsDeadlineBoundsTheRetriesAcrossHosts() {
    LoadBalancer lb = balancer(Strategy.roundRobin());
    int[] attempts = new int[1];
    Pipeline pipeline =
        Pipeline.builder("svc")
            .timeSource(time)
            .deadline(Duration.ofMillis(250))
            .retry(RetryPolicy.builder().maxAttempts(10).backoff(Backoff.fixed(Duration.ofMillis(100))).build())
            .build();
    assertThatThrownBy(
            () ->
                pipeline.execute(
                    lb.attempts(
                        endpoint -> {
                          attempts[0]++;
                          throw new IllegalStateException("down");
                        })))
        .isInstanceOf(IllegalStateException.class);
    assertThat(attempts[0]).isBetween(2, 3);
  }
}
