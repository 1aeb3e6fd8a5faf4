package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.steadfast.core.spi.VirtualTime;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class PipelineObservabilityTest {

  private final VirtualTime time = new VirtualTime();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger pipelineLogger = (Logger) LoggerFactory.getLogger("dev.steadfast.core.Pipeline");

  @BeforeEach
  void captureLogs() {
    logs.start();
    pipelineLogger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    pipelineLogger.detachAppender(logs);
  }

  @Test
  void countsOutcomesRetriesAndTheBreakersOwnMetersWithBoundedTags() {
    Pipeline pipeline =
        Pipeline.builder("orders")
            .timeSource(time)
            .meterRegistry(meters)
            .retry(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none()).build())
            .circuitBreaker(CircuitBreakerConfig.ofDefaults())
            .build();

    pipeline.execute(() -> "ok");
    assertThatThrownBy(
            () ->
                pipeline.run(
                    () -> {
                      throw new IllegalStateException("down");
                    }))
        .isInstanceOf(IllegalStateException.class);
    pipeline.execute(
        () -> {
          throw new IllegalStateException("down");
        },
        failure -> "fallback");

    assertThat(meters.get("steadfast.pipeline.calls").tags("pipeline", "orders", "outcome", "success").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("steadfast.pipeline.calls").tags("outcome", "failure").counter().count()).isEqualTo(2);
    assertThat(meters.get("steadfast.pipeline.calls").tags("outcome", "fallback").counter().count()).isEqualTo(1);
    assertThat(meters.get("steadfast.pipeline.retries").tags("kind", "retry").counter().count()).isEqualTo(2);
    assertThat(meters.get("resilience4j.circuitbreaker.calls").tag("name", "orders").meters()).isNotEmpty();
    assertThat(meters.getMeters())
        .allSatisfy(meter -> assertThat(meter.getId().getTags()).hasSizeLessThanOrEqualTo(4));
  }

  @Test
  void breakerTransitionsAreLoggedAsKeyValueEventsAndSuccessfulCallsAreNot() {
    Pipeline pipeline =
        Pipeline.builder("billing")
            .timeSource(time)
            .circuitBreaker(
                CircuitBreakerConfig.custom().slidingWindowSize(2).minimumNumberOfCalls(2).build())
            .build();
    for (int i = 0; i < 10; i++) {
      pipeline.execute(() -> "ok");
    }
    assertThat(logs.list).isEmpty();

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(
              () ->
                  pipeline.run(
                      () -> {
                        throw new IllegalStateException("down");
                      }))
          .isInstanceOf(i == 0 ? IllegalStateException.class : CallNotPermittedException.class);
    }

    assertThat(logs.list).hasSize(1);
    ILoggingEvent event = logs.list.get(0);
    assertThat(event.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
    assertThat(event.getKeyValuePairs())
        .extracting(pair -> pair.key + "=" + pair.value)
        .containsExactly("breaker=billing", "from=CLOSED", "to=OPEN");
  }

  @Test
  void retryAfterHeaderParsesSecondsAndDates() {
    Clock clock = Clock.fixed(Instant.parse("2015-10-21T07:27:00Z"), ZoneOffset.UTC);
    assertThat(Pushback.parseRetryAfter("120", clock)).isEqualTo(Duration.ofSeconds(120));
    assertThat(Pushback.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", clock)).isEqualTo(Duration.ofSeconds(60));
    assertThat(Pushback.parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", clock)).isEqualTo(Duration.ZERO);
    assertThat(Pushback.parseRetryAfter("soon", clock)).isNull();
    assertThat(Pushback.parseRetryAfter("-5", clock)).isNull();
    assertThat(Pushback.parseRetryAfter(null, clock)).isNull();
    assertThat(Pushback.parseRetryAfter("99999999999999999999", clock)).isNull();
  }

  @Test
  void aGradientLimitStartsAtItsInitialLimitAndAdmitsUpToIt() {
    AdaptiveLimit limit = AdaptiveLimit.gradient("db", 4, 1, 100, time);
    assertThat(limit.currentLimit()).isEqualTo(4);
    java.util.List<AdaptiveLimit.Permit> permits = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      permits.add(limit.tryAcquire());
    }
    assertThat(permits).doesNotContainNull();
    assertThat(limit.tryAcquire()).isNull();
    time.advance(Duration.ofMillis(10));
    permits.forEach(AdaptiveLimit.Permit::onSuccess);
    assertThat(limit.tryAcquire()).isNotNull();
  }
}
