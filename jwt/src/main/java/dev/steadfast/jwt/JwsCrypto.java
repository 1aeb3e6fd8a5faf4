package dev.steadfast.jwt;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.EnumMap;
import javax.crypto.Mac;
import org.jspecify.annotations.Nullable;

/**
 * Signs and verifies JWS signing input with the JDK's providers. Thread-safe: each thread keeps its own
 * {@link Signature} per algorithm, so the provider lookup happens once per thread rather than once per call.
 */
final class JwsCrypto {
  private static final ThreadLocal<EnumMap<JwsAlgorithm, Signature>> SIGNATURES =
      ThreadLocal.withInitial(() -> new EnumMap<>(JwsAlgorithm.class));

  private JwsCrypto() {}

  private static Signature signature(JwsAlgorithm alg) throws GeneralSecurityException {
    EnumMap<JwsAlgorithm, Signature> cache = SIGNATURES.get();
    Signature s = cache.get(alg);
    if (s == null) {
      s = Signature.getInstance(alg.jcaName());
      if (alg.family() == JwsAlgorithm.Family.RSA_PSS) {
        String hash = "SHA-" + alg.hashBits();
        s.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), alg.hashBits() / 8, 1));
      }
      cache.put(alg, s);
    }
    return s;
  }

  /** Signs {@code input} with {@code key}, which must be able to sign with {@code alg}. */
  static byte[] sign(JwtKey key, JwsAlgorithm alg, byte[] input) {
    try {
      if (alg.isSymmetric()) {
        Mac mac = key.mac(alg);
        return mac.doFinal(input);
      }
      Key k = key.signingKey();
      if (!(k instanceof PrivateKey privateKey)) {
        throw new IllegalStateException("the key cannot sign");
      }
      Signature s = signature(alg);
      s.initSign(privateKey);
      s.update(input);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing with " + alg + " failed (" + e.getClass().getSimpleName() + ")",
          e);
    }
  }

  /**
   * Whether {@code sig} is a valid signature of {@code input[0, inputLength)} under {@code key} and
   * {@code alg}. Signatures of the wrong length, and ECDSA signatures with r or s outside [1, n-1], are
   * refused before the provider sees them (CVE-2022-21449).
   */
  static boolean verify(JwtKey key, JwsAlgorithm alg, byte[] input, int inputLength, byte[] sig) {
    try {
      if (alg.isSymmetric()) {
        JwtKey.HmacState hmac = key.hmac(alg);
        Mac mac = hmac.mac;
        mac.update(input, 0, inputLength);
        // the thread's buffer: no other code runs between this and the comparison
        byte[] expected = hmac.expected;
        mac.doFinal(expected, 0);
        return sig.length == expected.length && MessageDigest.isEqual(expected, sig);
      }
      Key k = key.verificationKey();
      if (!(k instanceof PublicKey publicKey)) {
        return false;
      }
      BigInteger @Nullable [] rs = null;
      if (alg.family() == JwsAlgorithm.Family.EC) {
        rs = ecdsaInRange(key, alg, sig);
        if (rs == null) {
          return false;
        }
      } else if (sig.length != alg.signatureLength(key.keyBits())) {
        return false;
      }
      Signature s = signature(alg);
      s.initVerify(publicKey);
      s.update(input, 0, inputLength);
      if (s.verify(sig)) {
        return true;
      }
      // SunEC refuses valid signatures whose R has x >= n; those need r + n < p, which EcdsaLargeX checks first
      return rs != null && publicKey instanceof ECPublicKey ec
          && EcdsaLargeX.verify(ec, "SHA-" + alg.hashBits(), input, inputLength, rs[0], rs[1]);
    } catch (GeneralSecurityException | RuntimeException e) {
      // A provider that throws on a malformed signature has refused it.
      return false;
    }
  }

  /** {@code {r, s}} from a P1363 signature of the right length with both in [1, n-1]; null otherwise. */
  private static BigInteger @Nullable [] ecdsaInRange(JwtKey key, JwsAlgorithm alg, byte[] sig) {
    BigInteger n = key.ecOrder();
    int len = alg.signatureLength(key.keyBits());
    if (n == null || sig.length != len) {
      return null;
    }
    int half = len / 2;
    BigInteger r = new BigInteger(1, sig, 0, half);
    BigInteger s = new BigInteger(1, sig, half, half);
    boolean inRange = r.signum() > 0 && s.signum() > 0 && r.compareTo(n) < 0 && s.compareTo(n) < 0;
    return inRange ? new BigInteger[] {r, s} : null;
  }
}
