package dev.steadfast.core.balancer.internal;

/**
 * Unused fields that keep {@link EndpointPickFields} off the cache line of {@link EndpointState}'s own
 * report counters and the next object in memory; see {@link EndpointPickFields} for why.
 */
@SuppressWarnings({"unused", "UnusedVariable", "MultiVariableDeclaration"}) // padding, never read
abstract class EndpointPadAfter extends EndpointPickFields {
  long p11, p12, p13, p14, p15, p16, p17, p18;

  EndpointPadAfter(BalancerEngine engine, int weight, long nowNanos) {
    super(engine, weight, nowNanos);
  }
}
