/** The load balancer's engine: endpoint state, pickers, outlier detection. No compatibility promise. */
@NullMarked
package dev.steadfast.core.balancer.internal;

import org.jspecify.annotations.NullMarked;
