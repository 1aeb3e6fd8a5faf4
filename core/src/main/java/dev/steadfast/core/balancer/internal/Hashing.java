package dev.steadfast.core.balancer.internal;

/** 64-bit hashes for affinity keys and endpoint addresses: FNV-1a over the chars, then a SplitMix64 finaliser. */
public final class Hashing {

  private Hashing() {}

  /** A well-mixed 64-bit hash of {@code chars}; allocation-free. */
  public static long hash(CharSequence chars) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < chars.length(); i++) {
      h ^= chars.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** SplitMix64's finaliser: every input bit affects every output bit. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A double uniform in (0, 1) from a hash. */
  static double unitInterval(long hash) {
    return ((hash >>> 11) + 0.5) * 0x1.0p-53;
  }
}
