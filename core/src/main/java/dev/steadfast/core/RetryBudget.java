package dev.steadfast.core;

import dev.steadfast.core.internal.PercentRetryBudget;
import dev.steadfast.core.internal.TokenBucketRetryBudget;
import dev.steadfast.core.spi.TimeSource;
import java.time.Duration;
import java.util.Objects;

/**
 * A cap on retries and hedges, shared by every pipeline that calls one downstream, so that a failing
 * downstream gets a bounded amount of extra load instead of {@code maxAttempts} times its normal load.
 * Thread-safe: share one instance per downstream.
 *
 * <p>A retry or hedge the budget refuses is not sent, and the call fails with the last attempt's own error (a
 * budget never invents an error of its own).
 *
 * <p>Two kinds:
 *
 * <ul>
 *   <li>{@link #tokenBucket(double, double)}, as gRPC's retry throttling: the bucket starts full; each failed
 *       attempt takes a token, each successful one gives back {@code tokenRatio}; retries are allowed only
 *       while more than half the tokens are left. Under 100% failure it allows at most {@code maxTokens / 2}
 *       retries until successes refill it.
 *   <li>{@link #percentOfRequests(double, Duration, int, TimeSource)}, as Finagle's retry budget: each request
 *       deposits {@code percent} of a retry, each retry withdraws one, deposits expire after {@code window}, and
 *       a reserve of {@code minRetriesPerSecond} per second of the window lets low-traffic callers retry too.
 *       In any window, retries &le; percent &times; requests + minRetriesPerSecond &times; window seconds.
 * </ul>
 *
 * @since 0.1.0
 */
public interface RetryBudget {

  /** An original request (not a retry or hedge) is about to be sent. */
  void onRequest();

  /**
   * Asks to send one retry or hedge: true to send it, false to give up. A percent budget charges the retry
   * now; a token bucket charges it when the attempt fails ({@link #onFailure()}).
   */
  boolean tryAcquireRetry();

  /** An attempt succeeded. */
  void onSuccess();

  /** An attempt failed with an error of the downstream (not a local rejection). */
  void onFailure();

  /** How many retries the budget would allow right now, for metrics and tests. */
  double available();

  /**
   * gRPC-style token bucket.
   *
   * @param maxTokens tokens when full, in (0, 1000]
   * @param tokenRatio tokens given back per successful attempt, in (0, 1]
   * @throws IllegalArgumentException naming the setting and value when out of range
   */
  static RetryBudget tokenBucket(double maxTokens, double tokenRatio) {
    if (!(maxTokens > 0 && maxTokens <= 1000)) {
      throw new IllegalArgumentException("maxTokens must be in (0, 1000], was " + maxTokens);
    }
    if (!(tokenRatio > 0 && tokenRatio <= 1)) {
      throw new IllegalArgumentException("tokenRatio must be in (0, 1], was " + tokenRatio);
    }
    return new TokenBucketRetryBudget(maxTokens, tokenRatio);
  }

  /**
   * Finagle-style budget: {@code percent} of requests over a sliding {@code window}, plus a reserve of {@code
   * minRetriesPerSecond}.
   *
   * @param percent retries allowed per request, in [0, 10] (0.2 is 20%)
   * @param window how long deposits count, from 1 s to 1 h
   * @param minRetriesPerSecond the reserve, >= 0
   * @throws IllegalArgumentException naming the setting and value when out of range
   */
  static RetryBudget percentOfRequests(
      double percent, Duration window, int minRetriesPerSecond, TimeSource time) {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(time, "time");
    if (!(percent >= 0 && percent <= 10)) {
      throw new IllegalArgumentException("percent must be in [0, 10], was " + percent);
    }
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("window must be between 1s and 1h, was " + window);
    }
    if (minRetriesPerSecond < 0) {
      throw new IllegalArgumentException("minRetriesPerSecond must be >= 0, was " + minRetriesPerSecond);
    }
    return new PercentRetryBudget(percent, window, minRetriesPerSecond, time);
  }

  /** {@link #percentOfRequests(double, Duration, int, TimeSource)} on the system clock. */
  static RetryBudget percentOfRequests(double percent, Duration window, int minRetriesPerSecond) {
    return percentOfRequests(percent, window, minRetriesPerSecond, TimeSource.system());
  }
}
