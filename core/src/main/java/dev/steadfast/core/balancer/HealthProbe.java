package dev.steadfast.core.balancer;

/**
 * An active health check a {@link LoadBalancer} runs against each endpoint every interval (an HTTP GET on
 * {@code /healthz}, a gRPC health check, a {@code SELECT 1}). Must be thread-safe, and should time out on its
 * own: the balancer runs probes one after another on its refresh executor.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface HealthProbe {

  /**
   * Whether {@code endpoint} is healthy now. An exception counts as unhealthy.
   *
   * @throws Exception when the probe fails; the same as returning false
   */
  boolean isHealthy(Endpoint endpoint) throws Exception;
}
