package dev.steadfast.jwt;

import java.util.Objects;

/**
 * Why a token was refused: one exception type with a {@link Reason} so callers can map outcomes to HTTP 401s
 * and metrics.
 *
 * <p>Messages never contain the token, its segments or any key material; they name the reason and, where
 * useful, a header or claim name.
 *
 * @since 0.1.0
 */
public final class JwtException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The reason a token was refused. */
  public enum Reason {
    /** Not a well-formed compact JWS: segments, base64url, JSON, sizes or nesting. */
    MALFORMED,
    /** A header the verifier refuses: {@code jku}, {@code x5u}, {@code jwk}, {@code zip}, bad {@code crit}. */
    UNSUPPORTED_HEADER,
    /** The {@code alg} is {@code none}, unknown, not allowed, or not one the selected key is bound to. */
    DISALLOWED_ALGORITHM,
    /** No configured key matches the token's {@code kid} and algorithm. */
    UNKNOWN_KEY,
    /** The signature does not verify. */
    BAD_SIGNATURE,
    /** The {@code exp} claim has passed (allowing for the configured skew). */
    EXPIRED,
    /** The {@code nbf} or {@code iat} claim lies in the future (allowing for the configured skew). */
    NOT_YET_VALID,
    /** The {@code iss} claim is not an accepted issuer. */
    WRONG_ISSUER,
    /** The {@code aud} claim names none of the accepted audiences. */
    WRONG_AUDIENCE,
    /** The {@code typ} header is not an accepted type. */
    WRONG_TYPE,
    /** A required claim is absent. */
    MISSING_CLAIM,
    /** A claim has the wrong JSON type or an out-of-range value. */
    INVALID_CLAIM,
    /** A required scope is absent. */
    INSUFFICIENT_SCOPE,
    /** The keys could not be obtained (for example a remote JWKS is unreachable). */
    KEY_SOURCE_UNAVAILABLE
  }

  private final Reason reason;

  /**
   * Creates an exception; {@code message} must not contain token or key material.
   */
  public JwtException(Reason reason, String message) {
    super(Objects.requireNonNull(reason, "reason") + ": " + Objects.requireNonNull(message, "message"));
    this.reason = reason;
  }

  /**
   * Creates an exception with a cause; neither may carry token or key material.
   */
  public JwtException(Reason reason, String message, Throwable cause) {
    super(Objects.requireNonNull(reason, "reason") + ": " + Objects.requireNonNull(message, "message"), cause);
    this.reason = reason;
  }

  /** Why the token was refused. */
  public Reason reason() {
    return reason;
  }
}
