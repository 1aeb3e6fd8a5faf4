package dev.steadfast.jwt;

import java.util.Locale;
import java.util.Objects;

/**
 * The JWS signature algorithms Steadfast signs and verifies (RFC 7518 section 3, RFC 8037 for EdDSA).
 *
 * <p>There is deliberately no {@code none}: an unsecured JWT is never accepted, whatever its header says, and
 * {@link #fromHeader(String)} rejects it by name.
 *
 * @since 0.1.0
 */
public enum JwsAlgorithm {
  HS256(Family.HMAC, "HmacSHA256", 256),
  HS384(Family.HMAC, "HmacSHA384", 384),
  HS512(Family.HMAC, "HmacSHA512", 512),
  RS256(Family.RSA, "SHA256withRSA", 256),
  RS384(Family.RSA, "SHA384withRSA", 384),
  RS512(Family.RSA, "SHA512withRSA", 512),
  PS256(Family.RSA_PSS, "RSASSA-PSS", 256),
  PS384(Family.RSA_PSS, "RSASSA-PSS", 384),
  PS512(Family.RSA_PSS, "RSASSA-PSS", 512),
  ES256(Family.EC, "SHA256withECDSAinP1363Format", 256),
  ES384(Family.EC, "SHA384withECDSAinP1363Format", 384),
  ES512(Family.EC, "SHA512withECDSAinP1363Format", 512),
  EdDSA(Family.EDDSA, "Ed25519", 256);

  /** The kind of key an algorithm needs; a key of another family is never accepted for it. */
  public enum Family {
    HMAC,
    RSA,
    RSA_PSS,
    EC,
    EDDSA
  }

  private final Family family;
  private final String jcaName;
  private final int hashBits;

  JwsAlgorithm(Family family, String jcaName, int hashBits) {
    this.family = family;
    this.jcaName = jcaName;
    this.hashBits = hashBits;
  }

  /** The family of key this algorithm needs. */
  public Family family() {
    return family;
  }

  /** The JCA algorithm name ({@code Mac} for HMAC, {@code Signature} otherwise). */
  public String jcaName() {
    return jcaName;
  }

  /** The size in bits of the hash (for EdDSA, the security level of Ed25519's SHA-512 use: 256). */
  public int hashBits() {
    return hashBits;
  }

  /** The length in bytes of a signature or MAC for a given key size in bits (EC: the field size). */
  int signatureLength(int keyBits) {
    return switch (family) {
      case HMAC -> hashBits / 8;
      case EC -> 2 * ((keyBits + 7) / 8);
      case EDDSA -> 64;
      case RSA, RSA_PSS -> (keyBits + 7) / 8;
    };
  }

  /** Whether the same secret signs and verifies (HMAC), so it must never come from a public key. */
  public boolean isSymmetric() {
    return family == Family.HMAC;
  }

  /**
   * The algorithm a JWS header's {@code alg} names, matched exactly as RFC 7515 requires (case-sensitive).
   * The fully-specified RFC 9864 name {@code Ed25519} maps to {@link #EdDSA} (whose only curve here is
   * Ed25519).
   *
   * @throws IllegalArgumentException naming the value when it is {@code none} (unsecured JWTs are refused) or
   *     not a supported algorithm
   */
  public static JwsAlgorithm fromHeader(String alg) {
    Objects.requireNonNull(alg, "alg");
    if (alg.toLowerCase(Locale.ROOT).equals("none")) {
      throw new IllegalArgumentException("alg '" + alg + "' is refused: unsecured JWTs are never accepted");
    }
    if (alg.equals("Ed25519")) {
      return EdDSA;
    }
    for (JwsAlgorithm algorithm : values()) {
      if (algorithm.name().equals(alg)) {
        return algorithm;
      }
    }
    throw new IllegalArgumentException("alg '" + alg + "' is not a supported JWS algorithm");
  }
}
