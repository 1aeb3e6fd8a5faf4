package dev.steadfast.jwt;

import java.math.BigInteger;
import java.security.Key;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, thread-safe key bound to the algorithms it may be used with.
 *
 * <p>A verifier never takes the algorithm from a token alone: the token's {@code alg} must be one of the
 * key's algorithms. Keys are checked when they are made: HMAC secrets at least as long as the hash (32, 48,
 * 64 bytes), RSA moduli of at least 2048 bits, EC keys on the curve their algorithm names (P-256, P-384,
 * P-521), EdDSA keys on Ed25519. A key that fails is refused with an {@link IllegalArgumentException} that
 * names the setting and never the key material.
 *
 * @since 0.1.0
 */
public final class JwtKey {
  /** The smallest RSA modulus accepted, in bits. */
  public static final int MIN_RSA_BITS = 2048;

  private final @Nullable String keyId;
  private final Set<JwsAlgorithm> algorithms;
  private final @Nullable Key verificationKey;
  private final @Nullable Key signingKey;
  private final int keyBits;
  private final @Nullable BigInteger ecOrder;
  private final @Nullable ThreadLocal<EnumMap<JwsAlgorithm, HmacState>> macs;

  private JwtKey(@Nullable String keyId, Set<JwsAlgorithm> algorithms, @Nullable Key verificationKey,
      @Nullable Key signingKey, int keyBits, @Nullable BigInteger ecOrder) {
    this.keyId = keyId;
    this.algorithms = Collections.unmodifiableSet(EnumSet.copyOf(algorithms));
    this.verificationKey = verificationKey;
    this.signingKey = signingKey;
    this.keyBits = keyBits;
    this.ecOrder = ecOrder;
    if (verificationKey instanceof SecretKeySpec) {
      this.macs = ThreadLocal.withInitial(() -> new EnumMap<>(JwsAlgorithm.class));
    } else {
      this.macs = null;
    }
  }

  private static Mac newMac(JwsAlgorithm alg, Key secret) {
    try {
      Mac mac = Mac.getInstance(alg.jcaName());
      mac.init(secret);
      return mac;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot create " + alg.jcaName(), e);
    }
  }

  /**
   * An HMAC key for one or more HMAC algorithms; the secret is copied.
   *
   * @throws IllegalArgumentException if an algorithm is not HMAC or the secret is shorter than its hash
   */
  public static JwtKey hmac(byte[] secret, JwsAlgorithm first, JwsAlgorithm... more) {
    Objects.requireNonNull(secret, "secret");
    Set<JwsAlgorithm> algs = EnumSet.of(first, more);
    for (JwsAlgorithm algorithm : algs) {
      if (!algorithm.isSymmetric()) {
        throw new IllegalArgumentException("algorithm must be HS256, HS384 or HS512 for an HMAC secret, was "
            + algorithm);
      }
      int min = algorithm.hashBits() / 8;
      if (secret.length < min) {
        throw new IllegalArgumentException("HMAC secret length must be >= " + min + " bytes for " + algorithm
            + ", was " + secret.length);
      }
    }
    SecretKeySpec key = new SecretKeySpec(Arrays.copyOf(secret, secret.length), "HMAC");
    return new JwtKey(null, algs, key, key, secret.length * 8, null);
  }

  /**
   * A key that verifies with {@code algorithms} (at least one).
   *
   * @throws IllegalArgumentException if an algorithm does not fit the key (an HMAC algorithm never fits a
   *     public key), or the key is too small or on the wrong curve
   */
  public static JwtKey verifying(PublicKey key, JwsAlgorithm first, JwsAlgorithm... more) {
    Set<JwsAlgorithm> algs = EnumSet.of(first, more);
    int bits = check(key, algs);
    return new JwtKey(null, algs, key, null, bits, ecOrder(key));
  }

  /**
   * A key that signs with {@code algorithm} and, with the pair's public key, verifies it.
   *
   * @throws IllegalArgumentException as {@link #verifying}
   */
  public static JwtKey signing(KeyPair pair, JwsAlgorithm algorithm) {
    Set<JwsAlgorithm> algs = EnumSet.of(algorithm);
    int bits = check(pair.getPublic(), algs);
    check(pair.getPrivate(), algs);
    return new JwtKey(null, algs, pair.getPublic(), pair.getPrivate(), bits, ecOrder(pair.getPublic()));
  }

  /**
   * A key that only signs with {@code algorithm}.
   *
   * @throws IllegalArgumentException as {@link #verifying}
   */
  public static JwtKey signing(PrivateKey key, JwsAlgorithm algorithm) {
    Set<JwsAlgorithm> algs = EnumSet.of(algorithm);
    int bits = check(key, algs);
    return new JwtKey(null, algs, null, key, bits, ecOrder(key));
  }

  /** This key with a key id ({@code kid}); the id is only ever a lookup key. */
  public JwtKey withKeyId(@Nullable String kid) {
    return new JwtKey(kid, algorithms, verificationKey, signingKey, keyBits, ecOrder);
  }

  private static @Nullable BigInteger ecOrder(Key key) {
    return key instanceof ECKey ec ? ec.getParams().getOrder() : null;
  }

  private static int check(Key key, Set<JwsAlgorithm> algs) {
    Objects.requireNonNull(key, "key");
    int bits = 0;
    for (JwsAlgorithm alg : algs) {
      bits = switch (alg.family()) {
        case HMAC -> throw new IllegalArgumentException("algorithm " + alg + " needs an HMAC secret, not a "
            + key.getAlgorithm() + " key");
        case RSA, RSA_PSS -> rsaBits(alg, key);
        case EC -> ecBits(alg, key);
        case EDDSA -> {
          if (!(key instanceof EdECKey ed) || !ed.getParams().getName().equalsIgnoreCase("Ed25519")) {
            throw new IllegalArgumentException("algorithm EdDSA needs an Ed25519 key, was "
                + key.getAlgorithm());
          }
          yield 256;
        }
      };
    }
    return bits;
  }

  private static int rsaBits(JwsAlgorithm alg, Key key) {
    if (!(key instanceof RSAKey rsa)) {
      throw wrongKey(alg, key);
    }
    int bits = rsa.getModulus().bitLength();
    if (bits < MIN_RSA_BITS) {
      throw new IllegalArgumentException("RSA key size must be >= " + MIN_RSA_BITS + " bits, was " + bits);
    }
    return bits;
  }

  private static int ecBits(JwsAlgorithm alg, Key key) {
    if (!(key instanceof ECKey ec)) {
      throw wrongKey(alg, key);
    }
    ECParameterSpec params = ec.getParams();
    int bits = params.getCurve().getField().getFieldSize();
    int expected = alg == JwsAlgorithm.ES256 ? 256 : alg == JwsAlgorithm.ES384 ? 384 : 521;
    if (bits != expected) {
      throw new IllegalArgumentException("EC curve size must be " + expected + " bits for " + alg + ", was "
          + bits);
    }
    return bits;
  }

  private static IllegalArgumentException wrongKey(JwsAlgorithm alg, Key key) {
    return new IllegalArgumentException("algorithm " + alg + " does not fit a " + key.getAlgorithm() + " key");
  }

  /** The key id, or null. */
  public @Nullable String keyId() {
    return keyId;
  }

  /** The algorithms this key may be used with; never empty. */
  public Set<JwsAlgorithm> algorithms() {
    return algorithms;
  }

  /** Whether this key may verify. */
  public boolean canVerify() {
    return verificationKey != null;
  }

  /** Whether this key may sign. */
  public boolean canSign() {
    return signingKey != null;
  }

  /** The public key or secret that verifies, or null for a signing-only key. */
  public @Nullable Key verificationKey() {
    return verificationKey;
  }

  @Nullable Key signingKey() {
    return signingKey;
  }

  int keyBits() {
    return keyBits;
  }

  @Nullable BigInteger ecOrder() {
    return ecOrder;
  }

  /**
   * One thread's initialised {@link Mac} for one algorithm, and a buffer of the MAC's length for the value a
   * verification expects, so that verifying allocates neither.
   */
  static final class HmacState {
    final Mac mac;
    final byte[] expected;

    HmacState(Mac mac) {
      this.mac = mac;
      this.expected = new byte[mac.getMacLength()];
    }
  }

  /** The calling thread's initialised Mac for an HMAC key; callers must not keep it. */
  Mac mac(JwsAlgorithm alg) {
    return hmac(alg).mac;
  }

  /** The calling thread's {@link HmacState} for an HMAC key; callers must not keep it. */
  HmacState hmac(JwsAlgorithm alg) {
    ThreadLocal<EnumMap<JwsAlgorithm, HmacState>> m = macs;
    Key secret = verificationKey;
    if (m == null || secret == null) {
      throw new IllegalStateException("not an HMAC key");
    }
    EnumMap<JwsAlgorithm, HmacState> perThread = m.get();
    HmacState state = perThread.get(alg);
    if (state == null) {
      state = new HmacState(newMac(alg, secret));
      perThread.put(alg, state);
    }
    return state;
  }

  /** Describes the key by type, id and algorithms, never by material. */
  @Override
  public String toString() {
    Key k = verificationKey != null ? verificationKey : signingKey;
    return "JwtKey[" + (k == null ? "?" : k.getAlgorithm()) + ", kid=" + keyId + ", " + algorithms + "]";
  }
}
