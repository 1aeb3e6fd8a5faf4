/**
 * JMH benchmarks of Steadfast pipelines beside raw Resilience4j and Failsafe. Each class compares the libraries
 * as sibling {@code @Benchmark} methods, so one run measures all of them; its Javadoc says how to run it.
 */
@NullMarked
package dev.steadfast.benchmarks;

import org.jspecify.annotations.NullMarked;
