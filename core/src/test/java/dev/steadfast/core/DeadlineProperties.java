package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.core.spi.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class DeadlineProperties {

  /**
   * Whatever the attempts' durations, outcomes, backoff and attempt timeout, a call through a pipeline with a
   * deadline ends no later than the deadline (virtual time has no scheduling tick: timers fire exactly).
   */
  @Property(tries = 300)
  void aCallNeverOutlivesItsDeadline(
      @ForAll @LongRange(min = 1, max = 5_000) long deadlineMillis,
      @ForAll @Size(min = 1, max = 10) List<@LongRange(min = 0, max = 3_000) Long> attemptMillis,
      @ForAll @LongRange(min = 0, max = 1_000) long backoffMillis,
      @ForAll @IntRange(min = 1, max = 10) int maxAttempts,
      @ForAll long seed) {
    VirtualTime time = new VirtualTime();
    PipelineBuilder builder =
        Pipeline.builder("p")
            .timeSource(time)
            .random(new SplittableRandom(seed))
            .deadline(Duration.ofMillis(deadlineMillis))
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(maxAttempts)
                    .backoff(Backoff.fixed(Duration.ofMillis(backoffMillis)).withJitter(Jitter.FULL))
                    .build());
    Pipeline pipeline = builder.build();
    AtomicInteger attempt = new AtomicInteger();

    try {
      pipeline.execute(
          () -> {
            int n = attempt.getAndIncrement();
            long duration = attemptMillis.get(n % attemptMillis.size());
            try {
              time.sleepNanos(Duration.ofMillis(duration).toNanos());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted", e);
            }
            if (n % 2 == 0) {
              throw new IllegalStateException("fails");
            }
            return "ok";
          });
    } catch (RuntimeException expected) {
      // failures and deadline exceptions are both fine here
    }

    assertThat(time.elapsed()).isLessThanOrEqualTo(Duration.ofMillis(deadlineMillis));
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }
}
