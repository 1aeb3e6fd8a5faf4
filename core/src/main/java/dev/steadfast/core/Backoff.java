package dev.steadfast.core;

import dev.steadfast.core.spi.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The wait before each retry: fixed or exponential, capped, with a named {@link Jitter}. Immutable and
 * thread-safe.
 *
 * @since 0.1.0
 */
public final class Backoff {

  private static final Backoff NONE = new Backoff(0, 1.0, 0, Jitter.NONE);

  private final long initialNanos;
  private final double multiplier;
  private final long maxNanos;
  private final Jitter jitter;

  private Backoff(long initialNanos, double multiplier, long maxNanos, Jitter jitter) {
    this.initialNanos = initialNanos;
    this.multiplier = multiplier;
    this.maxNanos = maxNanos;
    this.jitter = jitter;
  }

  /** No wait between attempts. */
  public static Backoff none() {
    return NONE;
  }

  /**
   * The same {@code delay} before every retry.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public static Backoff fixed(Duration delay) {
    long nanos = nonNegative("delay", delay);
    return new Backoff(nanos, 1.0, nanos, Jitter.NONE);
  }

  /**
   * {@code initial}, then each delay {@code multiplier} times the last, never more than {@code max}.
   *
   * @throws IllegalArgumentException naming the setting if {@code initial} is negative, {@code multiplier < 1}
   *     or not finite, or {@code max < initial}
   */
  public static Backoff exponential(Duration initial, double multiplier, Duration max) {
    long initialNanos = nonNegative("initial", initial);
    long maxNanos = nonNegative("max", max);
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be finite and >= 1, was " + multiplier);
    }
    if (maxNanos < initialNanos) {
      throw new IllegalArgumentException("max must be >= initial (" + initial + "), was " + max);
    }
    return new Backoff(initialNanos, multiplier, maxNanos, Jitter.NONE);
  }

  /** This backoff with {@code jitter} applied to every delay. */
  public Backoff withJitter(Jitter jitter) {
    return new Backoff(initialNanos, multiplier, maxNanos, Objects.requireNonNull(jitter, "jitter"));
  }

  /** The first delay before jitter. */
  public Duration initial() {
    return Duration.ofNanos(initialNanos);
  }

  /** The growth factor between delays; 1 for a fixed backoff. */
  public double multiplier() {
    return multiplier;
  }

  /** The cap on every delay. */
  public Duration max() {
    return Duration.ofNanos(maxNanos);
  }

  /** The jitter applied to every delay. */
  public Jitter jitter() {
    return jitter;
  }

  /**
   * The delay before retry number {@code retry} (1 for the first retry), in nanoseconds.
   *
   * @param previousNanos the delay actually waited before the previous retry (0 before the first); only
   *     {@link Jitter#DECORRELATED} reads it
   * @param random the source of jitter
   */
  public long delayNanos(int retry, long previousNanos, RandomGenerator random) {
    if (maxNanos == 0) {
      return 0;
    }
    switch (jitter) {
      case DECORRELATED:
        {
          long low = Math.max(1, initialNanos);
          long high = Math.max(low + 1, saturatingTimes3(Math.max(previousNanos, low)));
          return Math.min(maxNanos, random.nextLong(low, high));
        }
      case FULL:
        {
          long d = undithered(retry);
          return d == 0 ? 0 : random.nextLong(d + 1);
        }
      case EQUAL:
        {
          long d = undithered(retry);
          long half = d / 2;
          return half + (d - half == 0 ? 0 : random.nextLong(d - half + 1));
        }
      case NONE:
      default:
        return undithered(retry);
    }
  }

  /** The delay before jitter: {@code min(max, initial * multiplier^(retry-1))}. */
  long undithered(int retry) {
    if (multiplier == 1.0 || retry <= 1) {
      return Math.min(initialNanos, maxNanos);
    }
    double value = initialNanos * Math.pow(multiplier, retry - 1);
    return value >= maxNanos ? maxNanos : (long) value;
  }

  private static long saturatingTimes3(long value) {
    return value > Long.MAX_VALUE / 3 ? Long.MAX_VALUE : value * 3;
  }

  private static long nonNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
    return TimeSource.toNanosSaturated(value);
  }

  @Override
  public String toString() {
    return multiplier == 1.0
        ? "Backoff[fixed " + initial() + ", jitter=" + jitter + "]"
        : "Backoff[exponential " + initial() + " x" + multiplier + " up to " + max() + ", jitter=" + jitter
            + "]";
  }
}
