package dev.steadfast.core;

import dev.steadfast.core.internal.KeyedInstances;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * One Resilience4j {@link RateLimiter} per key (per tenant, per API key), so that one noisy key cannot use the
 * rate the others need. Thread-safe.
 *
 * <p>The key space is bounded: at most {@code maxKeys} limiters are kept (Caffeine, evicting the least recently
 * used) and a limiter idle for {@code idleExpiry} is dropped; a key that comes back starts with a full period.
 * Choose {@code idleExpiry} longer than the limiter's refresh period so that an evicted key cannot reset its
 * own limit by pausing.
 *
 * @since 0.1.0
 */
public final class KeyedRateLimiter {

  private final String name;
  private final KeyedInstances<RateLimiter> limiters;

  private KeyedRateLimiter(String name, RateLimiterConfig config, long maxKeys, Duration idleExpiry) {
    this.name = name;
    this.limiters = new KeyedInstances<>(maxKeys, idleExpiry, key -> RateLimiter.of(name + ":" + key, config));
  }

  /**
   * Rate limiters with {@code config}, one per key, at most {@code maxKeys} kept, dropped after {@code
   * idleExpiry} without a call.
   *
   * @throws IllegalArgumentException naming the setting and value when {@code maxKeys < 1} or {@code idleExpiry}
   *     is shorter than the limiter's refresh period
   */
  public static KeyedRateLimiter of(
      String name, RateLimiterConfig config, long maxKeys, Duration idleExpiry) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(idleExpiry, "idleExpiry");
    if (idleExpiry.compareTo(config.getLimitRefreshPeriod()) < 0) {
      throw new IllegalArgumentException(
          "idleExpiry must be >= the limit refresh period (" + config.getLimitRefreshPeriod() + "), was "
              + idleExpiry);
    }
    return new KeyedRateLimiter(name, config, maxKeys, idleExpiry);
  }

  /** The rate limiter of {@code key}, created on first use. */
  public RateLimiter forKey(String key) {
    return limiters.forKey(key);
  }

  /** The name, used as the prefix of every key's limiter name. */
  public String name() {
    return name;
  }

  /** How many keys have a limiter now (approximate). */
  public long keys() {
    return limiters.size();
  }
}
