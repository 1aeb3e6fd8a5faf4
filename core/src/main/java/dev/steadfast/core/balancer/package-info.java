/**
 * Client-side load balancing that routes around slow and failing hosts: a {@code LoadBalancer} picks an
 * endpoint, the caller makes the call and reports its outcome and latency on the returned {@code Lease}. Start
 * at {@code LoadBalancer.builder(String)}.
 */
@NullMarked
package dev.steadfast.core.balancer;

import org.jspecify.annotations.NullMarked;
