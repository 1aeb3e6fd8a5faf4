package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.spi.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PipelineDeadlineTest {

  private final VirtualTime time = new VirtualTime();

  /** A downstream call that takes {@code duration} of virtual time, and can be interrupted like a real one. */
  private String slowCall(Duration duration) {
    try {
      time.sleepNanos(duration.toNanos());
      return "done";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Test
  void anAttemptLongerThanItsTimeoutIsInterruptedAtTheTimeout() {
    Pipeline pipeline =
        Pipeline.builder("search").timeSource(time).attemptTimeout(Duration.ofMillis(300)).build();

    assertThatThrownBy(() -> pipeline.execute(() -> slowCall(Duration.ofSeconds(10))))
        .isInstanceOf(AttemptTimeoutException.class)
        .hasMessage("attempt of pipeline 'search' timed out after PT0.3S");
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(300));
    assertThat(Thread.currentThread().isInterrupted()).as("no interrupt leaks to the caller").isFalse();
  }

  @Test
  void timedOutAttemptsAreRetriedWithFreshTimeouts() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline =
        Pipeline.builder("search")
            .timeSource(time)
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(50))).build())
            .attemptTimeout(Duration.ofMillis(100))
            .build();

    String result =
        pipeline.execute(() -> calls.incrementAndGet() < 3 ? slowCall(Duration.ofSeconds(1)) : "fast");

    assertThat(result).isEqualTo("fast");
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(100 + 50 + 100 + 50));
  }

  @Test
  void theDeadlineCoversRetriesAndStopsThemWhenTooLittleTimeIsLeft() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline =
        Pipeline.builder("search")
            .timeSource(time)
            .deadline(Duration.ofMillis(1000))
            .retry(RetryPolicy.builder().maxAttempts(10).backoff(Backoff.fixed(Duration.ofMillis(400))).build())
            .build();

    assertThatThrownBy(
            () ->
                pipeline.execute(
                    () -> {
                      calls.incrementAndGet();
                      slowCall(Duration.ofMillis(100));
                      throw new IllegalStateException("failure " + calls.get());
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("failure 2");
    // attempt 100 ms, wait 400, attempt 100 ms: at 600 ms only 400 ms are left, not more than the next wait
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(600));
  }

  @Test
  void anAttemptRunningIntoTheDeadlineIsCancelledAtTheDeadline() {
    Pipeline pipeline =
        Pipeline.builder("search")
            .timeSource(time)
            .deadline(Duration.ofMillis(250))
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
            .attemptTimeout(Duration.ofMillis(200))
            .build();

    assertThatThrownBy(() -> pipeline.execute(() -> slowCall(Duration.ofSeconds(5))))
        .isInstanceOf(DeadlineExceededException.class);
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void theCallSeesItsDeadlineAndAnOuterDeadlineShortensIt() {
    List<String> seen = new ArrayList<>();
    Pipeline pipeline = Pipeline.builder("search").timeSource(time).deadline(Duration.ofSeconds(5)).build();

    pipeline.run(() -> seen.add(Deadline.current().orElseThrow().toHeaderValue()));
    try (Deadline.Scope ignored = Deadline.bind(Deadline.after(Duration.ofSeconds(1), time))) {
      pipeline.run(() -> seen.add(Deadline.current().orElseThrow().toHeaderValue()));
    }

    assertThat(seen).containsExactly("5000", "1000");
    assertThat(Deadline.current()).isEmpty();
  }

  @Test
  void anExpiredIncomingDeadlineFailsWithoutCallingTheDownstream() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline = Pipeline.builder("search").timeSource(time).build();
    Deadline expired = Deadline.after(Duration.ofMillis(1), time);
    time.advance(Duration.ofMillis(2));
    try (Deadline.Scope ignored = Deadline.bind(expired)) {
      assertThatThrownBy(() -> pipeline.run(calls::incrementAndGet)).isInstanceOf(DeadlineExceededException.class);
    }
    assertThat(calls).hasValue(0);
  }

  @Test
  void onTheSystemClockATimeoutInterruptsABlockedThread() {
    Pipeline pipeline = Pipeline.builder("blocking").attemptTimeout(Duration.ofMillis(50)).build();
    CountDownLatch never = new CountDownLatch(1);

    assertThatThrownBy(
            () ->
                pipeline.call(
                    () -> {
                      boolean released = never.await(1, TimeUnit.MINUTES);
                      return released;
                    }))
        .isInstanceOf(AttemptTimeoutException.class)
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();

    // The per-thread timer slot is reused: the next fast call is not interrupted.
    assertThat(pipeline.execute(() -> "fast")).isEqualTo("fast");
  }
}
