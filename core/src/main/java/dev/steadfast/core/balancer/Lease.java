package dev.steadfast.core.balancer;

/**
 * The endpoint a {@link LoadBalancer} picked, on which the caller reports how the call went; thread-safe.
 *
 * <p>Complete every lease exactly once with {@link #success(long)}, {@link #failure(long)} or {@link
 * #release()}: the balancer counts the endpoint's requests in flight from the pick to the report, and learns
 * its latency and failures from the report. A lease is the balancer's own per-endpoint object, handed out
 * again by later picks (so that a pick allocates nothing); do not keep it after completing it. Reports on an
 * endpoint that has since left the balancer are accepted and ignored.
 *
 * @since 0.1.0
 */
public interface Lease {

  /** The endpoint to call. */
  Endpoint endpoint();

  /** The call succeeded and took {@code latencyNanos}. */
  void success(long latencyNanos);

  /**
   * The call failed (an error the endpoint is to blame for: a connection refused, a 5xx, a timeout) after
   * {@code latencyNanos}. The balancer counts it against the endpoint's health and, for Peak-EWMA, as a slow
   * call, so that a host that fails fast does not look fast.
   */
  void failure(long latencyNanos);

  /** The call was not made or was cancelled (a losing hedge): the endpoint is neither credited nor blamed. */
  void release();
}
