package dev.steadfast.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * One instance per key, at most {@code maxKeys} kept (least recently used evicted) and none idle longer than
 * {@code idleExpiry}: the bounded key space behind the keyed bulkhead and rate limiter. Thread-safe.
 */
public final class KeyedInstances<T> {

  private final Cache<String, T> instances;
  private final Function<String, T> factory;

  /**
   * @throws IllegalArgumentException naming the setting and value when {@code maxKeys < 1} or {@code
   *     idleExpiry} is not positive
   */
  public KeyedInstances(long maxKeys, Duration idleExpiry, Function<String, T> factory) {
    Objects.requireNonNull(idleExpiry, "idleExpiry");
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be >= 1, was " + maxKeys);
    }
    if (idleExpiry.isNegative() || idleExpiry.isZero()) {
      throw new IllegalArgumentException("idleExpiry must be > 0, was " + idleExpiry);
    }
    this.factory = Objects.requireNonNull(factory, "factory");
    this.instances =
        Caffeine.newBuilder()
            .maximumSize(maxKeys)
            .expireAfterAccess(idleExpiry)
            // Evict on the caller's thread: the bound holds at once, not after a background task ran.
            .executor(Runnable::run)
            .build();
  }

  /** The instance of {@code key}, created on first use. */
  public T forKey(String key) {
    Objects.requireNonNull(key, "key");
    return instances.get(key, factory);
  }

  /** How many keys have an instance now (approximate). */
  public long size() {
    return instances.estimatedSize();
  }
}
