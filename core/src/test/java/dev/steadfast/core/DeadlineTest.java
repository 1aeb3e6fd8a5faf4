package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.spi.VirtualTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

  private final VirtualTime time = new VirtualTime();

  @Test
  void remainingShrinksWithTimeAndNeverGoesNegative() {
    Deadline deadline = Deadline.after(Duration.ofMillis(100), time);
    time.advance(Duration.ofMillis(40));
    assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(60));
    assertThat(deadline.isExpired()).isFalse();
    time.advance(Duration.ofMillis(100));
    assertThat(deadline.remaining()).isEqualTo(Duration.ZERO);
    assertThat(deadline.remainingNanos()).isNegative();
    assertThat(deadline.isExpired()).isTrue();
  }

  @Test
  void headerCarriesTheMillisecondsLeftRoundedDown() {
    Deadline deadline = Deadline.after(Duration.ofNanos(1_999_999), time);
    assertThat(deadline.toHeaderValue()).isEqualTo("1");
    time.advance(Duration.ofMillis(5));
    assertThat(deadline.toHeaderValue()).isEqualTo("0");
  }

  @Test
  void headerValueRoundTrips() {
    Deadline sent = Deadline.after(Duration.ofSeconds(3), time);
    Deadline received = Deadline.fromHeaderValue(sent.toHeaderValue(), time).orElseThrow();
    assertThat(received.remaining()).isEqualTo(Duration.ofSeconds(3));
    assertThat(Deadline.fromHeaderValue(null, time)).isEmpty();
    assertThat(Deadline.fromHeaderValue("  ", time)).isEmpty();
  }

  @Test
  void malformedHeaderIsRejectedWithTheValueInTheMessage() {
    assertThatThrownBy(() -> Deadline.fromHeaderValue("12s", time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Deadline.HEADER)
        .hasMessageContaining("'12s'");
    assertThatThrownBy(() -> Deadline.fromHeaderValue("-5", time))
        .hasMessageContaining("must be >= 0")
        .hasMessageContaining("'-5'");
  }

  @Test
  void negativeTimeoutIsRejected() {
    assertThatThrownBy(() -> Deadline.after(Duration.ofMillis(-1), time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be >= 0, was PT-0.001S");
  }

  @Test
  void hugeTimeoutSaturatesInsteadOfWrapping() {
    time.advance(Duration.ofDays(1));
    Deadline deadline = Deadline.after(Duration.ofSeconds(Long.MAX_VALUE), time);
    assertThat(deadline.isExpired()).isFalse();
    assertThat(deadline.compareTo(Deadline.after(Duration.ofDays(365), time))).isPositive();
  }

  @Test
  void minIsTheEarlierDeadline() {
    Deadline early = Deadline.after(Duration.ofMillis(10), time);
    Deadline late = Deadline.after(Duration.ofMillis(20), time);
    assertThat(early.min(late)).isSameAs(early);
    assertThat(late.min(early)).isSameAs(early);
  }

  @Test
  void bindMakesADeadlineCurrentUntilClosed() {
    Deadline outer = Deadline.after(Duration.ofSeconds(1), time);
    Deadline inner = Deadline.after(Duration.ofMillis(1), time);
    assertThat(Deadline.current()).isEmpty();
    try (Deadline.Scope ignored = Deadline.bind(outer)) {
      try (Deadline.Scope ignored2 = Deadline.bind(inner)) {
        assertThat(Deadline.current()).containsSame(inner);
      }
      assertThat(Deadline.current()).containsSame(outer);
    }
    assertThat(Deadline.current()).isEmpty();
  }

  @Test
  void withinMakesTheDeadlineCurrentForTheWorkOnly() {
    Deadline deadline = Deadline.after(Duration.ofSeconds(1), time);
    String seen = deadline.within(() -> Deadline.current().orElseThrow().toHeaderValue());
    assertThat(seen).isEqualTo("1000");
    assertThat(Deadline.current()).isEmpty();
  }
}
