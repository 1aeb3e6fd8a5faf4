package dev.steadfast.benchmarks;

import dev.steadfast.core.balancer.Endpoint;
import dev.steadfast.core.balancer.Lease;
import dev.steadfast.core.balancer.LoadBalancer;
import dev.steadfast.core.balancer.Strategy;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one pick from a {@link LoadBalancer}, per strategy and endpoint count, on the system time source
 * and {@code ThreadLocalRandom}. {@code pick} is a pick and its {@link Lease#release()} (the in-flight count
 * goes up and down); {@code pickAndReport} adds a success report with a latency, which for Peak-EWMA reads
 * the clock and updates the moving average. Affinity strategies (ring hash, Maglev, rendezvous) pick by key from 1024
 * preallocated keys; the others ignore keys and pick without one. The balancer is shared by all benchmark
 * threads ({@link Scope#Benchmark}), as a service's request threads share it. No peer library offers a
 * comparable client-side balancer on the JVM outside a transport (gRPC's and Finagle's live inside their
 * stacks), so this class measures Steadfast only.
 *
 * <p>Target: least request (P2C) and Peak-EWMA at most 50 ns and 0 B per pick at 100 endpoints.
 *
 * <p>Run (from the repository root; see docs/balancing.md for the figures):
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip
 * java -jar benchmarks/target/benchmarks.jar LoadBalancerPickBenchmark -prof gc -f 1 -wi 2 -w 1s -i 3 -r 1s -t 1
 * java -jar benchmarks/target/benchmarks.jar LoadBalancerPickBenchmark -prof gc -f 1 -wi 2 -w 1s -i 3 -r 1s -t 2
 * </pre>
 *
 * <p>The P2C target at 100 endpoints, as measured for docs/balancing.md (1 and 2 threads):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar "LoadBalancerPickBenchmark.pick$" -p endpoints=100 \
 *     -p strategy=least-request,peak-ewma -prof gc -f 2 -wi 3 -w 1s -i 5 -r 1s -t 2
 * </pre>
 *
 * <p>With two threads on a 2-vCPU machine every other runnable process preempts a benchmark thread, which
 * inflates ns/op; note the load average with each figure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LoadBalancerPickBenchmark {

  /** One balancer per trial, shared by the threads. */
  @State(Scope.Benchmark)
  public static class Balancer {
    @Param({"10", "100", "1000"})
    int endpoints;

    @Param({
      "round-robin",
      "weighted-round-robin",
      "random",
      "least-request",
      "peak-ewma",
      "ring-hash",
      "maglev",
      "rendezvous"
    })
    String strategy;

    LoadBalancer balancer;
    boolean keyed;

    @Setup
    public void setUp() {
      List<Endpoint> list =
          IntStream.range(0, endpoints).mapToObj(i -> Endpoint.of("10.0." + (i / 256) + "." + (i % 256) + ":8080", 1 + i % 3)).toList();
      Strategy chosen =
          switch (strategy) {
            case "round-robin" -> Strategy.roundRobin();
            case "weighted-round-robin" -> Strategy.weightedRoundRobin();
            case "random" -> Strategy.random();
            case "least-request" -> Strategy.leastRequest(2);
            case "peak-ewma" -> Strategy.peakEwma();
            case "ring-hash" -> Strategy.ringHash(100);
            case "maglev" -> Strategy.maglev(65_537);
            case "rendezvous" -> Strategy.rendezvous();
            default -> throw new IllegalArgumentException("strategy " + strategy);
          };
      keyed = strategy.equals("ring-hash") || strategy.equals("maglev") || strategy.equals("rendezvous");
      balancer = LoadBalancer.builder("bench").endpoints(list).strategy(chosen).build();
      // give Peak-EWMA latencies to compare
      for (int i = 0; i < endpoints * 10; i++) {
        balancer.pick().success(1_000_000 + i % 7 * 100_000);
      }
    }

    @TearDown
    public void close() {
      balancer.close();
    }
  }

  /** Each thread's position in the key list. */
  @State(Scope.Thread)
  public static class Keys {
    final String[] keys = IntStream.range(0, 1024).mapToObj(i -> "user-" + i).toArray(String[]::new);
    int next;

    String next() {
      return keys[next++ & 1023];
    }
  }

  @Benchmark
  public Lease pick(Balancer b, Keys keys) {
    Lease lease = b.keyed ? b.balancer.pick(keys.next()) : b.balancer.pick();
    lease.release();
    return lease;
  }

  @Benchmark
  public Lease pickAndReport(Balancer b, Keys keys) {
    Lease lease = b.keyed ? b.balancer.pick(keys.next()) : b.balancer.pick();
    lease.success(1_000_000);
    return lease;
  }
}
