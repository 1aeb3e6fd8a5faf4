package dev.steadfast.core.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A percentile of the last {@value #SIZE} latencies. Thread-safe.
 *
 * <p>Design: a ring of atomic longs written lock-free; the percentile is recomputed (copy and sort, about 20 us)
 * by whichever reader finds it older than {@value #REFRESH_EVERY} new samples, and cached in a volatile field, so
 * the per-call cost is one atomic increment and one array write.
 */
public final class LatencyPercentile {

  private static final int SIZE = 1024;
  private static final int MIN_SAMPLES = 32;
  private static final int REFRESH_EVERY = 64;

  private final double quantile;
  private final AtomicLongArray ring = new AtomicLongArray(SIZE);
  private final AtomicLong count = new AtomicLong();
  private volatile long cachedAtCount = -1;
  private volatile long cachedNanos;

  public LatencyPercentile(double quantile) {
    this.quantile = quantile;
  }

  public void record(long nanos) {
    long index = count.getAndIncrement();
    ring.set((int) (index % SIZE), Math.max(0, nanos));
  }

  /** The percentile, or {@code fallbackNanos} while fewer than 32 samples are known. */
  public long valueNanos(long fallbackNanos) {
    long samples = count.get();
    if (samples < MIN_SAMPLES) {
      return fallbackNanos;
    }
    if (samples - cachedAtCount >= REFRESH_EVERY || cachedAtCount < 0) {
      int n = (int) Math.min(samples, SIZE);
      long[] copy = new long[n];
      for (int i = 0; i < n; i++) {
        copy[i] = ring.get(i);
      }
      Arrays.sort(copy);
      cachedNanos = copy[Math.min(n - 1, (int) Math.ceil(quantile * n) - 1)];
      cachedAtCount = samples;
    }
    return cachedNanos;
  }

  @Override
  public String toString() {
    return "p" + quantile * 100;
  }
}
