package dev.steadfast.core.balancer.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The fields of an {@link EndpointState} that a pick reads, on cache lines of their own; thread-safe as
 * {@link EndpointState} describes.
 *
 * <p>Why the padding: a balancer's endpoint states are allocated one after another, so without it an
 * endpoint's pick fields share 64-byte lines with its own and its neighbours' report counters and monitor,
 * which every report writes, and every such write makes the other cores' next pick of that endpoint miss.
 * HotSpot lays out a superclass's fields before a subclass's, so the chain {@code EndpointPadBefore ->
 * EndpointPickFields -> EndpointPadAfter -> EndpointState} puts 64 bytes of unused longs on each side of
 * these fields. {@code inFlight} stays with the cost: a pick reads both, so together they cost one miss per
 * sampled endpoint rather than two. The fields here add up to a multiple of 8 bytes ({@link #p10}) so that
 * no subclass field is laid out in a hole among them.
 */
abstract class EndpointPickFields extends EndpointPadBefore {

  static final VarHandle IN_FLIGHT;

  static {
    try {
      IN_FLIGHT = MethodHandles.lookup().findVarHandle(EndpointPickFields.class, "inFlight", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** No slow start in progress. */
  static final long NO_SLOW_START = Long.MIN_VALUE;

  final BalancerEngine engine;
  final int weight;

  volatile int inFlight;

  // Peak-EWMA: the cost in nanoseconds and when it was last updated; written under the state's monitor.
  volatile double cost;
  volatile long costStamp;
  // The recent failure ratio, 0 to 1: a moving average over reports that decays towards 0 with time like the
  // cost, so that an idle failing endpoint is tried again.
  volatile double failureScore;

  volatile long slowStartFrom = NO_SLOW_START;

  @SuppressWarnings({"unused", "UnusedVariable"}) // rounds the fields up to a multiple of 8 bytes
  private int p10;

  EndpointPickFields(BalancerEngine engine, int weight, long nowNanos) {
    this.engine = engine;
    this.weight = weight;
    this.costStamp = nowNanos;
  }
}
