package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class BackoffProperties {

  private static Backoff exponential(long initialMillis, double multiplier, long maxMillis, Jitter jitter) {
    return Backoff.exponential(
            Duration.ofMillis(initialMillis), multiplier, Duration.ofMillis(Math.max(initialMillis, maxMillis)))
        .withJitter(jitter);
  }

  @Property
  void everyDelayLiesBetweenZeroAndMax(
      @ForAll @LongRange(min = 0, max = 10_000) long initialMillis,
      @ForAll @DoubleRange(min = 1.0, max = 10.0) double multiplier,
      @ForAll @LongRange(min = 0, max = 60_000) long maxMillis,
      @ForAll Jitter jitter,
      @ForAll @IntRange(min = 1, max = 100) int retry,
      @ForAll long seed) {
    Backoff backoff = exponential(initialMillis, multiplier, maxMillis, jitter);
    long previous = backoff.delayNanos(Math.max(1, retry - 1), 0, new SplittableRandom(seed));
    long delay = backoff.delayNanos(retry, previous, new SplittableRandom(seed + 1));
    assertThat(delay).isBetween(0L, backoff.max().toNanos());
  }

  @Property
  void withoutJitterDelaysGrowMonotonicallyUpToTheCap(
      @ForAll @LongRange(min = 1, max = 10_000) long initialMillis,
      @ForAll @DoubleRange(min = 1.0, max = 10.0) double multiplier,
      @ForAll @LongRange(min = 1, max = 60_000) long maxMillis,
      @ForAll @IntRange(min = 1, max = 60) int retry) {
    Backoff backoff = exponential(initialMillis, multiplier, maxMillis, Jitter.NONE);
    SplittableRandom unused = new SplittableRandom(0);
    long delay = backoff.delayNanos(retry, 0, unused);
    long next = backoff.delayNanos(retry + 1, 0, unused);
    assertThat(next).isGreaterThanOrEqualTo(delay);
    assertThat(backoff.delayNanos(1, 0, unused)).isEqualTo(Math.min(initialMillis, Math.max(initialMillis, maxMillis)) * 1_000_000);
  }

  @Property
  void fullJitterStaysWithinTheUnjitteredDelay(
      @ForAll @LongRange(min = 0, max = 10_000) long initialMillis,
      @ForAll @IntRange(min = 1, max = 30) int retry,
      @ForAll long seed) {
    Backoff plain = exponential(initialMillis, 2.0, 30_000, Jitter.NONE);
    Backoff full = plain.withJitter(Jitter.FULL);
    long cap = plain.delayNanos(retry, 0, new SplittableRandom(seed));
    assertThat(full.delayNanos(retry, 0, new SplittableRandom(seed))).isBetween(0L, cap);
  }

  @Property
  void equalJitterNeverWaitsLessThanHalfTheBackoff(
      @ForAll @LongRange(min = 0, max = 10_000) long initialMillis,
      @ForAll @IntRange(min = 1, max = 30) int retry,
      @ForAll long seed) {
    Backoff plain = exponential(initialMillis, 2.0, 30_000, Jitter.NONE);
    long d = plain.delayNanos(retry, 0, new SplittableRandom(seed));
    long jittered = plain.withJitter(Jitter.EQUAL).delayNanos(retry, 0, new SplittableRandom(seed));
    assertThat(jittered).isBetween(d / 2, d);
  }

  @Property
  void decorrelatedJitterGrowsFromThePreviousDelayWithinThreeTimes(
      @ForAll @LongRange(min = 1, max = 1_000) long initialMillis,
      @ForAll @LongRange(min = 0, max = 20_000) long previousMillis,
      @ForAll long seed) {
    Backoff backoff = exponential(initialMillis, 2.0, 30_000, Jitter.DECORRELATED);
    long initial = initialMillis * 1_000_000;
    long previous = previousMillis * 1_000_000;
    long delay = backoff.delayNanos(5, previous, new SplittableRandom(seed));
    assertThat(delay).isGreaterThanOrEqualTo(Math.min(initial, backoff.max().toNanos()));
    assertThat(delay).isLessThanOrEqualTo(Math.min(backoff.max().toNanos(), 3 * Math.max(previous, initial)));
  }

  @Property(tries = 20)
  void fullJitterIsSpreadOverTheWholeRange(@ForAll long seed) {
    Backoff backoff = Backoff.fixed(Duration.ofMillis(1000)).withJitter(Jitter.FULL);
    SplittableRandom random = new SplittableRandom(seed);
    int[] quarters = new int[4];
    for (int i = 0; i < 4000; i++) {
      long delay = backoff.delayNanos(1, 0, random);
      quarters[(int) Math.min(3, delay / 250_000_000)]++;
    }
    for (int count : quarters) {
      assertThat(count).as("delays in each quarter of [0, 1 s]").isBetween(800, 1200);
    }
  }
}
