package dev.steadfast.core.balancer;

import java.io.Serial;

/**
 * A {@link LoadBalancer} has no endpoint to pick: its endpoint set is empty (discovery has found none yet).
 *
 * @since 0.1.0
 */
public final class NoEndpointAvailableException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  /** An exception naming the balancer. */
  public NoEndpointAvailableException(String balancer) {
    super("load balancer '" + balancer + "' has no endpoints");
  }
}
