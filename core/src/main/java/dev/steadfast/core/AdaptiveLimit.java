package dev.steadfast.core;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import dev.steadfast.core.spi.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A concurrency limit that finds its own value from the latency and drops it sees, instead of a fixed bulkhead
 * size that is always either too small or too large. Thread-safe; share one per downstream.
 *
 * <p>The algorithms are Netflix's {@code concurrency-limits-core}: {@link #aimd} (additive increase on success,
 * multiplicative decrease on a drop or a timeout) and {@link #gradient} (Gradient2: compares short- and
 * long-term latency and shrinks the limit as queueing grows). A call beyond the limit fails at once with {@link
 * LimitExceededException}. Timeouts count as drops; other errors are ignored by the algorithm, so a downstream
 * that fails fast does not look like one with spare capacity.
 *
 * @since 0.1.0
 */
public final class AdaptiveLimit {

  /** A granted slot of an adaptive limit: report how the call ended, exactly once. */
  public interface Permit {
    /** The call succeeded; its latency feeds the algorithm. */
    void onSuccess();

    /** The call was dropped or timed out: a sign of overload. */
    void onDropped();

    /** The call failed in a way that says nothing about load. */
    void onIgnore();
  }

  private final String name;
  private final Limit limit;
  private final Limiter<@Nullable Void> limiter;

  private AdaptiveLimit(String name, Limit limit, TimeSource time) {
    this.name = name;
    this.limit = limit;
    this.limiter = SimpleLimiter.newBuilder().named(name).limit(limit).nanoClock(time::nanoTime).build();
  }

  /**
   * AIMD: grows by one per success while calls queue up, shrinks by {@code backoffRatio} on a drop or on a call
   * slower than {@code timeout}.
   *
   * @throws IllegalArgumentException naming the setting and value when {@code 1 <= minLimit <= initialLimit <=
   *     maxLimit} does not hold, {@code backoffRatio} is outside [0.5, 1) or {@code timeout} is not positive
   */
  public static AdaptiveLimit aimd(
      String name,
      int initialLimit,
      int minLimit,
      int maxLimit,
      double backoffRatio,
      Duration timeout,
      TimeSource time) {
    checkLimits(initialLimit, minLimit, maxLimit);
    if (!(backoffRatio >= 0.5 && backoffRatio < 1.0)) {
      throw new IllegalArgumentException("backoffRatio must be in [0.5, 1), was " + backoffRatio);
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
    }
    Limit limit =
        AIMDLimit.newBuilder()
            .initialLimit(initialLimit)
            .minLimit(minLimit)
            .maxLimit(maxLimit)
            .backoffRatio(backoffRatio)
            .timeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
            .build();
    return new AdaptiveLimit(requireName(name), limit, Objects.requireNonNull(time, "time"));
  }

  /**
   * Gradient2: tracks the ratio of long-term to short-term latency and lets a small queue build.
   *
   * @throws IllegalArgumentException naming the setting and value when {@code 1 <= minLimit <= initialLimit <=
   *     maxLimit} does not hold
   */
  public static AdaptiveLimit gradient(
      String name, int initialLimit, int minLimit, int maxLimit, TimeSource time) {
    checkLimits(initialLimit, minLimit, maxLimit);
    Limit limit =
        Gradient2Limit.newBuilder()
            .initialLimit(initialLimit)
            .minLimit(minLimit)
            .maxConcurrency(maxLimit)
            .build();
    return new AdaptiveLimit(requireName(name), limit, Objects.requireNonNull(time, "time"));
  }

  /** A slot, or null when the limit is reached. */
  public @Nullable Permit tryAcquire() {
    Optional<Limiter.Listener> listener = limiter.acquire(null);
    return listener.isPresent() ? new ListenerPermit(listener.get()) : null;
  }

  /** The limit's name. */
  public String name() {
    return name;
  }

  /** The current limit. */
  public int currentLimit() {
    return limit.getLimit();
  }

  private static String requireName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
    }
    return name;
  }

  private static void checkLimits(int initialLimit, int minLimit, int maxLimit) {
    if (minLimit < 1) {
      throw new IllegalArgumentException("minLimit must be >= 1, was " + minLimit);
    }
    if (initialLimit < minLimit) {
      throw new IllegalArgumentException(
          "initialLimit must be >= minLimit (" + minLimit + "), was " + initialLimit);
    }
    if (maxLimit < initialLimit) {
      throw new IllegalArgumentException(
          "maxLimit must be >= initialLimit (" + initialLimit + "), was " + maxLimit);
    }
  }

  private record ListenerPermit(Limiter.Listener listener) implements Permit {
    @Override
    public void onSuccess() {
      listener.onSuccess();
    }

    @Override
    public void onDropped() {
      listener.onDropped();
    }

    @Override
    public void onIgnore() {
      listener.onIgnore();
    }
  }

  @Override
  public String toString() {
    return "AdaptiveLimit[" + name + ", limit=" + currentLimit() + "]";
  }
}
