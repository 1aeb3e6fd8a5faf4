package dev.steadfast.core.balancer.simulation;

import dev.steadfast.core.balancer.Endpoint;
import dev.steadfast.core.balancer.Lease;
import dev.steadfast.core.balancer.LoadBalancer;
import dev.steadfast.core.balancer.LoadBalancerBuilder;
import dev.steadfast.core.spi.VirtualTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * A deterministic, virtual-time simulation of clients calling a cluster through a {@link LoadBalancer}: requests
 * arrive at a fixed rate, each host answers after a latency drawn from its own distribution (which a scenario
 * can change over time, or make depend on the host's load), and the balancer learns from the reports. One
 * simulated minute at 1000 requests per second runs in well under a second of real time.
 */
public final class ClusterSimulator {

  /** How a host behaves: latency in nanoseconds and whether the call fails, for a call sent at {@code t}. */
  public interface HostModel {
    /** Fills {@code out} with the latency of a call sent at {@code nowNanos}; returns false when it fails. */
    boolean call(int host, long nowNanos, int hostLoad, SplittableRandom random, long[] latencyOut);
  }

  /** A scenario: hosts, clients, rate, duration and the hosts' behaviour. */
  public record Scenario(
      String name, int hosts, int clients, int requestsPerSecond, Duration duration, HostModel model) {}

  /** What a run measured. */
  public record Result(String strategy, String scenario, double p50Ms, double p99Ms, double p999Ms, double successRate) {
    /** One row of the Markdown table. */
    public String row() {
      return String.format(
          Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.2f %% |", scenario, strategy, p50Ms, p99Ms, p999Ms,
          successRate * 100);
    }
  }

  /** The Markdown table's header. */
  public static final String HEADER =
      "| scenario | strategy | p50 ms | p99 ms | p99.9 ms | success |\n|---|---|---:|---:|---:|---:|";

  private ClusterSimulator() {}

  /** A log-normal latency with the given median (ms) and shape, as most RPC latencies roughly are. */
  public static long logNormalNanos(SplittableRandom random, double medianMs, double sigma) {
    double gaussian = gaussian(random);
    return (long) (medianMs * Math.exp(sigma * gaussian) * 1_000_000);
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17 without RandomGenerator's default
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Runs {@code scenario} with one balancer per client, each configured by {@code configure} on a builder that
   * already has the endpoints, the shared virtual time and a seeded random.
   */
  public static Result run(String strategyName, Scenario scenario, UnaryOperator<LoadBalancerBuilder> configure, long seed) {
    VirtualTime time = new VirtualTime();
    List<Endpoint> endpoints =
        IntStream.range(0, scenario.hosts()).mapToObj(i -> Endpoint.of("host-" + i + ":8080")).toList();
    LoadBalancer[] clients = new LoadBalancer[scenario.clients()];
    for (int c = 0; c < clients.length; c++) {
      clients[c] =
          configure
              .apply(
                  LoadBalancer.builder("client-" + c)
                      .endpoints(endpoints)
                      .timeSource(time)
                      .random(new SplittableRandom(seed * 31 + c)))
              .build();
    }
    SplittableRandom hostRandom = new SplittableRandom(seed);
    int[] hostLoad = new int[scenario.hosts()];
    long intervalNanos = 1_000_000_000L / scenario.requestsPerSecond();
    int total = (int) (scenario.duration().toNanos() / intervalNanos);
    long[] latencies = new long[total];
    long[] latencyOut = new long[1];
    int failures = 0;
    Duration tick = Duration.ofNanos(intervalNanos);
    for (int i = 0; i < total; i++) {
      long now = time.nanoTime();
      LoadBalancer lb = clients[i % clients.length];
      Lease lease = lb.pick();
      int host = Integer.parseInt(lease.endpoint().address().substring(5, lease.endpoint().address().indexOf(':')));
      boolean ok = scenario.model().call(host, now, hostLoad[host], hostRandom, latencyOut);
      long latency = latencyOut[0];
      latencies[i] = latency;
      if (!ok) {
        failures++;
      }
      hostLoad[host]++;
      time.schedule(
          () -> {
            hostLoad[host]--;
            if (ok) {
              lease.success(latency);
            } else {
              lease.failure(latency);
            }
          },
          latency);
      time.advance(tick);
    }
    for (LoadBalancer lb : clients) {
      lb.close();
    }
    Arrays.sort(latencies);
    return new Result(
        strategyName,
        scenario.name(),
        percentile(latencies, 0.50),
        percentile(latencies, 0.99),
        percentile(latencies, 0.999),
        1 - failures / (double) total);
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }
}
