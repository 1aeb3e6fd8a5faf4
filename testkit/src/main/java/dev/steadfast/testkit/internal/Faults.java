package dev.steadfast.testkit.internal;

/**
 * The faults a {@link ProxyEngine} applies, an immutable value swapped as a whole. Values are checked by the public
 * API before they get here.
 *
 * @param latencyNanos added to each direction's data
 * @param jitterNanos latency varies uniformly by up to this much either way, never below zero
 * @param bytesPerSecond each direction's rate limit, or 0 for none
 * @param closeAfterBytes a connection is closed once it has forwarded this many bytes in both directions together,
 *     or -1 for no limit
 * @param blackhole hold all data (nothing is forwarded, nothing is lost) while true
 * @param resetNewConnections reset connections as soon as they are accepted while true
 */
public record Faults(
    long latencyNanos,
    long jitterNanos,
    long bytesPerSecond,
    long closeAfterBytes,
    boolean blackhole,
    boolean resetNewConnections) {

  /** No faults: a transparent proxy. */
  public static final Faults NONE = new Faults(0, 0, 0, -1, false, false);

  /** The latency for a chunk with the given jitter sample in [-1, 1]. */
  long delayNanos(double jitterSample) {
    return Math.max(0, latencyNanos + Math.round(jitterSample * jitterNanos));
  }

  /** With new latency and jitter. */
  public Faults withLatency(long latency, long jitter) {
    return new Faults(latency, jitter, bytesPerSecond, closeAfterBytes, blackhole, resetNewConnections);
  }

  /** With a new rate limit (0 for none). */
  public Faults withBytesPerSecond(long rate) {
    return new Faults(latencyNanos, jitterNanos, rate, closeAfterBytes, blackhole, resetNewConnections);
  }

  /** With a new byte limit (-1 for none). */
  public Faults withCloseAfterBytes(long bytes) {
    return new Faults(latencyNanos, jitterNanos, bytesPerSecond, bytes, blackhole, resetNewConnections);
  }

  /** With the blackhole on or off. */
  public Faults withBlackhole(boolean on) {
    return new Faults(latencyNanos, jitterNanos, bytesPerSecond, closeAfterBytes, on, resetNewConnections);
  }

  /** With resetting of new connections on or off. */
  public Faults withResetNewConnections(boolean on) {
    return new Faults(latencyNanos, jitterNanos, bytesPerSecond, closeAfterBytes, blackhole, on);
  }
}
