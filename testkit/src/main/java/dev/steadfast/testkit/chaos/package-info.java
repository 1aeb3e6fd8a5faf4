/**
 * Policy-level chaos for Steadfast pipelines, as Simmy is for Polly: {@link
 * dev.steadfast.testkit.chaos.ChaosPolicy} injects faults, latency and substitute results into calls at a
 * seeded rate, behind a per-call switch, and {@link dev.steadfast.testkit.chaos.ChaosPolicy#inside(
 * dev.steadfast.core.Pipeline)} puts it inside a pipeline, where its retries and breaker see what it injects.
 * Needs only {@code steadfast-core}.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.steadfast.testkit.chaos;

import org.jspecify.annotations.NullMarked;
