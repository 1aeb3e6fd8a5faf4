package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.spi.VirtualTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PipelineRetryTest {

  private final VirtualTime time = new VirtualTime();

  private Pipeline retrying(RetryPolicy policy) {
    return Pipeline.builder("inventory").timeSource(time).retry(policy).build();
  }

  @Test
  void retriesUntilSuccessWaitingTheBackoffInVirtualTime() {
    AtomicInteger calls = new AtomicInteger();
    List<Long> callTimes = new ArrayList<>();
    Pipeline pipeline =
        retrying(
            RetryPolicy.builder()
                .maxAttempts(4)
                .backoff(Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1)))
                .build());

    String result =
        pipeline.execute(
            () -> {
              callTimes.add(time.nanoTime() / 1_000_000);
              if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("down");
              }
              return "ok";
            });

    assertThat(result).isEqualTo("ok");
    assertThat(callTimes).containsExactly(0L, 100L, 300L);
  }

  @Test
  void exhaustedRetriesThrowTheLastAttemptsOwnException() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline = retrying(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build());

    assertThatThrownBy(
            () ->
                pipeline.execute(
                    () -> {
                      throw new IllegalStateException("failure " + calls.incrementAndGet());
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("failure 3");
  }

  @Test
  void abortOnStopsAtOnceAndErrorsAreNeverRetried() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline =
        retrying(
            RetryPolicy.builder().maxAttempts(5).backoff(Backoff.none()).abortOn(IllegalArgumentException.class).build());

    assertThatThrownBy(
            () ->
                pipeline.run(
                    () -> {
                      calls.incrementAndGet();
                      throw new IllegalArgumentException("bad request");
                    }))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(calls).hasValue(1);

    assertThatThrownBy(
            () ->
                pipeline.run(
                    () -> {
                      calls.incrementAndGet();
                      throw new AssertionError("bug");
                    }))
        .isInstanceOf(AssertionError.class);
    assertThat(calls).hasValue(2);
  }

  @Test
  void retriesOnResultAndReturnsTheLastResultWhenExhausted() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline =
        retrying(
            RetryPolicy.builder()
                .maxAttempts(3)
                .backoff(Backoff.none())
                .retryOnResult(r -> Integer.valueOf(503).equals(r))
                .build());

    int status = pipeline.execute(() -> calls.incrementAndGet() < 10 ? 503 : 200);

    assertThat(status).isEqualTo(503);
    assertThat(calls).hasValue(3);
  }

  @Test
  void checkedExceptionsPassThroughUnchanged() {
    Pipeline pipeline = retrying(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none()).build());
    assertThatThrownBy(
            () ->
                pipeline.call(
                    () -> {
                      throw new IOException("disk");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("disk");
  }

  @Test
  void serverPushbackLengthensTheWaitButIsCapped() {
    AtomicInteger calls = new AtomicInteger();
    List<Long> callTimes = new ArrayList<>();
    Pipeline pipeline =
        retrying(
            RetryPolicy.builder()
                .maxAttempts(3)
                .backoff(Backoff.fixed(Duration.ofMillis(100)))
                .pushback(Pushback.onException(ThrottledException.class, ThrottledException::retryAfter))
                .maxPushback(Duration.ofSeconds(2))
                .build());

    pipeline.execute(
        () -> {
          callTimes.add(time.nanoTime() / 1_000_000);
          int call = calls.incrementAndGet();
          if (call == 1) {
            throw new ThrottledException(Duration.ofMillis(700)); // longer than the backoff: honoured
          }
          if (call == 2) {
            throw new ThrottledException(Duration.ofMinutes(5)); // longer than maxPushback: capped
          }
          return "ok";
        });

    assertThat(callTimes).containsExactly(0L, 700L, 2700L);
  }

  @Test
  void shortPushbackNeverShortensTheBackoff() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline =
        retrying(
            RetryPolicy.builder()
                .maxAttempts(2)
                .backoff(Backoff.fixed(Duration.ofMillis(500)))
                .pushback(Pushback.onException(ThrottledException.class, ThrottledException::retryAfter))
                .build());

    pipeline.execute(
        () -> {
          if (calls.incrementAndGet() == 1) {
            throw new ThrottledException(Duration.ofMillis(10));
          }
          return "ok";
        });

    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void budgetRefusalFailsWithTheLastRealErrorAndIsCounted() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RetryBudget budget = RetryBudget.tokenBucket(2, 0.1); // one failure takes it to the threshold
    Pipeline pipeline =
        Pipeline.builder("orders")
            .timeSource(time)
            .meterRegistry(meters)
            .retryBudget(budget)
            .retry(RetryPolicy.builder().maxAttempts(5).backoff(Backoff.none()).build())
            .build();
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(
            () ->
                pipeline.execute(
                    () -> {
                      throw new UncheckedIOException(new IOException("reset " + calls.incrementAndGet()));
                    }))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("reset 1");
    assertThat(calls).hasValue(1);
    assertThat(meters.get("steadfast.pipeline.retries.refused").tag("reason", "budget").counter().count())
        .isEqualTo(1.0);
    assertThat(meters.get("steadfast.pipeline.calls").tag("outcome", "failure").counter().count()).isEqualTo(1.0);
  }

  @Test
  void fallbackAnswersTheFinalFailure() {
    Pipeline pipeline = retrying(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none()).build());
    String answer =
        pipeline.execute(
            () -> {
              throw new IllegalStateException("down");
            },
            failure -> "cached because " + failure.getMessage());
    assertThat(answer).isEqualTo("cached because down");
  }

  static final class ThrottledException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    ThrottledException(Duration retryAfter) {
      super("throttled, retry after " + retryAfter);
      this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
      return retryAfter;
    }
  }
}
