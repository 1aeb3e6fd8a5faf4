package dev.steadfast.jwt;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Keys made once per test run, and tokens built by hand to test what the signer would never write. */
final class TestKeys {
  static final byte[] SECRET_64 = new byte[64];
  private static final Map<JwsAlgorithm, JwtKey> KEYS = new EnumMap<>(JwsAlgorithm.class);
  static final KeyPair RSA;
  static final KeyPair P256;
  static final KeyPair P384;
  static final KeyPair P521;
  static final KeyPair ED25519;

  static {
    for (int i = 0; i < SECRET_64.length; i++) {
      SECRET_64[i] = (byte) (i * 7 + 3);
    }
    try {
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      RSA = rsa.generateKeyPair();
      P256 = ec("secp256r1");
      P384 = ec("secp384r1");
      P521 = ec("secp521r1");
      ED25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  private TestKeys() {}

  static synchronized JwtKey key(JwsAlgorithm alg) {
    return KEYS.computeIfAbsent(alg, a -> switch (a.family()) {
      case HMAC -> JwtKey.hmac(java.util.Arrays.copyOf(SECRET_64, a.hashBits() / 8), a);
      case RSA, RSA_PSS -> JwtKey.signing(RSA, a);
      case EC -> JwtKey.signing(a == JwsAlgorithm.ES256 ? P256 : a == JwsAlgorithm.ES384 ? P384 : P521, a);
      case EDDSA -> JwtKey.signing(ED25519, a);
    });
  }

  static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A token with any header and payload JSON, correctly HMAC-SHA256-signed with the 32-byte test secret. */
  static String hs256(String headerJson, String payloadJson) {
    return hmacSigned(b64(headerJson) + "." + b64(payloadJson));
  }

  static String hmacSigned(String signingInput) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(java.util.Arrays.copyOf(SECRET_64, 32), "HmacSHA256"));
      return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
