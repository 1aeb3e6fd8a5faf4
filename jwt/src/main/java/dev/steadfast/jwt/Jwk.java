package dev.steadfast.jwt;

import dev.steadfast.jwt.internal.Base64Url;
import dev.steadfast.jwt.internal.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;

/**
 * JSON Web Keys (RFC 7517, 7518, 8037) for JWS: parsing into {@link JwtKey}s bound to their algorithms,
 * writing public keys, and RFC 7638 thumbprints. Thread-safe (stateless).
 *
 * <p>A key is bound to its {@code alg} when it has one (an {@code alg} that is not a supported JWS algorithm
 * makes the key unusable; {@code ES521}, found in copies of RFC 7520's examples, is read as {@code ES512}),
 * otherwise to every algorithm its type allows: RSA to RS* and PS*, EC to the one its curve fixes, OKP
 * Ed25519 to EdDSA, oct to the HS* its length allows. Keys with {@code use} other than {@code sig}, or
 * {@code key_ops} without {@code verify}, are not used for verification. Key material is checked: EC points
 * must lie on their curve, RSA moduli must be at least 2048 bits with an odd exponent of at least 3 and
 * without the ROCA fingerprint (CVE-2017-15361). Messages name the problem, never the material.
 *
 * @since 0.1.0
 */
public final class Jwk {
  private static final int MAX_JSON_DEPTH = 4;
  private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
      0x03, 0x21, 0x00};

  private Jwk() {}

  /**
   * Parses one JWK into a verification key.
   *
   * @throws IllegalArgumentException naming the problem if the JWK is malformed or not usable to verify JWS
   */
  public static JwtKey parse(String json) {
    return fromMap(parseJson(json));
  }

  /**
   * Parses a JWK Set ({@code {"keys":[...]}}) into the keys usable to verify JWS; keys that are not (for
   * encryption, unsupported, too weak, invalid) are left out.
   *
   * @throws IllegalArgumentException if the set is malformed, gives one {@code kid} to two keys, or mixes
   *     secret (oct) keys with public keys
   */
  public static List<JwtKey> parseSet(String json) {
    Map<String, Object> set = parseJson(json);
    if (!(set.get("keys") instanceof List<?> keys)) {
      throw new IllegalArgumentException("JWK Set must have a keys array");
    }
    List<JwtKey> out = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    boolean secret = false;
    boolean asymmetric = false;
    for (Object o : keys) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("JWK Set keys must be objects");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> jwk = (Map<String, Object>) m;
      Object kid = jwk.get("kid");
      if (kid instanceof String k && !kids.add(k)) {
        throw new IllegalArgumentException("JWK Set gives kid '" + k + "' to more than one key");
      }
      boolean oct = "oct".equals(jwk.get("kty"));
      secret |= oct;
      asymmetric |= !oct;
      try {
        out.add(fromMap(jwk));
      } catch (IllegalArgumentException unusable) {
        // Not a JWS verification key (or a weak or invalid one): never used.
      }
    }
    if (secret && asymmetric) {
      throw new IllegalArgumentException("JWK Set mixes secret (oct) keys with public keys");
    }
    return List.copyOf(out);
  }

  private static Map<String, Object> parseJson(String json) {
    try {
      return Json.parseObject(json.getBytes(StandardCharsets.UTF_8), MAX_JSON_DEPTH, "JWK");
    } catch (JwtException e) {
      throw new IllegalArgumentException("JWK is not a valid JSON object", e);
    }
  }

  private static JwtKey fromMap(Map<String, Object> jwk) {
    String kty = required(jwk, "kty");
    Object use = jwk.get("use");
    if (use != null && !"sig".equals(use)) {
      throw new IllegalArgumentException("JWK use must be sig, was " + use);
    }
    Object ops = jwk.get("key_ops");
    if (ops != null && !(ops instanceof List<?> list && list.contains("verify"))) {
      throw new IllegalArgumentException("JWK key_ops must include verify");
    }
    String algName = optional(jwk, "alg");
    @Nullable JwsAlgorithm alg = null;
    if (algName != null) {
      try {
        alg = algName.equals("ES521") ? JwsAlgorithm.ES512 : JwsAlgorithm.fromHeader(algName);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("JWK alg is not a supported JWS algorithm: " + algName, e);
      }
    }
    JwtKey key = switch (kty) {
      case "RSA" -> rsa(jwk, alg);
      case "EC" -> ec(jwk, alg);
      case "OKP" -> okp(jwk, alg);
      case "oct" -> oct(jwk, alg);
      default -> throw new IllegalArgumentException("JWK kty is not supported: " + kty);
    };
    String kid = optional(jwk, "kid");
    return kid == null ? key : key.withKeyId(kid);
  }

  private static JwtKey rsa(Map<String, Object> jwk, @Nullable JwsAlgorithm alg) {
    BigInteger n = new BigInteger(1, bytes(jwk, "n"));
    BigInteger e = new BigInteger(1, bytes(jwk, "e"));
    if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0)) {
      throw new IllegalArgumentException("RSA exponent must be odd and >= 3, was " + e);
    }
    if (n.bitLength() >= JwtKey.MIN_RSA_BITS && Roca.hasFingerprint(n)) {
      throw new IllegalArgumentException("RSA modulus has the ROCA fingerprint (CVE-2017-15361)");
    }
    PublicKey key = generate("RSA", new RSAPublicKeySpec(n, e));
    if (alg == null) {
      return JwtKey.verifying(key, JwsAlgorithm.RS256, JwsAlgorithm.RS384, JwsAlgorithm.RS512,
          JwsAlgorithm.PS256, JwsAlgorithm.PS384, JwsAlgorithm.PS512);
    }
    return JwtKey.verifying(key, alg);
  }

  private static JwtKey ec(Map<String, Object> jwk, @Nullable JwsAlgorithm alg) {
    String crv = required(jwk, "crv");
    JwsAlgorithm curveAlg = switch (crv) {
      case "P-256" -> JwsAlgorithm.ES256;
      case "P-384" -> JwsAlgorithm.ES384;
      case "P-521" -> JwsAlgorithm.ES512;
      default -> throw new IllegalArgumentException("EC crv is not supported: " + crv);
    };
    if (alg != null && alg != curveAlg) {
      throw new IllegalArgumentException("JWK alg " + alg + " does not fit curve " + crv);
    }
    ECParameterSpec params = curve(crv);
    int size = (params.getCurve().getField().getFieldSize() + 7) / 8;
    byte[] xb = bytes(jwk, "x");
    byte[] yb = bytes(jwk, "y");
    if (xb.length != size || yb.length != size) {
      throw new IllegalArgumentException("EC coordinates must be " + size + " bytes for " + crv);
    }
    BigInteger x = new BigInteger(1, xb);
    BigInteger y = new BigInteger(1, yb);
    if (!onCurve(params.getCurve(), x, y)) {
      throw new IllegalArgumentException("EC point is not on curve " + crv);
    }
    PublicKey key = generate("EC", new ECPublicKeySpec(new ECPoint(x, y), params));
    return JwtKey.verifying(key, curveAlg);
  }

  static boolean onCurve(EllipticCurve curve, BigInteger x, BigInteger y) {
    BigInteger p = ((ECFieldFp) curve.getField()).getP();
    if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger left = y.multiply(y).mod(p);
    BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
    return left.equals(right);
  }

  private static ECParameterSpec curve(String crv) {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec(switch (crv) {
        case "P-256" -> "secp256r1";
        case "P-384" -> "secp384r1";
        default -> "secp521r1";
      }));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks curve " + crv, e);
    }
  }

  private static JwtKey okp(Map<String, Object> jwk, @Nullable JwsAlgorithm alg) {
    String crv = required(jwk, "crv");
    if (!crv.equals("Ed25519")) {
      throw new IllegalArgumentException("OKP crv is not supported: " + crv);
    }
    if (alg != null && alg != JwsAlgorithm.EdDSA) {
      throw new IllegalArgumentException("JWK alg " + alg + " does not fit an Ed25519 key");
    }
    byte[] x = bytes(jwk, "x");
    if (x.length != 32) {
      throw new IllegalArgumentException("Ed25519 x must be 32 bytes, was " + x.length);
    }
    byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
    System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, 32);
    return JwtKey.verifying(generate("Ed25519", new X509EncodedKeySpec(spki)), JwsAlgorithm.EdDSA);
  }

  private static JwtKey oct(Map<String, Object> jwk, @Nullable JwsAlgorithm alg) {
    byte[] k = bytes(jwk, "k");
    if (alg != null) {
      return JwtKey.hmac(k, alg);
    }
    if (k.length >= 64) {
      return JwtKey.hmac(k, JwsAlgorithm.HS256, JwsAlgorithm.HS384, JwsAlgorithm.HS512);
    }
    return k.length >= 48 ? JwtKey.hmac(k, JwsAlgorithm.HS256, JwsAlgorithm.HS384)
        : JwtKey.hmac(k, JwsAlgorithm.HS256);
  }

  private static PublicKey generate(String algorithm, java.security.spec.KeySpec spec) {
    try {
      return KeyFactory.getInstance(algorithm).generatePublic(spec);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("JWK is not a valid " + algorithm + " public key", e);
    }
  }

  private static String required(Map<String, Object> jwk, String name) {
    String s = optional(jwk, name);
    if (s == null) {
      throw new IllegalArgumentException("JWK " + name + " is required");
    }
    return s;
  }

  private static @Nullable String optional(Map<String, Object> jwk, String name) {
    Object v = jwk.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("JWK " + name + " must be a string");
    }
    return s;
  }

  private static byte[] bytes(Map<String, Object> jwk, String name) {
    String s = required(jwk, name);
    try {
      return Base64Url.decode(s, name);
    } catch (JwtException e) {
      throw new IllegalArgumentException("JWK " + name + " is not canonical base64url", e);
    }
  }

  /**
   * The public JWK of a key (never private or secret members; an HMAC key is refused), with {@code kid} and,
   * when the key is bound to one algorithm, {@code alg}.
   *
   * @throws IllegalArgumentException for an HMAC key or a signing-only key
   */
  public static String write(JwtKey key) {
    Map<String, Object> members = new LinkedHashMap<>(requiredMembers(key, false));
    members.put("use", "sig");
    if (key.algorithms().size() == 1) {
      members.put("alg", key.algorithms().iterator().next().name());
    }
    String kid = key.keyId();
    if (kid != null) {
      members.put("kid", kid);
    }
    return new String(Json.write(members), StandardCharsets.UTF_8);
  }

  /** A JWK Set of the public keys. */
  public static String writeSet(List<JwtKey> keys) {
    List<Object> list = new ArrayList<>();
    for (JwtKey k : keys) {
      list.add(Json.parseObject(write(k).getBytes(StandardCharsets.UTF_8), MAX_JSON_DEPTH, "JWK"));
    }
    return new String(Json.write(Map.of("keys", list)), StandardCharsets.UTF_8);
  }

  /**
   * The RFC 7638 SHA-256 thumbprint, base64url-encoded. For HMAC keys too (the thumbprint is a hash, not the
   * secret, but treat it as sensitive).
   */
  public static String thumbprint(JwtKey key) {
    byte[] json = Json.write(new TreeMap<>(requiredMembers(key, true)));
    try {
      return Base64Url.encode(MessageDigest.getInstance("SHA-256").digest(json));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static Map<String, Object> requiredMembers(JwtKey key, boolean allowSecret) {
    Key k = key.verificationKey();
    Map<String, Object> m = new LinkedHashMap<>();
    if (k instanceof RSAPublicKey rsa) {
      m.put("kty", "RSA");
      m.put("n", Base64Url.encode(unsigned(rsa.getModulus())));
      m.put("e", Base64Url.encode(unsigned(rsa.getPublicExponent())));
    } else if (k instanceof ECPublicKey ec) {
      int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
      m.put("kty", "EC");
      m.put("crv", size == 32 ? "P-256" : size == 48 ? "P-384" : "P-521");
      m.put("x", Base64Url.encode(fixed(ec.getW().getAffineX(), size)));
      m.put("y", Base64Url.encode(fixed(ec.getW().getAffineY(), size)));
    } else if (k instanceof EdECPublicKey ed) {
      byte[] spki = ed.getEncoded();
      m.put("kty", "OKP");
      m.put("crv", "Ed25519");
      m.put("x", Base64Url.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
    } else if (k instanceof SecretKey secret && allowSecret) {
      m.put("kty", "oct");
      m.put("k", Base64Url.encode(secret.getEncoded()));
    } else {
      throw new IllegalArgumentException("key must be a public key, was " + key);
    }
    return m;
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static byte[] fixed(BigInteger v, int size) {
    byte[] b = unsigned(v);
    byte[] out = new byte[size];
    System.arraycopy(b, 0, out, size - b.length, b.length);
    return out;
  }

  /** The ROCA fingerprint test (Nemec et al., CCS 2017): n mod p lies in the subgroup 65537 generates. */
  static final class Roca {
    private static final int[] PRIMES = {3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
        73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};
    private static final List<Set<Integer>> SUBGROUPS = new ArrayList<>();

    static {
      for (int p : PRIMES) {
        Set<Integer> s = new HashSet<>();
        int g = 65537 % p;
        int x = 1;
        do {
          s.add(x);
          x = x * g % p;
        } while (x != 1);
        SUBGROUPS.add(s);
      }
    }

    private Roca() {}

    static boolean hasFingerprint(BigInteger n) {
      for (int i = 0; i < PRIMES.length; i++) {
        int r = n.mod(BigInteger.valueOf(PRIMES[i])).intValue();
        if (!SUBGROUPS.get(i).contains(r)) {
          return false;
        }
      }
      return true;
    }
  }
}
