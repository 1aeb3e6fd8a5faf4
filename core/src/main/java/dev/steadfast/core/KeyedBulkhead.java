package dev.steadfast.core;

import dev.steadfast.core.internal.KeyedInstances;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * One Resilience4j {@link Bulkhead} per key (per tenant, per user), so that one noisy key cannot take the
 * concurrency the others need. Thread-safe.
 *
 * <p>The key space is bounded: at most {@code maxKeys} bulkheads are kept (Caffeine, evicting the least
 * recently used) and a bulkhead idle for {@code idleExpiry} is dropped. A key evicted while it still has calls
 * in flight gets a fresh bulkhead on its next call, so in that rare case the key may briefly exceed its limit;
 * size {@code maxKeys} above the number of keys active at once to avoid it.
 *
 * @since 0.1.0
 */
public final class KeyedBulkhead {

  private final String name;
  private final KeyedInstances<Bulkhead> bulkheads;

  private KeyedBulkhead(String name, BulkheadConfig config, long maxKeys, Duration idleExpiry) {
    this.name = name;
    this.bulkheads = new KeyedInstances<>(maxKeys, idleExpiry, key -> Bulkhead.of(name + ":" + key, config));
  }

  /**
   * Bulkheads with {@code config}, one per key, at most {@code maxKeys} kept, dropped after {@code idleExpiry}
   * without a call.
   *
   * @throws IllegalArgumentException naming the setting and value when {@code maxKeys < 1} or {@code idleExpiry}
   *     is not positive
   */
  public static KeyedBulkhead of(String name, BulkheadConfig config, long maxKeys, Duration idleExpiry) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(idleExpiry, "idleExpiry");
    return new KeyedBulkhead(name, config, maxKeys, idleExpiry);
  }

  /** The bulkhead of {@code key}, created on first use. */
  public Bulkhead forKey(String key) {
    return bulkheads.forKey(key);
  }

  /** The name, used as the prefix of every key's bulkhead name. */
  public String name() {
    return name;
  }

  /** How many keys have a bulkhead now (approximate). */
  public long keys() {
    return bulkheads.size();
  }
}
