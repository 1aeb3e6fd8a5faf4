package dev.steadfast.core.balancer;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Immutable, thread-safe discovery of endpoints from DNS: every address record (A and AAAA) of one hostname,
 * each with one port. This is how a Kubernetes headless service is discovered ({@code
 * my-svc.my-namespace.svc.cluster.local}, one record per ready pod).
 *
 * <pre>{@code
 * LoadBalancer replicas = LoadBalancer.builder("search")
 *     .discovery(DnsDiscovery.of("search.prod.svc.cluster.local", 8080), Duration.ofSeconds(15))
 *     .build();
 * }</pre>
 *
 * <p>The default resolver is {@link InetAddress#getAllByName(String)}, which goes through the JVM's DNS cache:
 * its {@code networkaddress.cache.ttl} security property (30 s by default) bounds how fresh an answer can be,
 * whatever the refresh interval. Endpoints have weight 1 and no zone, and are sorted by address so that equal
 * answers give equal endpoint lists.
 *
 * @since 0.1.0
 */
public final class DnsDiscovery implements EndpointDiscovery {

  /** Looks up every address of a hostname; the seam that lets tests answer without a network. */
  @FunctionalInterface
  public interface Resolver {
    /**
     * All addresses of {@code hostname}.
     *
     * @throws UnknownHostException if the name does not resolve
     */
    InetAddress[] resolve(String hostname) throws UnknownHostException;
  }

  private final String hostname;
  private final int port;
  private final Resolver resolver;

  private DnsDiscovery(String hostname, int port, Resolver resolver) {
    this.hostname = hostname;
    this.port = port;
    this.resolver = resolver;
  }

  /**
   * Discovery of {@code hostname}'s addresses through the JVM's resolver.
   *
   * @throws IllegalArgumentException if {@code hostname} is blank or {@code port} is not in 1 to 65535
   */
  public static DnsDiscovery of(String hostname, int port) {
    return of(hostname, port, InetAddress::getAllByName);
  }

  /**
   * Discovery of {@code hostname}'s addresses through {@code resolver}.
   *
   * @throws IllegalArgumentException if {@code hostname} is blank or {@code port} is not in 1 to 65535
   */
  public static DnsDiscovery of(String hostname, int port, Resolver resolver) {
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(resolver, "resolver");
    if (hostname.isBlank()) {
      throw new IllegalArgumentException("hostname must not be blank, was '" + hostname + "'");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
    }
    return new DnsDiscovery(hostname, port, resolver);
  }

  /**
   * Resolves the hostname now.
   *
   * @throws UnknownHostException if it does not resolve (the balancer then keeps its endpoints)
   */
  @Override
  public List<Endpoint> discover() throws UnknownHostException {
    InetAddress[] addresses = resolver.resolve(hostname);
    TreeSet<String> unique = new TreeSet<>();
    for (InetAddress address : addresses) {
      String literal = address.getHostAddress();
      unique.add((address instanceof Inet6Address ? "[" + literal + "]" : literal) + ":" + port);
    }
    return unique.stream().map(Endpoint::of).toList();
  }

  @Override
  public String toString() {
    return "DnsDiscovery[" + hostname + ":" + port + "]";
  }
}
