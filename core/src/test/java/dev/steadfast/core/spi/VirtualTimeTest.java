package dev.steadfast.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualTimeTest {

  private final VirtualTime time = new VirtualTime();

  @Test
  void advanceRunsDueTasksInOrderAtTheirDueTime() {
    List<String> ran = new ArrayList<>();
    time.schedule(() -> ran.add("b@" + time.nanoTime()), 200);
    time.schedule(() -> ran.add("a@" + time.nanoTime()), 100);
    time.schedule(() -> ran.add("c@" + time.nanoTime()), 300);

    time.advance(Duration.ofNanos(250));

    assertThat(ran).containsExactly("a@100", "b@200");
    assertThat(time.nanoTime()).isEqualTo(250);
    assertThat(time.pendingDelays()).containsExactly(Duration.ofNanos(50));
  }

  @Test
  void tasksDueAtTheSameTimeRunInScheduleOrder() {
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      time.schedule(() -> ran.add(n), 10);
    }
    time.advance(Duration.ofNanos(10));
    assertThat(ran).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void aTaskMayScheduleAnotherThatFallsDueInTheSameAdvance() {
    List<Long> ran = new ArrayList<>();
    time.schedule(
        () -> {
          ran.add(time.nanoTime());
          time.schedule(() -> ran.add(time.nanoTime()), 5);
        },
        10);
    time.advance(Duration.ofNanos(20));
    assertThat(ran).containsExactly(10L, 15L);
  }

  @Test
  void cancelledTasksNeverRun() {
    List<String> ran = new ArrayList<>();
    TimeSource.Cancellable handle = time.schedule(() -> ran.add("x"), 10);
    handle.cancel();
    time.advance(Duration.ofSeconds(1));
    assertThat(ran).isEmpty();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void sleepAdvancesTheClockInsteadOfBlocking() throws InterruptedException {
    List<Long> ran = new ArrayList<>();
    time.schedule(() -> ran.add(time.nanoTime()), Duration.ofHours(1).toNanos());
    time.sleepNanos(Duration.ofHours(2).toNanos());
    assertThat(time.elapsed()).isEqualTo(Duration.ofHours(2));
    assertThat(ran).containsExactly(Duration.ofHours(1).toNanos());
  }

  @Test
  void sleepOnAnInterruptedThreadThrowsAndClearsTheFlag() {
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> time.sleepNanos(1)).isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(time.nanoTime()).isZero();
  }

  @Test
  void negativeAdvanceIsRejected() {
    assertThatThrownBy(() -> time.advance(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration must be >= 0");
  }
}
