package dev.steadfast.benchmarks;

import static dev.steadfast.benchmarks.EquivalentPolicies.DOWNSTREAM;
import static dev.steadfast.benchmarks.EquivalentPolicies.FAILSAFE_DOWNSTREAM;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.steadfast.core.Pipeline;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
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
 * Retry around a circuit breaker on the success path, three ways: raw Resilience4j ({@code
 * Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(cb, supplier))}), a Steadfast {@link Pipeline}
 * with the same two policies, and Failsafe's {@code RetryPolicy} around its {@code CircuitBreaker}. The
 * policies are the same in all three ({@link EquivalentPolicies}); the downstream returns a preallocated
 * object. Each library's policies are shared by all benchmark threads ({@link Scope#Benchmark}), so a run with
 * {@code -t 2} contends on one breaker as a service's request threads do.
 *
 * <p>Target: Steadfast within 15 ns of raw Resilience4j and allocating no more per call.
 *
 * <p>Run (from the repository root; see docs/benchmarks.md for the figures):
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip
 * java -jar benchmarks/target/benchmarks.jar RetryAndBreakerBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1
 * java -jar benchmarks/target/benchmarks.jar RetryAndBreakerBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RetryAndBreakerBenchmark {

  /** Raw Resilience4j: the decorated supplier is built once, as a service would. */
  @State(Scope.Benchmark)
  public static class Resilience4jState {
    CircuitBreaker breaker;
    Supplier<Object> decorated;

    @Setup
    public void setUp() {
      breaker = EquivalentPolicies.r4jBreaker("r4j");
      decorated =
          Retry.decorateSupplier(
              EquivalentPolicies.r4jRetry("r4j"), CircuitBreaker.decorateSupplier(breaker, DOWNSTREAM));
    }

    @TearDown
    public void checkSuccessPath() {
      Checks.onlySuccesses(breaker);
    }
  }

  /** Steadfast: the pipeline is built once and shared. */
  @State(Scope.Benchmark)
  public static class SteadfastState {
    CircuitBreaker breaker;
    Pipeline pipeline;

    @Setup
    public void setUp() {
      breaker = EquivalentPolicies.r4jBreaker("steadfast");
      pipeline =
          Pipeline.builder("steadfast")
              .retry(EquivalentPolicies.steadfastRetry())
              .circuitBreaker(breaker)
              .build();
    }

    @TearDown
    public void checkSuccessPath() {
      Checks.onlySuccesses(breaker);
    }
  }

  /** Failsafe: the executor is built once and shared. */
  @State(Scope.Benchmark)
  public static class FailsafeState {
    dev.failsafe.CircuitBreaker<Object> breaker;
    FailsafeExecutor<Object> executor;

    @Setup
    public void setUp() {
      breaker = EquivalentPolicies.failsafeBreaker();
      // Outermost first: the retry around the breaker.
      executor = Failsafe.with(List.of(EquivalentPolicies.failsafeRetry(), breaker));
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
  public void steadfast(SteadfastState state, Blackhole blackhole) {
    blackhole.consume(state.pipeline.execute(DOWNSTREAM));
  }

  @Benchmark
  public void failsafe(FailsafeState state, Blackhole blackhole) {
    blackhole.consume(state.executor.get(FAILSAFE_DOWNSTREAM));
  }
}
