package dev.steadfast.messaging.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SeqRangeTest {

  /** The invariant a settlement's range delete rests on: the range selects exactly the numbers listed. */
  @Property(tries = 2000)
  void aRangeHoldsExactlyTheListedNumbers(
      @ForAll @Size(min = 0, max = 16) List<@LongRange(min = -2, max = 12) Long> seqs) {
    SeqRange range = SeqRange.of(seqs);
    TreeSet<Long> distinct = new TreeSet<>(seqs);
    boolean fills = !seqs.isEmpty() && distinct.size() == seqs.size()
        && distinct.last() - distinct.first() == seqs.size() - 1;
    if (!fills) {
      assertThat(range).as("%s", seqs).isNull();
      return;
    }
    assertThat(range).isNotNull();
    for (long seq = range.first(); seq <= range.last(); seq++) {
      assertThat(distinct).contains(seq);
    }
    assertThat(range.last() - range.first() + 1).isEqualTo(seqs.size());
  }

  /** Consecutive numbers in any order, as a batch's confirmed rows come, are a range; generated, not left to luck. */
  @Property
  void consecutiveNumbersInAnyOrderAreARange(
      @ForAll @LongRange(min = 1, max = Long.MAX_VALUE - 1000) long first,
      @ForAll @IntRange(min = 1, max = 1000) int count,
      @ForAll long shuffleSeed) {
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      seqs.add(first + i);
    }
    Collections.shuffle(seqs, new java.util.Random(shuffleSeed));
    assertThat(SeqRange.of(seqs)).isEqualTo(new SeqRange(first, first + count - 1));
  }

  @Test
  void aRepeatThatKeepsTheSpanIsNoRange() {
    // 1..3 spans three numbers, as the list's size says, but 2 is missing.
    assertThat(SeqRange.of(List.of(1L, 1L, 3L))).isNull();
  }

  @Test
  void aSpanWiderThanALongIsNoRange() {
    assertThat(SeqRange.of(List.of(Long.MIN_VALUE, Long.MAX_VALUE))).isNull();
    assertThat(SeqRange.of(List.of(Long.MAX_VALUE))).isEqualTo(new SeqRange(Long.MAX_VALUE, Long.MAX_VALUE));
  }
}
