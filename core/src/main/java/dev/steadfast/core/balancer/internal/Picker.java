package dev.steadfast.core.balancer.internal;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Chooses one of a fixed, non-empty array of candidates. A picker is built for each candidate set (so it may
 * precompute a ring or a schedule) and used by many threads at once: implementations are thread-safe.
 */
public interface Picker {

  /**
   * Picks a candidate.
   *
   * @param nowNanos the time source's reading when slow start is on and the strategy uses weights; otherwise
   *     the time of the balancer's latest report (what Peak-EWMA decays costs to)
   * @param keyHash the affinity key's hash when {@code keyed}
   * @param avoid a candidate not to return while another exists, or null
   */
  EndpointState pick(
      long nowNanos, long keyHash, boolean keyed, @Nullable EndpointState avoid, RandomGenerator random);
}
