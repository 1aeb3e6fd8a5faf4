package dev.steadfast.core.balancer.internal;

import org.jspecify.annotations.Nullable;

/** Builds a {@link Picker} for a candidate set; what every {@code Strategy} is underneath. */
public interface PickerFactory {

  /**
   * A picker over {@code candidates} (non-empty, not to be modified), carrying over what it can from {@code
   * previous} (a round-robin position).
   */
  Picker create(EndpointState[] candidates, @Nullable Picker previous);

  /** Whether picks use weights, so that slow start (which scales weights) needs the current time. */
  boolean usesWeights();
}
