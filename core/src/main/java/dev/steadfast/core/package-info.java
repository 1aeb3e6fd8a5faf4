/**
 * Resilience pipelines: what a service wraps around every remote call. Start at {@code Pipeline}.
 */
@NullMarked
package dev.steadfast.core;

import org.jspecify.annotations.NullMarked;
