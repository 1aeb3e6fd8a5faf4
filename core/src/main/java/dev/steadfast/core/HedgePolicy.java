package dev.steadfast.core;

import dev.steadfast.core.internal.LatencyPercentile;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Hedging: when an attempt has not answered after a delay, start another one; the first success wins and the
 * others are cancelled. Cuts the tail latency that one slow server or connection adds. Immutable and
 * thread-safe, but a policy with a learned delay keeps the latency it learned: share it among the pipelines
 * that call one downstream, and no further.
 *
 * <p>At most {@code maxAttempts} attempts run for one call (the first included). An attempt that fails with a
 * retryable error starts the next hedge at once rather than waiting for the delay. Every hedge asks the
 * pipeline's {@link RetryBudget} first, and none starts when the call's {@link Deadline} has passed.
 *
 * <p>Synchronous calls run their attempts on {@code executor} (default: a shared pool of daemon threads) and
 * cancel losers by interrupting them; asynchronous calls cancel the losers' futures.
 *
 * @since 0.1.0
 */
public final class HedgePolicy {

  private final int maxAttempts;
  private final long fixedDelayNanos;
  private final @Nullable LatencyPercentile learned;
  private final @Nullable Executor executor;

  private HedgePolicy(
      int maxAttempts, long fixedDelayNanos, @Nullable LatencyPercentile learned, @Nullable Executor executor) {
    this.maxAttempts = maxAttempts;
    this.fixedDelayNanos = fixedDelayNanos;
    this.learned = learned;
    this.executor = executor;
  }

  /**
   * Hedges after a fixed {@code delay}.
   *
   * @param maxAttempts attempts in all, in [2, 10]
   * @throws IllegalArgumentException naming the setting and value when out of range
   */
  public static HedgePolicy afterDelay(Duration delay, int maxAttempts) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0, was " + delay);
    }
    return new HedgePolicy(checkAttempts(maxAttempts), delay.toNanos(), null, null);
  }

  /**
   * Hedges once an attempt is slower than the {@code percentile} of the latency of recent successful attempts
   * (the last 1024), never sooner than {@code minDelay}; until 32 latencies are known, after {@code minDelay}.
   *
   * @param percentile in (0, 100), e.g. 95
   * @throws IllegalArgumentException naming the setting and value when out of range
   */
  public static HedgePolicy atPercentile(double percentile, Duration minDelay, int maxAttempts) {
    Objects.requireNonNull(minDelay, "minDelay");
    if (!(percentile > 0 && percentile < 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100), was " + percentile);
    }
    if (minDelay.isNegative()) {
      throw new IllegalArgumentException("minDelay must be >= 0, was " + minDelay);
    }
    return new HedgePolicy(
        checkAttempts(maxAttempts), minDelay.toNanos(), new LatencyPercentile(percentile / 100.0), null);
  }

  /** This policy, running synchronous attempts on {@code executor}. */
  public HedgePolicy withExecutor(Executor executor) {
    return new HedgePolicy(maxAttempts, fixedDelayNanos, learned, Objects.requireNonNull(executor, "executor"));
  }

  /** Attempts in all, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The delay before the next hedge, now. */
  public long delayNanos() {
    LatencyPercentile percentile = learned;
    return percentile == null ? fixedDelayNanos : Math.max(fixedDelayNanos, percentile.valueNanos(fixedDelayNanos));
  }

  /** Feeds the latency of a successful attempt to a learned delay; nothing for a fixed one. */
  public void recordLatency(long nanos) {
    LatencyPercentile percentile = learned;
    if (percentile != null) {
      percentile.record(nanos);
    }
  }

  /** The executor for synchronous attempts, or null for the default. */
  public @Nullable Executor executor() {
    return executor;
  }

  private static int checkAttempts(int maxAttempts) {
    if (maxAttempts < 2 || maxAttempts > 10) {
      throw new IllegalArgumentException("maxAttempts must be in [2, 10], was " + maxAttempts);
    }
    return maxAttempts;
  }

  @Override
  public String toString() {
    return "HedgePolicy[maxAttempts=" + maxAttempts + ", delay="
        + (learned == null ? Duration.ofNanos(fixedDelayNanos) : learned + " >= " + Duration.ofNanos(fixedDelayNanos))
        + "]";
  }
}
