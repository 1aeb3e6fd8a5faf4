package dev.steadfast.core.balancer.internal;

import dev.steadfast.core.balancer.Endpoint;
import dev.steadfast.core.balancer.Lease;
import io.micrometer.core.instrument.Counter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint's load, latency and health as one balancer sees them; thread-safe, and the {@link Lease} that
 * picks hand out (one preallocated object per endpoint, so a pick allocates nothing).
 *
 * <p>Design: picks only read (requests in flight, the EWMA cost and its timestamp) and increment {@code
 * inFlight}; reports update the counters with atomic adds and the EWMA under this object's monitor (a few
 * arithmetic operations, never blocking). A pick may see the cost and its timestamp from two different
 * reports; the error is one observation's worth, which a load balancer can afford. Ejection fields belong to
 * the engine and are written under its lock.
 *
 * <p>Not padded: padding the pick fields away from the report counters and from neighbouring states (tried,
 * layout checked with JOL) showed no difference in LoadBalancerPickBenchmark on the shared 2-vCPU machine, so
 * it was not worth 136 more bytes per endpoint.
 */
public final class EndpointState implements Lease {

  private static final VarHandle IN_FLIGHT;
  private static final VarHandle SUCCESSES;
  private static final VarHandle FAILURES;
  private static final VarHandle CONSECUTIVE_FAILURES;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      IN_FLIGHT = lookup.findVarHandle(EndpointState.class, "inFlight", int.class);
      SUCCESSES = lookup.findVarHandle(EndpointState.class, "successes", int.class);
      FAILURES = lookup.findVarHandle(EndpointState.class, "failures", int.class);
      CONSECUTIVE_FAILURES = lookup.findVarHandle(EndpointState.class, "consecutiveFailures", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** No slow start in progress. */
  static final long NO_SLOW_START = Long.MIN_VALUE;

  private final Endpoint endpoint;
  private final BalancerEngine engine;
  private final int weight;
  private final long addressHash;

  private volatile int inFlight;

  // Peak-EWMA: the cost in nanoseconds and when it was last updated; written under this object's monitor.
  private volatile double cost;
  private volatile long costStamp;
  // The recent failure ratio, 0 to 1: a moving average over reports that decays towards 0 with time like the
  // cost, so that an idle failing endpoint is tried again.
  private volatile double failureScore;

  private volatile long slowStartFrom = NO_SLOW_START;

  @SuppressWarnings("UnusedVariable") // read and reset through SUCCESSES
  private volatile int successes;

  @SuppressWarnings("UnusedVariable") // read and reset through FAILURES
  private volatile int failures;

  private volatile int consecutiveFailures;

  // each report moves failureScore this far towards 0 or 1
  private static final double FAILURE_ALPHA = 0.1;
  private static final double MAX_FAILURE_SCORE = 0.99;

  // Outlier detection and active health, written under the engine's lock.
  volatile boolean ejected;
  long ejectedUntilNanos;
  int ejectionMultiplier;
  volatile boolean probeHealthy = true;
  int probeStreak;

  @Nullable Counter picksMeter;
  // The in-flight count of this endpoint's side (the local zone or the others) for spill-over by load; null
  // without zone preference. Fixed for the state's life, so a release always decrements what acquire raised.
  private final @Nullable LongAdder zoneInFlight;

  EndpointState(Endpoint endpoint, BalancerEngine engine, long nowNanos) {
    this.endpoint = endpoint;
    this.engine = engine;
    this.weight = endpoint.weight();
    this.costStamp = nowNanos;
    this.addressHash = Hashing.hash(endpoint.address());
    this.zoneInFlight = engine.zoneInFlight(endpoint);
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  long addressHash() {
    return addressHash;
  }

  int weight() {
    return weight;
  }

  /** Requests picked here and not yet reported. */
  public int inFlight() {
    return inFlight;
  }

  void acquire() {
    IN_FLIGHT.getAndAdd(this, 1);
    LongAdder zone = zoneInFlight;
    if (zone != null) {
      zone.increment();
    }
    Counter meter = picksMeter;
    if (meter != null) {
      meter.increment();
    }
  }

  @Override
  public void success(long latencyNanos) {
    finish();
    SUCCESSES.getAndAdd(this, 1);
    if (consecutiveFailures != 0) {
      consecutiveFailures = 0;
    }
    if (engine.tracksLatency()) {
      observe(engine.nowNanos(), (double) Math.max(0, latencyNanos), false);
    }
  }

  @Override
  public void failure(long latencyNanos) {
    finish();
    FAILURES.getAndAdd(this, 1);
    int consecutive = (int) CONSECUTIVE_FAILURES.getAndAdd(this, 1) + 1;
    if (engine.tracksLatency()) {
      observe(
          engine.nowNanos(), (double) Math.max(Math.max(0, latencyNanos), engine.failurePenaltyNanos()), true);
    }
    engine.onFailure(this, consecutive);
  }

  @Override
  public void release() {
    finish();
  }

  private void finish() {
    IN_FLIGHT.getAndAdd(this, -1);
    LongAdder zone = zoneInFlight;
    if (zone != null) {
      zone.decrement();
    }
  }

  /** Reads and resets the interval's success and failure counts: {@code [successes, failures]}. */
  int[] drainCounts() {
    return new int[] {(int) SUCCESSES.getAndSet(this, 0), (int) FAILURES.getAndSet(this, 0)};
  }

  void resetConsecutiveFailures() {
    consecutiveFailures = 0;
  }

  private void observe(long now, double rttNanos, boolean failed) {
    synchronized (this) {
      double w = engine.decay(now - costStamp);
      double previous = cost;
      // the peak: a slower observation counts at once; faster ones pull the average down with time
      cost = rttNanos > previous ? rttNanos : previous * w + rttNanos * (1 - w);
      failureScore = failureScore * w * (1 - FAILURE_ALPHA) + (failed ? FAILURE_ALPHA : 0);
      costStamp = now;
    }
    engine.observedAt(now);
  }

  /*
   * Peak-EWMA load: the latency average decayed to now, times requests in flight plus one, divided by the
   * square of the recent success ratio (so an endpoint that fails fast looks expensive, not cheap). An
   * endpoint without observations costs nothing while idle (so it gets probed) and the penalty while busy.
   * Picks compare work / successSquared between endpoints by cross-multiplying, so they never divide.
   */

  /** The Peak-EWMA load's numerator: the decayed latency times requests in flight plus one. */
  double ewmaWork(long now) {
    double c = cost;
    int pending = inFlight;
    if (c == 0) {
      return pending == 0 ? 0 : engine.failurePenaltyNanos() + pending;
    }
    return c * engine.decay(now - costStamp) * (pending + 1);
  }

  /** The Peak-EWMA load's denominator: the recent success ratio squared, in (0, 1]. */
  double ewmaSuccessSquared(long now) {
    double f = failureScore;
    if (f == 0) {
      return 1;
    }
    double success = 1 - Math.min(f * engine.decay(now - costStamp), MAX_FAILURE_SCORE);
    return success * success;
  }

  /** The current Peak-EWMA latency estimate in nanoseconds, decayed to {@code now}. */
  public double latencyEstimateNanos(long now) {
    return cost * engine.decay(now - costStamp);
  }

  void startSlowStart(long now) {
    slowStartFrom = now;
  }

  /** The weight at {@code now}, scaled down while slow start is in progress; at least a tiny positive number. */
  double weightAt(long now) {
    double w = weight;
    long from = slowStartFrom;
    if (from != NO_SLOW_START) {
      double factor = engine.slowStartFactor(now - from);
      if (factor >= 1) {
        slowStartFrom = NO_SLOW_START;
      } else {
        w *= factor;
      }
    }
    return w;
  }

  boolean inSlowStart() {
    return slowStartFrom != NO_SLOW_START;
  }

  boolean is(@Nullable EndpointState other) {
    return this == other;
  }

  @Override
  public String toString() {
    return endpoint + " inFlight=" + inFlight + (ejected ? " ejected" : "");
  }
}
