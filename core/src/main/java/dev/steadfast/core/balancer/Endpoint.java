package dev.steadfast.core.balancer;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One host a {@link LoadBalancer} can route to: an address (what the caller's transport understands, such as
 * {@code "10.0.0.7:8080"}), a weight, an optional zone and free-form metadata. Immutable; two endpoints are
 * equal when all four are. A balancer keeps an endpoint's health and load across membership changes as long as
 * an equal endpoint stays in the set.
 *
 * @since 0.1.0
 */
public final class Endpoint {

  private final String address;
  private final int weight;
  private final @Nullable String zone;
  private final Map<String, String> metadata;
  private final int hash;

  private Endpoint(String address, int weight, @Nullable String zone, Map<String, String> metadata) {
    this.address = address;
    this.weight = weight;
    this.zone = zone;
    this.metadata = metadata;
    this.hash = Objects.hash(address, weight, zone, metadata);
  }

  /** An endpoint with weight 1, no zone and no metadata. */
  public static Endpoint of(String address) {
    return new Endpoint(requireAddress(address), 1, null, Map.of());
  }

  /**
   * An endpoint with the given weight, no zone and no metadata.
   *
   * @throws IllegalArgumentException if {@code weight < 0} or {@code address} is blank
   */
  public static Endpoint of(String address, int weight) {
    return new Endpoint(requireAddress(address), requireWeight(weight), null, Map.of());
  }

  /**
   * An endpoint with every attribute.
   *
   * @param zone the zone (availability zone, rack) the host runs in, or null when unknown
   * @throws IllegalArgumentException if {@code weight < 0}, {@code address} is blank or {@code zone} is blank
   */
  public static Endpoint of(String address, int weight, @Nullable String zone, Map<String, String> metadata) {
    if (zone != null && zone.isBlank()) {
      throw new IllegalArgumentException("zone must be null or not blank, was '" + zone + "'");
    }
    return new Endpoint(requireAddress(address), requireWeight(weight), zone, Map.copyOf(metadata));
  }

  private static String requireAddress(String address) {
    Objects.requireNonNull(address, "address");
    if (address.isBlank()) {
      throw new IllegalArgumentException("address must not be blank, was '" + address + "'");
    }
    return address;
  }

  private static int requireWeight(int weight) {
    if (weight < 0) {
      throw new IllegalArgumentException("weight must be >= 0, was " + weight);
    }
    return weight;
  }

  /** The address the caller's transport connects to. */
  public String address() {
    return address;
  }

  /** The relative share of traffic weighted strategies send here; 0 means none unless all weights are 0. */
  public int weight() {
    return weight;
  }

  /** The zone the host runs in, or null when unknown. */
  public @Nullable String zone() {
    return zone;
  }

  /** Free-form attributes (version, shard); never null, unmodifiable. */
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Endpoint e
        && address.equals(e.address)
        && weight == e.weight
        && Objects.equals(zone, e.zone)
        && metadata.equals(e.metadata);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return address + (weight != 1 ? " w=" + weight : "") + (zone != null ? " zone=" + zone : "");
  }
}
