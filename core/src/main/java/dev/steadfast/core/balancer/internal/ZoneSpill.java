package dev.steadfast.core.balancer.internal;

/**
 * Whether a pick spills from the caller's zone to the others, by load (requests in flight per healthy
 * endpoint); stateless.
 *
 * <p>The local zone has capacity while its load is at most {@code ratio × (others' load + 1)}: the {@code + 1}
 * is a headroom of one request per endpoint, so a lightly used local zone is not drained because the others
 * are idle. A pick made while the local zone is over that goes to the others, so the local zone settles at its
 * capacity and the share of traffic that spills is the excess above it, growing with the load.
 */
public final class ZoneSpill {
  private ZoneSpill() {}

  /**
   * Whether the local zone is over capacity, so that the next pick should go to the other zones.
   *
   * @param localInFlight requests in flight to the local zone's endpoints
   * @param localHosts the local zone's healthy endpoints, at least 1
   * @param remoteInFlight requests in flight to the other zones' endpoints
   * @param remoteHosts the other zones' healthy endpoints, at least 1
   * @param ratio how many times the others' load (plus one) the local zone may carry, at least 1
   */
  public static boolean spills(
      long localInFlight, int localHosts, long remoteInFlight, int remoteHosts, double ratio) {
    // cross-multiplied: local / localHosts > ratio * (remote / remoteHosts + 1)
    double local = (double) Math.max(0, localInFlight) * remoteHosts;
    double allowed = ratio * ((double) Math.max(0, remoteInFlight) + remoteHosts) * localHosts;
    return local > allowed;
  }
}
