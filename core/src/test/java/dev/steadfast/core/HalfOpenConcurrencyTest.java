package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;

/** Under contention, a half-open breaker in a pipeline lets through no more than its permitted trial calls. */
class HalfOpenConcurrencyTest {

  private static final int PERMITTED = 3;
  private static final int THREADS = 16;

  @RepeatedTest(20)
  void halfOpenNeverAdmitsMoreThanThePermittedCalls() throws Exception {
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "trial", CircuitBreakerConfig.custom().permittedNumberOfCallsInHalfOpenState(PERMITTED).build());
    breaker.transitionToOpenState();
    breaker.transitionToHalfOpenState();
    Pipeline pipeline =
        Pipeline.builder("trial")
            .retry(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none()).build())
            .circuitBreaker(breaker)
            .build();

    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        calls.add(
            threads.submit(
                () -> {
                  start.await();
                  try {
                    return pipeline.call(
                        () -> {
                          inside.incrementAndGet();
                          return release.await(30, TimeUnit.SECONDS);
                        });
                  } catch (CallNotPermittedException e) {
                    rejected.incrementAndGet();
                    return false;
                  }
                }));
      }
      start.countDown();
      await().atMost(Duration.ofSeconds(20)).until(() -> inside.get() + rejected.get() == THREADS);

      assertThat(inside.get()).isEqualTo(PERMITTED);
      release.countDown();
      for (Future<?> call : calls) {
        call.get(30, TimeUnit.SECONDS);
      }
      assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    } finally {
      release.countDown();
      threads.shutdownNow();
    }
  }
}
