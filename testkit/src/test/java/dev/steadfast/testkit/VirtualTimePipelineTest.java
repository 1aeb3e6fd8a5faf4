package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.Backoff;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.VirtualTime;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pipeline with retry and breaker driven through minutes of virtual time: backoff waits, the breaker's open
 * wait and its recovery, all in a few milliseconds of real time.
 */
@ExtendWith(VirtualTimeExtension.class)
class VirtualTimePipelineTest {

  @Test
  void retriesOpenTheBreakerWhichRecoversAfterItsWaitInVirtualTime(VirtualTime time) {
    long realStart = System.nanoTime();
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger failuresLeft = new AtomicInteger(6);
    Pipeline pipeline =
        Pipeline.builder("virtual")
            .timeSource(time)
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.fixed(Duration.ofSeconds(10))).build())
            .circuitBreaker(
                CircuitBreakerConfig.custom()
                    .slidingWindowSize(6)
                    .minimumNumberOfCalls(6)
                    .waitDurationInOpenState(Duration.ofMinutes(5))
                    .permittedNumberOfCallsInHalfOpenState(1)
                    .build())
            .build();
    java.util.function.Supplier<String> downstream =
        () -> {
          calls.incrementAndGet();
          if (failuresLeft.getAndDecrement() > 0) {
            throw new IllegalStateException("down");
          }
          return "up";
        };

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> pipeline.execute(downstream)).isInstanceOf(IllegalStateException.class);
    }
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(40)); // two calls, two 10 s waits each
    assertThatThrownBy(() -> pipeline.execute(downstream)).isInstanceOf(CallNotPermittedException.class);

    time.advance(Duration.ofMinutes(5).plusMillis(1));
    assertThat(pipeline.execute(downstream)).isEqualTo("up");
    assertThat(calls).hasValue(7);
    assertThat(Duration.ofNanos(System.nanoTime() - realStart)).isLessThan(Duration.ofSeconds(5));
  }
}
