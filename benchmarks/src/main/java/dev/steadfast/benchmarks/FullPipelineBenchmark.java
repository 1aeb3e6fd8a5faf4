package dev.steadfast.benchmarks;

import static dev.steadfast.benchmarks.EquivalentPolicies.DOWNSTREAM;
import static dev.steadfast.benchmarks.EquivalentPolicies.FAILSAFE_DOWNSTREAM;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.RetryBudget;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A full pipeline on the success path: Steadfast's deadline, retry budget, retry, circuit breaker and
 * (Resilience4j semaphore) bulkhead, beside the nearest equivalent of each peer. Resilience4j's {@code
 * TimeLimiter} only bounds asynchronous calls, so its line is retry, breaker and bulkhead without a deadline;
 * Failsafe's is timeout (interrupting, outermost, like a deadline), retry, breaker and bulkhead. Neither peer has
 * a retry budget. Steadfast runs twice, once per kind of {@link RetryBudget}: a token bucket (gRPC) and a
 * percentage of requests (Finagle). Policies as in {@link EquivalentPolicies}, shared by all benchmark threads.
 *
 * <p>Target: Steadfast at most 150 ns and 48 B per call.
 *
 * <p>Run (from the repository root; see docs/benchmarks.md for the figures):
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip
 * java -jar benchmarks/target/benchmarks.jar FullPipelineBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1
 * java -jar benchmarks/target/benchmarks.jar FullPipelineBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FullPipelineBenchmark {

  /** Raw Resilience4j retry, breaker and bulkhead, decorated once. */
  @State(Scope.Benchmark)
  public static class Resilience4jState {
    CircuitBreaker breaker;
    Supplier<Object> decorated;

    @Setup
    public void setUp() {
      breaker = EquivalentPolicies.r4jBreaker("r4j");
      Bulkhead bulkhead = EquivalentPolicies.r4jBulkhead("r4j");
      decorated =
          Retry.decorateSupplier(
              EquivalentPolicies.r4jRetry("r4j"),
              CircuitBreaker.decorateSupplier(breaker, Bulkhead.decorateSupplier(bulkhead, DOWNSTREAM)));
    }

    @TearDown
    public void checkSuccessPath() {
      Checks.onlySuccesses(breaker);
    }
  }

  /** The full Steadfast pipeline, with the retry budget the subclass gives it. */
  public abstract static class SteadfastState {
    CircuitBreaker breaker;
    Pipeline pipeline;

    abstract RetryBudget budget();

    @Setup
    public void setUp() {
      breaker = EquivalentPolicies.r4jBreaker("steadfast");
      pipeline =
          Pipeline.builder("steadfast")
              .deadline(EquivalentPolicies.DEADLINE)
              .retryBudget(budget())
              .retry(EquivalentPolicies.steadfastRetry())
              .circuitBreaker(breaker)
              .bulkhead(EquivalentPolicies.r4jBulkhead("steadfast"))
              .build();
    }

    @TearDown
    public void checkSuccessPath() {
      Checks.onlySuccesses(breaker);
    }
  }

  /** gRPC-style: 10 tokens, 0.1 back per success. */
  @State(Scope.Benchmark)
  public static class SteadfastTokenBucketState extends SteadfastState {
    @Override
    RetryBudget budget() {
      return RetryBudget.tokenBucket(10, 0.1);
    }
  }

  /** Finagle-style: 20% of requests over 10 s, plus 10 retries a second. */
  @State(Scope.Benchmark)
  public static class SteadfastPercentState extends SteadfastState {
    @Override
    RetryBudget budget() {
      return RetryBudget.percentOfRequests(0.2, Duration.ofSeconds(10), 10);
    }
  }

  /** Failsafe timeout, retry, breaker and bulkhead, outermost first. */
  @State(Scope.Benchmark)
  public static class FailsafeState {
    dev.failsafe.CircuitBreaker<Object> breaker;
    FailsafeExecutor<Object> executor;

    @Setup
    public void setUp() {
      breaker = EquivalentPolicies.failsafeBreaker();
      executor =
          Failsafe.with(
              List.of(
                  EquivalentPolicies.failsafeTimeout(),
                  EquivalentPolicies.failsafeRetry(),
                  breaker,
                  EquivalentPolicies.failsafeBulkhead()));
    }

    @TearDown
    public void checkSuccessPath() {
      Checks.onlySuccesses(breaker);
    }
  }

  @Benchmark
  public void resilience4j(Resilience4jState state, Blackhole blackhole) {
    blackhole.consume(state.decorated.get());
  }

  @Benchmark
  public void steadfastTokenBucket(SteadfastTokenBucketState state, Blackhole blackhole) {
    blackhole.consume(state.pipeline.execute(DOWNSTREAM));
  }

  @Benchmark
  public void steadfastPercentBudget(SteadfastPercentState state, Blackhole blackhole) {
    blackhole.consume(state.pipeline.execute(DOWNSTREAM));
  }

  @Benchmark
  public void failsafe(FailsafeState state, Blackhole blackhole) {
    blackhole.consume(state.executor.get(FAILSAFE_DOWNSTREAM));
  }
}
