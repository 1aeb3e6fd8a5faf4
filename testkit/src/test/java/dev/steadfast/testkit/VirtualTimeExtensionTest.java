package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.core.spi.TimeSource;
import dev.steadfast.core.spi.VirtualTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class VirtualTimeExtensionTest {

  @Test
  void injectsOneFreshVirtualTimePerTest(VirtualTime time, TimeSource source) {
    assertThat(source).isSameAs(time);
    assertThat(time.nanoTime()).isZero();
    time.advance(Duration.ofSeconds(5));
    assertThat(source.nanoTime()).isEqualTo(Duration.ofSeconds(5).toNanos());
  }

  @Test
  void aLaterTestStartsAtZeroAgain(VirtualTime time) {
    assertThat(time.elapsed()).isEqualTo(Duration.ZERO);
  }
}
