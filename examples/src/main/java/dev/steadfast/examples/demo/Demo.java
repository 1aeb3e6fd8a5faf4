package dev.steadfast.examples.demo;

import dev.steadfast.core.Backoff;
import dev.steadfast.core.Jitter;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.VirtualTime;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The demo: one minute of traffic from a service to a flaky inventory service, through a Steadfast pipeline,
 * simulated in virtual time so that it runs in a blink and prints the same story every time.
 *
 * <p>The inventory is flaky (20% of calls fail), then browns out (70%), then is down, then recovers, 15 s each.
 * Watch the retries absorb the flakiness, the retry budget stop retries from tripling the load during the
 * brownout, the breaker open and fail fast while it is down, and close again after recovery.
 *
 * <p>Run it with {@code ./mvnw -q -Pdemo -pl examples -am package -DskipTests}.
 */
public final class Demo {

  private Demo() {}

  public static void main(String[] args) {
    run(System.out);
  }

  /** Runs the demo, printing to {@code out}; returns the pipeline's meters for the demo's test. */
  static SimpleMeterRegistry run(PrintStream out) {
    VirtualTime time = new VirtualTime();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Inventory inventory = new Inventory(time, new SplittableRandom(42));
    RetryBudget budget = RetryBudget.percentOfRequests(0.2, Duration.ofSeconds(10), 1, time);
    // A breaker of your own (from your CircuitBreakerRegistry, say), here on the virtual clock.
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "inventory",
            CircuitBreakerConfig.custom()
                .slidingWindowSize(50)
                .minimumNumberOfCalls(20)
                .failureRateThreshold(90)
                .waitDurationInOpenState(Duration.ofSeconds(5))
                .permittedNumberOfCallsInHalfOpenState(3)
                .clock(time.clock())
                .currentTimestampFunction(clock -> time.nanoTime(), TimeUnit.NANOSECONDS)
                .build());
    Pipeline pipeline =
        Pipeline.builder("inventory")
            .timeSource(time)
            .random(new SplittableRandom(7))
            .meterRegistry(meters)
            .deadline(Duration.ofSeconds(2))
            .retryBudget(budget)
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .backoff(
                        Backoff.exponential(Duration.ofMillis(50), 2.0, Duration.ofSeconds(1))
                            .withJitter(Jitter.FULL))
                    .build())
            .circuitBreaker(breaker)
            .attemptTimeout(Duration.ofMillis(300))
            .build();
    breaker
        .getEventPublisher()
        .onStateTransition(
            event ->
                out.printf(
                    "  %5.1f s circuit breaker: %s%n",
                    seconds(time), event.getStateTransition().toString().replace("_", " ")));

    out.println("Steadfast demo: 60 s of traffic, 10 requests/s, to an inventory service (virtual time)");
    String[] phases = {"flaky (20% fail)", "brownout (70% fail)", "down (100% fail)", "healthy"};
    for (int phase = 0; phase < phases.length; phase++) {
      int ok = 0;
      int failed = 0;
      int rejected = 0;
      int downstreamBefore = inventory.calls;
      double retriesBefore = count(meters, "steadfast.pipeline.retries", "kind", "retry");
      double refusedBefore = count(meters, "steadfast.pipeline.retries.refused", "reason", "budget");
      Duration end = Duration.ofSeconds(15L * (phase + 1));
      while (time.elapsed().compareTo(end) < 0) {
        try {
          pipeline.execute(() -> inventory.stockOf("sku-42"));
          ok++;
        } catch (CallNotPermittedException e) {
          rejected++;
        } catch (RuntimeException e) {
          failed++;
        }
        time.advance(Duration.ofMillis(100));
      }
      out.printf(
          "  %2d-%2d s %-20s %3d ok, %3d failed, %3d failed fast | downstream calls %3d, retries %2.0f,"
              + " refused by budget %2.0f%n",
          15 * phase,
          15 * (phase + 1),
          phases[phase],
          ok,
          failed,
          rejected,
          inventory.calls - downstreamBefore,
          count(meters, "steadfast.pipeline.retries", "kind", "retry") - retriesBefore,
          count(meters, "steadfast.pipeline.retries.refused", "reason", "budget") - refusedBefore);
    }
    return meters;
  }

  private static double count(SimpleMeterRegistry meters, String name, String tag, String value) {
    return meters.get(name).tag(tag, value).counter().count();
  }

  private static double seconds(VirtualTime time) {
    return time.elapsed().toMillis() / 1000.0;
  }

  /** The downstream: 10-40 ms per call; flaky, then down, then healthy. */
  static final class Inventory {
    private final VirtualTime time;
    private final SplittableRandom random;
    int calls;

    Inventory(VirtualTime time, SplittableRandom random) {
      this.time = time;
      this.random = random;
    }

    int stockOf(String sku) {
      calls++;
      long now = time.elapsed().toSeconds();
      try {
        time.sleepNanos(Duration.ofMillis(10 + random.nextInt(30)).toNanos());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      int failPercent = now < 15 ? 20 : now < 30 ? 70 : now < 45 ? 100 : 0;
      boolean fails = random.nextInt(100) < failPercent;
      if (fails) {
        throw new IllegalStateException("inventory unavailable");
      }
      return sku.length() * 7;
    }
  }
}
