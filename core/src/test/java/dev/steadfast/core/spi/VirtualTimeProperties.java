package dev.steadfast.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class VirtualTimeProperties {

  @Property
  void everyTaskRunsOnceAtItsDueTimeInNonDecreasingOrder(
      @ForAll @Size(max = 30) List<@LongRange(min = 0, max = 1_000) Long> delays,
      @ForAll @Size(min = 1, max = 10) List<@LongRange(min = 0, max = 300) Long> steps) {
    VirtualTime time = new VirtualTime();
    List<long[]> ran = new ArrayList<>(); // {due, observedTime}
    for (long delay : delays) {
      time.schedule(() -> ran.add(new long[] {delay, time.nanoTime()}), delay);
    }
    long advanced = 0;
    for (long step : steps) {
      time.advance(Duration.ofNanos(step));
      advanced += step;
    }

    long expectedRuns = delays.stream().filter(d -> d <= 0 || d <= stepsTotal(steps)).count();
    assertThat(ran).hasSize((int) expectedRuns);
    long previous = Long.MIN_VALUE;
    for (long[] run : ran) {
      assertThat(run[1]).as("observed time equals due time").isEqualTo(run[0]);
      assertThat(run[1]).isGreaterThanOrEqualTo(previous);
      previous = run[1];
    }
    assertThat(time.nanoTime()).isEqualTo(advanced);
    assertThat(time.pendingTasks()).isEqualTo(delays.size() - ran.size());
  }

  private static long stepsTotal(List<Long> steps) {
    return steps.stream().mapToLong(Long::longValue).sum();
  }
}
