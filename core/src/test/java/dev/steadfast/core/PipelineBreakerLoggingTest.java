package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.steadfast.core.spi.VirtualTime;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Breaker state changes are logged once each, without subscribing to the breaker's per-call events. */
class PipelineBreakerLoggingTest {

  private final VirtualTime time = new VirtualTime();
  private final Logger log = (Logger) LoggerFactory.getLogger("dev.steadfast.core.Pipeline");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @BeforeEach
  void capture() {
    appender.start();
    log.addAppender(appender);
  }

  @AfterEach
  void release() {
    log.detachAppender(appender);
  }

  @Test
  void breakerOpeningIsLoggedOnceAsWarnEvenWhenTwoPipelinesShareIt() {
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "shared",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(2)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(50)
                .build());
    Pipeline first = Pipeline.builder("first").timeSource(time).circuitBreaker(breaker).build();
    Pipeline second = Pipeline.builder("second").timeSource(time).circuitBreaker(breaker).build();

    for (Pipeline pipeline : List.of(first, second, first, second)) {
      assertThatThrownBy(() -> pipeline.run(() -> {
            throw new IllegalStateException("down");
          }))
          .isInstanceOf(RuntimeException.class);
    }

    List<ILoggingEvent> changes =
        appender.list.stream()
            .filter(event -> event.getMessage().equals("circuit breaker changed state"))
            .collect(Collectors.toList());
    assertThat(changes).hasSize(1);
    ILoggingEvent opened = changes.get(0);
    assertThat(opened.getLevel()).isEqualTo(Level.WARN);
    Map<String, String> fields =
        opened.getKeyValuePairs().stream()
            .collect(Collectors.toMap(pair -> pair.key, pair -> String.valueOf(pair.value)));
    assertThat(fields)
        .containsEntry("breaker", "shared")
        .containsEntry("from", "CLOSED")
        .containsEntry("to", "OPEN");
  }
}
