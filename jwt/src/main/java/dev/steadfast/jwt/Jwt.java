package dev.steadfast.jwt;

/**
 * A verified and validated JWT: its header and claims. Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class Jwt {
  private final JwsHeader header;
  private final Claims claims;

  Jwt(JwsHeader header, Claims claims) {
    this.header = header;
    this.claims = claims;
  }

  /** The protected header. */
  public JwsHeader header() {
    return header;
  }

  /** The claims. */
  public Claims claims() {
    return claims;
  }

  @Override
  public String toString() {
    return "Jwt[" + header + ", " + claims + "]";
  }
}
