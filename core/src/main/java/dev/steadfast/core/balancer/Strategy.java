package dev.steadfast.core.balancer;

import dev.steadfast.core.balancer.internal.Strategies;
import java.time.Duration;

/**
 * How a {@link LoadBalancer} chooses among the endpoints it may use (the healthy ones, in the preferred zone).
 * Immutable; obtain one from the factories here. Every strategy honours {@link LoadBalancer#pickOther}: it
 * never returns the endpoint to avoid when another one is available.
 *
 * <p>Which to choose: {@link #peakEwma()} for request/response traffic to replicas that can turn slow (it
 * reacts within one slow response); {@link #leastRequest(int)} when latency is uniform but requests vary in
 * cost; {@link #roundRobin()}, {@link #weightedRoundRobin()} or {@link #random()} when hosts are uniform; {@link
 * #ringHash(int)}, {@link #maglev(int)} or {@link #rendezvous()} when a key (a user, a shard) should stick to one host.
 *
 * @since 0.1.0
 */
public interface Strategy {

  /** A short name, used in metrics and messages ("peak-ewma"). */
  String name();

  /** Each endpoint in turn; weights ignored. Lock-free. */
  static Strategy roundRobin() {
    return Strategies.roundRobin();
  }

  /**
   * Smooth weighted round robin by earliest deadline first: each endpoint gets {@code weight / total} of the
   * picks, interleaved (weights 5, 1, 1 give a a a b c a a, not a a a a a b c). Honours slow start. Takes a
   * short lock per pick.
   */
  static Strategy weightedRoundRobin() {
    return Strategies.weightedRoundRobin();
  }

  /** A uniformly random endpoint; weights ignored. Lock-free. */
  static Strategy random() {
    return Strategies.random();
  }

  /**
   * Least request by power of {@code choices} random choices: samples {@code choices} endpoints and picks the
   * one with the fewest requests in flight per unit of weight. Lock-free, allocation-free.
   *
   * @throws IllegalArgumentException if {@code choices < 2}
   */
  static Strategy leastRequest(int choices) {
    return Strategies.leastRequest(choices);
  }

  /** {@link #peakEwma(Duration, Duration)} with Finagle's 10 s decay and a 1 s failure penalty. */
  static Strategy peakEwma() {
    return Strategies.peakEwma(Duration.ofSeconds(10), Duration.ofSeconds(1));
  }

  /**
   * Peak-EWMA by power of two choices (Finagle, Linkerd): each endpoint's cost is a moving average of its
   * latency that jumps at once to a slower observation and decays towards faster ones with time constant
   * {@code decay}, times its requests in flight plus one, divided by its weight. A failure counts as a call
   * of at least {@code failurePenalty}, so a host that fails fast does not look fast. Lock-free and
   * allocation-free per pick, and reads no clock: costs decay to the time of the balancer's latest report (a
   * busy balancer gets reports all the time; an idle one has nothing new to decay towards).
   *
   * @throws IllegalArgumentException if {@code decay} is not positive or {@code failurePenalty} is negative
   */
  static Strategy peakEwma(Duration decay, Duration failurePenalty) {
    return Strategies.peakEwma(decay, failurePenalty);
  }

  /**
   * Consistent hashing on a ring (Ketama): each endpoint owns about {@code pointsPerWeight × weight} points;
   * a key goes to the owner of the first point at or after its hash. When one of n endpoints leaves, only the
   * keys it owned (about 1/n) move. {@code pick()} without a key falls back to round robin.
   *
   * @throws IllegalArgumentException if {@code pointsPerWeight < 1}
   */
  static Strategy ringHash(int pointsPerWeight) {
    return Strategies.ringHash(pointsPerWeight);
  }

  /**
   * Maglev hashing (Google's, as in Envoy): a lookup table of {@code tableSize} slots filled from each
   * endpoint's own permutation of the slots, taking turns in proportion to weight; a key goes to the owner of
   * slot {@code hash(key) mod tableSize}. O(1) per pick, with near-minimal movement when endpoints change (a
   * few keys beyond the removed endpoint's may move). {@code pick()} without a key falls back to round robin.
   *
   * @param tableSize a prime at least the number of endpoints; Envoy's default is 65537
   * @throws IllegalArgumentException if {@code tableSize} is not a prime
   */
  static Strategy maglev(int tableSize) {
    return Strategies.maglev(tableSize);
  }

  /**
   * Rendezvous (highest random weight) hashing, weighted: a key goes to the endpoint with the highest score
   * {@code -weight / ln(hash(key, endpoint))}. When one of n endpoints leaves, only its keys move, and they
   * spread over the others. O(n) per pick. {@code pick()} without a key falls back to round robin.
   */
  static Strategy rendezvous() {
    return Strategies.rendezvous();
  }
}
