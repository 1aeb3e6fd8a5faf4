package dev.steadfast.core.balancer;

import java.util.List;

/**
 * Where a {@link LoadBalancer} learns its endpoints: the extension point for service registries (Consul,
 * Kubernetes endpoints, Eureka). Implementations must be thread-safe. The balancer calls {@link #discover()}
 * when it is built and then every refresh interval, and applies each answer as one atomic membership change.
 * Registries that push changes can call {@link LoadBalancer#update(java.util.Collection)} instead.
 *
 * <p>It lives in this package rather than an {@code spi} package because it speaks in {@link Endpoint}s, and
 * an {@code spi} package using the API while the API uses it would be a package cycle.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface EndpointDiscovery {

  /**
   * The current endpoints. May block (a DNS lookup); runs on the balancer's refresh executor.
   *
   * @throws Exception when the registry cannot be read: the balancer keeps its current endpoints and tries
   *     again at the next refresh
   */
  List<Endpoint> discover() throws Exception;
}
