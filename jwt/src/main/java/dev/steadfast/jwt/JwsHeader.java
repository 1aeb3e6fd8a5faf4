package dev.steadfast.jwt;

import dev.steadfast.jwt.internal.Json;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The protected header of a verified JWS: immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class JwsHeader {
  private final JwsAlgorithm algorithm;
  private final Map<String, Object> values;

  JwsHeader(JwsAlgorithm algorithm, Map<String, Object> values) {
    this.algorithm = algorithm;
    this.values = values;
  }

  /** The algorithm the signature was verified with. */
  public JwsAlgorithm algorithm() {
    return algorithm;
  }

  /** {@code kid}, or null. */
  public @Nullable String keyId() {
    Object v = values.get("kid");
    return v instanceof String str ? str : null;
  }

  /** {@code typ}, or null. */
  public @Nullable String type() {
    Object v = values.get("typ");
    return v instanceof String str ? str : null;
  }

  /** {@code cty}, or null. */
  public @Nullable String contentType() {
    Object v = values.get("cty");
    return v instanceof String str ? str : null;
  }

  /** A header parameter's JSON value, or null. */
  public @Nullable Object get(String name) {
    Object v = values.get(name);
    return v == Json.NULL ? null : v;
  }

  /** The parameter names. */
  public Set<String> names() {
    return values.keySet();
  }

  @Override
  public String toString() {
    return "JwsHeader" + values.keySet() + " alg=" + algorithm;
  }
}
