package dev.steadfast.jwt;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM keys: {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo) and {@code PRIVATE KEY} (PKCS #8), for RSA,
 * EC and Ed25519. Bind the result to its algorithms with {@link JwtKey}. Thread-safe (stateless).
 *
 * @since 0.1.0
 */
public final class Pem {
  private static final String[] TYPES = {"RSA", "EC", "Ed25519"};

  private Pem() {}

  /**
   * The public key in a {@code -----BEGIN PUBLIC KEY-----} block.
   *
   * @throws IllegalArgumentException if there is no such block or it holds no RSA, EC or Ed25519 key
   */
  public static PublicKey publicKey(String pem) {
    byte[] der = block(pem, "PUBLIC KEY");
    for (String type : TYPES) {
      try {
        return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next type
      }
    }
    throw new IllegalArgumentException("PEM PUBLIC KEY is not an RSA, EC or Ed25519 key");
  }

  /**
   * The private key in a {@code -----BEGIN PRIVATE KEY-----} (PKCS #8) block.
   *
   * @throws IllegalArgumentException if there is no such block or it holds no RSA, EC or Ed25519 key
   */
  public static PrivateKey privateKey(String pem) {
    byte[] der = block(pem, "PRIVATE KEY");
    for (String type : TYPES) {
      try {
        return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next type
      }
    }
    throw new IllegalArgumentException("PEM PRIVATE KEY is not an RSA, EC or Ed25519 key");
  }

  private static byte[] block(String pem, String label) {
    Matcher m = Pattern.compile("-----BEGIN " + label + "-----([A-Za-z0-9+/=\\s]+)-----END " + label + "-----")
        .matcher(pem);
    if (!m.find()) {
      throw new IllegalArgumentException("PEM must contain a " + label + " block");
    }
    try {
      return Base64.getMimeDecoder().decode(m.group(1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM " + label + " block is not base64", e);
    }
  }
}
