package dev.steadfast.jwt;

import dev.steadfast.jwt.internal.Base64Url;
import dev.steadfast.jwt.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Signs JWTs (and raw JWS payloads) in compact serialisation; immutable and thread-safe.
 *
 * <p>The header is fixed when the signer is built: {@code alg}, then {@code typ} (default {@code JWT}) and
 * {@code kid} if the key has one.
 *
 * @since 0.1.0
 */
public final class JwtSigner {
  private final JwtKey key;
  private final JwsAlgorithm algorithm;
  private final String encodedHeader;

  private JwtSigner(JwtKey key, JwsAlgorithm algorithm, @Nullable String type) {
    this.key = key;
    this.algorithm = algorithm;
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", algorithm.name());
    if (type != null) {
      header.put("typ", type);
    }
    String kid = key.keyId();
    if (kid != null) {
      header.put("kid", kid);
    }
    this.encodedHeader = Base64Url.encode(Json.write(header));
  }

  /**
   * A signer that signs with {@code key}'s only algorithm.
   *
   * @throws IllegalArgumentException if the key cannot sign or is bound to more than one algorithm
   */
  public static JwtSigner of(JwtKey key) {
    return builder(key).build();
  }

  /** Starts a builder (not thread-safe). */
  public static Builder builder(JwtKey key) {
    return new Builder(key);
  }

  /** The algorithm this signer uses. */
  public JwsAlgorithm algorithm() {
    return algorithm;
  }

  /** Signs the claims as a compact JWS. */
  public String sign(Claims claims) {
    return sign(Json.write(claims.values()));
  }

  /** Signs an arbitrary payload as a compact JWS. */
  public String sign(byte[] payload) {
    String input = encodedHeader + '.' + Base64Url.encode(payload);
    byte[] signature = JwsCrypto.sign(key, algorithm, input.getBytes(StandardCharsets.US_ASCII));
    return input + '.' + Base64Url.encode(signature);
  }

  /** Builds a {@link JwtSigner}; not thread-safe. */
  public static final class Builder {
    private final JwtKey key;
    private @Nullable JwsAlgorithm algorithm;
    private @Nullable String type = "JWT";

    Builder(JwtKey key) {
      this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * The algorithm (default: the key's only algorithm).
     *
     * @throws IllegalArgumentException if the key is not bound to it
     */
    public Builder algorithm(JwsAlgorithm algorithm) {
      if (!key.algorithms().contains(algorithm)) {
        throw new IllegalArgumentException("algorithm must be one of the key's " + key.algorithms() + ", was "
            + algorithm);
      }
      this.algorithm = algorithm;
      return this;
    }

    /** The {@code typ} header (default {@code JWT}; {@code at+jwt} for RFC 9068; null for none). */
    public Builder type(@Nullable String type) {
      this.type = type;
      return this;
    }

    /**
     * A signer; the builder is not changed.
     *
     * @throws IllegalArgumentException if the key cannot sign, or no algorithm was chosen for a key bound to
     *     several
     */
    public JwtSigner build() {
      if (!key.canSign()) {
        throw new IllegalArgumentException("key must be able to sign, was " + key);
      }
      JwsAlgorithm alg = algorithm;
      if (alg == null) {
        if (key.algorithms().size() != 1) {
          throw new IllegalArgumentException("algorithm must be chosen for a key bound to " + key.algorithms());
        }
        alg = key.algorithms().iterator().next();
      }
      return new JwtSigner(key, alg, type);
    }
  }
}
