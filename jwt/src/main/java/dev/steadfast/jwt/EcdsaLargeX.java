package dev.steadfast.jwt;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECField;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;

/**
 * ECDSA verification for the one kind of valid signature the JDK 17 SunEC provider refuses: those whose point
 * {@code R = u1·G + u2·Q} has an x-coordinate of at least the group order n, so that {@code r = x − n}
 * (Wycheproof's "k*G has a large x-coordinate" and "x = n + r" cases; FIPS 186-5 section 6.4.2 reduces x mod
 * n, the provider compares it unreduced). Stateless and thread-safe.
 *
 * <p>Used only after the provider has said false and only when {@code r + n < p}, the only case in which such
 * an x exists; honest signers produce it with probability about 2^-128 (P-256), so the fast path is
 * unchanged. The arithmetic is plain {@link BigInteger} in Jacobian coordinates with Shamir's trick: slow
 * (milliseconds per call, against about 0.1 ms for the provider's P-256 verify) but it touches only public
 * data, so it needs no constant time. Anyone can reach it with a forged token whose r is small, so at most one
 * thread runs it at a time: a call that finds it busy fails closed (returns false, what the provider said), and
 * a flood of such tokens costs at most one core.
 */
final class EcdsaLargeX {
  // bounds the cost an attacker can cause to one thread's worth; honest signatures never need it in practice
  private static final Semaphore ONE_AT_A_TIME = new Semaphore(1);

  private EcdsaLargeX() {}

  /**
   * Whether {@code (r, s)} (already checked to lie in [1, n−1]) is a valid signature of {@code input[0,
   * inputLength)} under {@code key}, given that its R may have x ≥ n; false for every other signature.
   */
  static boolean verify(ECPublicKey key, String hash, byte[] input, int inputLength, BigInteger r, BigInteger s) {
    ECParameterSpec params = key.getParams();
    ECField field = params.getCurve().getField();
    if (!(field instanceof ECFieldFp prime)) {
      return false;
    }
    BigInteger p = prime.getP();
    BigInteger n = params.getOrder();
    BigInteger x = r.add(n);
    if (x.compareTo(p) >= 0) {
      return false; // no curve point has x = r + n: the provider's answer stands
    }
    BigInteger a = params.getCurve().getA();
    BigInteger b = params.getCurve().getB();
    ECPoint q = key.getW();
    if (q.equals(ECPoint.POINT_INFINITY) || !onCurve(q, a, b, p)) {
      return false;
    }
    if (!ONE_AT_A_TIME.tryAcquire()) {
      return false;
    }
    BigInteger @Nullable [] point;
    try {
      BigInteger e = digest(hash, input, inputLength, n.bitLength());
      BigInteger w = s.modInverse(n);
      BigInteger u1 = e.multiply(w).mod(n);
      BigInteger u2 = r.multiply(w).mod(n);
      point = new Curve(p, a).sumOfProducts(u1, params.getGenerator(), u2, q);
    } finally {
      ONE_AT_A_TIME.release();
    }
    if (point == null) {
      return false;
    }
    BigInteger zInverse = point[2].modInverse(p);
    BigInteger affineX = point[0].multiply(zInverse.multiply(zInverse)).mod(p);
    return affineX.mod(n).equals(r);
  }

  private static boolean onCurve(ECPoint q, BigInteger a, BigInteger b, BigInteger p) {
    BigInteger x = q.getAffineX();
    BigInteger y = q.getAffineY();
    if (x.signum() < 0 || x.compareTo(p) >= 0 || y.signum() < 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger right = x.multiply(x).add(a).multiply(x).add(b).mod(p);
    return y.multiply(y).mod(p).equals(right);
  }

  /** The message hash as an integer, truncated to the order's bit length (SEC 1 section 4.1.4 step 5). */
  private static BigInteger digest(String hash, byte[] input, int inputLength, int orderBits) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + hash, e);
    }
    md.update(input, 0, inputLength);
    byte[] h = md.digest();
    BigInteger e = new BigInteger(1, h);
    int excess = h.length * 8 - orderBits;
    return excess > 0 ? e.shiftRight(excess) : e;
  }

  /** Short Weierstrass arithmetic mod p in Jacobian coordinates {X, Y, Z}; null is the point at infinity. */
  private static final class Curve {
    private final BigInteger p;
    private final BigInteger a;

    Curve(BigInteger p, BigInteger a) {
      this.p = p;
      this.a = a.mod(p);
    }

    /** {@code k1·P1 + k2·P2} by Shamir's trick (one doubling per bit, at most one addition). */
    BigInteger @Nullable [] sumOfProducts(BigInteger k1, ECPoint p1, BigInteger k2, ECPoint p2) {
      BigInteger[] j1 = jacobian(p1);
      BigInteger[] j2 = jacobian(p2);
      BigInteger @Nullable [] both = add(j1, j2);
      BigInteger @Nullable [] acc = null;
      for (int i = Math.max(k1.bitLength(), k2.bitLength()) - 1; i >= 0; i--) {
        acc = twice(acc);
        boolean bit1 = k1.testBit(i);
        boolean bit2 = k2.testBit(i);
        if (bit1 && bit2) {
          acc = add(acc, both);
        } else if (bit1) {
          acc = add(acc, j1);
        } else if (bit2) {
          acc = add(acc, j2);
        }
      }
      return acc;
    }

    private static BigInteger[] jacobian(ECPoint point) {
      return new BigInteger[] {point.getAffineX(), point.getAffineY(), BigInteger.ONE};
    }

    private BigInteger mul(BigInteger x, BigInteger y) {
      return x.multiply(y).mod(p);
    }

    private BigInteger sub(BigInteger x, BigInteger y) {
      return x.subtract(y).mod(p);
    }

    BigInteger @Nullable [] twice(BigInteger @Nullable [] q) {
      if (q == null || q[1].signum() == 0) {
        return null;
      }
      BigInteger x = q[0];
      BigInteger y = q[1];
      BigInteger z = q[2];
      BigInteger yy = mul(y, y);
      BigInteger s = mul(BigInteger.valueOf(4), mul(x, yy));
      BigInteger zz = mul(z, z);
      BigInteger m = mul(BigInteger.valueOf(3), mul(x, x)).add(mul(a, mul(zz, zz))).mod(p);
      BigInteger x3 = sub(mul(m, m), s.shiftLeft(1));
      BigInteger y3 = sub(mul(m, sub(s, x3)), mul(BigInteger.valueOf(8), mul(yy, yy)));
      BigInteger z3 = mul(y.shiftLeft(1), z);
      return new BigInteger[] {x3, y3, z3};
    }

    BigInteger @Nullable [] add(BigInteger @Nullable [] q1, BigInteger @Nullable [] q2) {
      if (q1 == null) {
        return q2;
      }
      if (q2 == null) {
        return q1;
      }
      BigInteger z1z1 = mul(q1[2], q1[2]);
      BigInteger z2z2 = mul(q2[2], q2[2]);
      BigInteger u1 = mul(q1[0], z2z2);
      BigInteger u2 = mul(q2[0], z1z1);
      BigInteger s1 = mul(q1[1], mul(q2[2], z2z2));
      BigInteger s2 = mul(q2[1], mul(q1[2], z1z1));
      if (u1.equals(u2)) {
        return s1.equals(s2) ? twice(q1) : null;
      }
      BigInteger h = sub(u2, u1);
      BigInteger rr = sub(s2, s1);
      BigInteger hh = mul(h, h);
      BigInteger hhh = mul(h, hh);
      BigInteger v = mul(u1, hh);
      BigInteger x3 = sub(sub(mul(rr, rr), hhh), v.shiftLeft(1));
      BigInteger y3 = sub(mul(rr, sub(v, x3)), mul(s1, hhh));
      BigInteger z3 = mul(h, mul(q1[2], q2[2]));
      return new BigInteger[] {x3, y3, z3};
    }
  }
}
