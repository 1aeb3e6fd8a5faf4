package dev.steadfast.messaging.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class Uuid7Test {

  @Property
  void idsFromOneGeneratorStrictlyIncreaseWhateverTheClockDoes(
      @ForAll @Size(min = 1, max = 200) List<@LongRange(min = 0, max = 5) Long> clockSteps,
      @ForAll boolean clockGoesBack) {
    Uuid7 generator = new Uuid7();
    long millis = 1_700_000_000_000L;
    List<UUID> ids = new ArrayList<>();
    for (long step : clockSteps) {
      millis += clockGoesBack ? -step : step;
      for (int i = 0; i < 50; i++) { // many per millisecond: the counter, and its overflow, are exercised
        ids.add(generator.generate(millis));
      }
    }
    for (int i = 1; i < ids.size(); i++) {
      UUID previous = ids.get(i - 1);
      UUID current = ids.get(i);
      assertThat(Long.compareUnsigned(current.getMostSignificantBits(), previous.getMostSignificantBits()))
          .as("%s after %s", current, previous).isPositive();
      assertThat(current.version()).isEqualTo(7);
      assertThat(current.variant()).isEqualTo(2);
    }
  }

  @Property
  void theTimestampIsTheClocksMillisecond(@ForAll @LongRange(min = 0, max = 0xFFFF_FFFF_FFFFL) long millis) {
    UUID id = new Uuid7().generate(millis);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(millis);
  }
}
