package dev.steadfast.benchmarks;

import static dev.steadfast.benchmarks.EquivalentPolicies.DOWNSTREAM;

import dev.steadfast.core.Pipeline;
import dev.steadfast.core.PipelineBuilder;
import dev.steadfast.core.RetryBudget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Diagnostic, Steadfast only: what each stage of {@link FullPipelineBenchmark}'s pipeline adds on the success
 * path, by building it up one stage at a time ({@code stages}): retry and breaker; then the bulkhead; then the
 * token-bucket retry budget; then the deadline (the full pipeline). There is no peer here: the comparisons are
 * in {@link RetryAndBreakerBenchmark} and {@link FullPipelineBenchmark}; this class says where Steadfast's own
 * time goes.
 *
 * <p>Run (from the repository root):
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip
 * java -jar benchmarks/target/benchmarks.jar PipelineStageCostBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class PipelineStageCostBenchmark {

  @Param({"retry+breaker", "+bulkhead", "+budget", "+deadline"})
  public String stages;

  CircuitBreaker breaker;
  Pipeline pipeline;

  @Setup
  public void setUp() {
    boolean bulkhead = !stages.equals("retry+breaker");
    boolean budget = stages.equals("+budget") || stages.equals("+deadline");
    boolean deadline = stages.equals("+deadline");
    breaker = EquivalentPolicies.r4jBreaker("steadfast");
    PipelineBuilder builder = Pipeline.builder("steadfast");
    if (deadline) {
      builder.deadline(EquivalentPolicies.DEADLINE);
    }
    if (budget) {
      builder.retryBudget(RetryBudget.tokenBucket(10, 0.1));
    }
    builder.retry(EquivalentPolicies.steadfastRetry()).circuitBreaker(breaker);
    if (bulkhead) {
      builder.bulkhead(EquivalentPolicies.r4jBulkhead("steadfast"));
    }
    pipeline = builder.build();
  }

  @TearDown
  public void checkSuccessPath() {
    Checks.onlySuccesses(breaker);
  }

  @Benchmark
  public void steadfast(Blackhole blackhole) {
    blackhole.consume(pipeline.execute(DOWNSTREAM));
  }
}
