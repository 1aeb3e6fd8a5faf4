package dev.steadfast.jwt;

import java.util.Arrays;

/**
 * A JWS whose signature verified, with its payload as bytes (for payloads that are not JWT claims).
 * Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class VerifiedJws {
  private final JwsHeader header;
  private final byte[] payload;

  VerifiedJws(JwsHeader header, byte[] payload) {
    this.header = header;
    this.payload = payload;
  }

  /** The protected header. */
  public JwsHeader header() {
    return header;
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return Arrays.copyOf(payload, payload.length);
  }

  byte[] payloadUnsafe() {
    return payload;
  }
}
