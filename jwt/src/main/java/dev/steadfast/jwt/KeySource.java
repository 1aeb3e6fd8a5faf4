package dev.steadfast.jwt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where a verifier finds its keys: a fixed set, a JWK Set, or a remote JWKS. Implementations must be
 * thread-safe.
 *
 * <p>This is an extension point, but it lives in the API package: the verifier's builder takes it, and a
 * separate {@code spi} package would form a package cycle with the API.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface KeySource {
  /**
   * The keys that may verify a token with this {@code kid} (null when the header has none) and algorithm;
   * each returned key must list {@code algorithm}. The verifier tries them in order.
   *
   * @throws JwtException {@code KEY_SOURCE_UNAVAILABLE} when the keys cannot be obtained
   */
  List<JwtKey> keys(@Nullable String kid, JwsAlgorithm algorithm);

  /**
   * A fixed set of keys. A token with a {@code kid} matches keys with that id; a token without one matches
   * every key bound to its algorithm.
   */
  static KeySource of(Collection<JwtKey> keys) {
    List<JwtKey> copy = List.copyOf(keys);
    for (JwtKey k : copy) {
      if (!k.canVerify()) {
        throw new IllegalArgumentException("keys must be able to verify, was a signing-only key " + k);
      }
    }
    // Every answer is computed once here, so a lookup allocates nothing.
    Map<JwsAlgorithm, List<JwtKey>> anyKid = new EnumMap<>(JwsAlgorithm.class);
    Map<String, Map<JwsAlgorithm, List<JwtKey>>> byKid = new HashMap<>();
    for (JwsAlgorithm algorithm : JwsAlgorithm.values()) {
      List<JwtKey> all = new ArrayList<>();
      for (JwtKey k : copy) {
        if (k.algorithms().contains(algorithm)) {
          all.add(k);
          String kid = k.keyId();
          if (kid != null) {
            byKid.computeIfAbsent(kid, x -> new EnumMap<>(JwsAlgorithm.class))
                .computeIfAbsent(algorithm, x -> new ArrayList<>()).add(k);
          }
        }
      }
      anyKid.put(algorithm, List.copyOf(all));
    }
    byKid.values().forEach(m -> m.replaceAll((alg, list) -> List.copyOf(list)));
    return (kid, algorithm) -> {
      if (kid == null) {
        return anyKid.getOrDefault(algorithm, List.of());
      }
      Map<JwsAlgorithm, List<JwtKey>> forKid = byKid.get(kid);
      return forKid == null ? List.of() : forKid.getOrDefault(algorithm, List.of());
    };
  }
}
