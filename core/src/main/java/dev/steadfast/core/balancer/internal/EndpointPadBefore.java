package dev.steadfast.core.balancer.internal;

/**
 * Unused fields that keep {@link EndpointPickFields} off the cache line of whatever precedes the object in
 * memory (usually the previous endpoint's report counters); see {@link EndpointPickFields} for why.
 */
@SuppressWarnings({"unused", "UnusedVariable", "MultiVariableDeclaration"}) // padding, never read
abstract class EndpointPadBefore {
  // fills the 4 bytes after the object header, which the layout would otherwise give to a subclass's int
  int p00;
  long p01, p02, p03, p04, p05, p06, p07, p08;
}
