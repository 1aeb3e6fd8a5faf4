package dev.steadfast.jwt.internal;

import dev.steadfast.jwt.JwtException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;

/**
 * Strict base64url (RFC 4648 section 5, no padding) as JWS requires: only {@code A-Z a-z 0-9 - _}, no padding,
 * no whitespace, a length that is not 1 mod 4, and zero unused bits in the final character. Thread-safe.
 */
public final class Base64Url {
  // -1 for every byte outside the alphabet, so that OR-ing four lookups is negative if any is invalid
  private static final byte[] DECODE = new byte[256];
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder JDK_DECODER = Base64.getUrlDecoder();
  /**
   * From this length on, the verifier's decoder hands the segment to the JDK's decoder, which HotSpot
   * vectorises (64 characters at a time with AVX-512); shorter segments, such as HMAC signatures, are
   * decoded here, where the copy the JDK decoder needs would cost more than it saves.
   */
  static final int JDK_DECODER_MIN_LENGTH = 64;

  static {
    Arrays.fill(DECODE, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      DECODE[alphabet.charAt(i)] = (byte) i;
    }
  }

  private Base64Url() {}

  /** Encodes without padding. */
  public static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  /** Decodes {@code s[from, to)} strictly; {@code what} names the part in the exception. */
  public static byte[] decode(CharSequence s, int from, int to, String what) {
    int len = to - from;
    if (len % 4 == 1) {
      throw malformed(what);
    }
    int full = len / 4;
    int rem = len % 4;
    byte[] out = new byte[full * 3 + (rem == 0 ? 0 : rem - 1)];
    int o = 0;
    int i = from;
    for (int q = 0; q < full; q++) {
      int v = value(s.charAt(i), what) << 18
          | value(s.charAt(i + 1), what) << 12
          | value(s.charAt(i + 2), what) << 6
          | value(s.charAt(i + 3), what);
      i += 4;
      out[o++] = (byte) (v >> 16);
      out[o++] = (byte) (v >> 8);
      out[o++] = (byte) v;
    }
    if (rem == 2) {
      int a = value(s.charAt(i), what);
      int b = value(s.charAt(i + 1), what);
      if ((b & 0x0f) != 0) {
        throw malformed(what);
      }
      out[o] = (byte) (a << 2 | b >> 4);
    } else if (rem == 3) {
      int a = value(s.charAt(i), what);
      int b = value(s.charAt(i + 1), what);
      int c = value(s.charAt(i + 2), what);
      if ((c & 0x03) != 0) {
        throw malformed(what);
      }
      out[o++] = (byte) (a << 2 | b >> 4);
      out[o] = (byte) ((b & 0x0f) << 4 | c >> 2);
    }
    return out;
  }

  /**
   * Decodes the ASCII bytes {@code src[from, to)} strictly, as {@link #decode(CharSequence, int, int, String)}
   * does (a byte of 128 or more is not base64url); the verifier's path, which has the token's bytes anyway.
   */
  public static byte[] decode(byte[] src, int from, int to, String what) {
    int len = to - from;
    if (len % 4 == 1) {
      throw malformed(what);
    }
    if (len >= JDK_DECODER_MIN_LENGTH) {
      return decodeWithJdk(src, from, to, what);
    }
    int full = len / 4;
    int rem = len % 4;
    byte[] out = new byte[full * 3 + (rem == 0 ? 0 : rem - 1)];
    byte[] table = DECODE;
    int o = 0;
    int i = from;
    for (int q = 0; q < full; q++, i += 4) {
      int a = table[src[i] & 0xff];
      int b = table[src[i + 1] & 0xff];
      int c = table[src[i + 2] & 0xff];
      int d = table[src[i + 3] & 0xff];
      if ((a | b | c | d) < 0) {
        throw malformed(what);
      }
      int v = a << 18 | b << 12 | c << 6 | d;
      out[o++] = (byte) (v >> 16);
      out[o++] = (byte) (v >> 8);
      out[o++] = (byte) v;
    }
    if (rem >= 2) {
      int a = table[src[i] & 0xff];
      int b = table[src[i + 1] & 0xff];
      int c = rem == 3 ? table[src[i + 2] & 0xff] : 0;
      // the unused low bits of the last character must be zero (canonical encoding)
      if ((a | b | c) < 0 || (rem == 2 ? (b & 0x0f) : (c & 0x03)) != 0) {
        throw malformed(what);
      }
      out[o++] = (byte) (a << 2 | b >> 4);
      if (rem == 3) {
        out[o] = (byte) ((b & 0x0f) << 4 | c >> 2);
      }
    }
    return out;
  }

  /**
   * The JDK decoder refuses characters outside the URL alphabet and misplaced padding, but accepts correct
   * padding and ignores the unused bits of the last character: both are refused here before it runs. With a
   * last character in the alphabet, any '=' has something after it, which the JDK decoder refuses.
   */
  private static byte[] decodeWithJdk(byte[] src, int from, int to, String what) {
    int len = to - from;
    int rem = len % 4;
    int last = DECODE[src[to - 1] & 0xff];
    if (last < 0 || (rem == 2 && (last & 0x0f) != 0) || (rem == 3 && (last & 0x03) != 0)) {
      throw malformed(what);
    }
    int expectedLength = len / 4 * 3 + (rem == 0 ? 0 : rem - 1);
    try {
      // a wrapped array is decoded in place, without the copy decode(byte[], byte[]) would need
      ByteBuffer decoded = JDK_DECODER.decode(ByteBuffer.wrap(src, from, len));
      if (decoded.remaining() != expectedLength || decoded.arrayOffset() != 0 || decoded.position() != 0) {
        throw malformed(what);
      }
      byte[] out = decoded.array();
      return out.length == expectedLength ? out : Arrays.copyOf(out, expectedLength);
    } catch (IllegalArgumentException e) {
      throw malformed(what);
    }
  }

  /** Decodes a whole string strictly. */
  public static byte[] decode(String s, String what) {
    return decode(s, 0, s.length(), what);
  }

  private static int value(char c, String what) {
    int v = c < 256 ? DECODE[c] : -1;
    if (v < 0) {
      throw malformed(what);
    }
    return v;
  }

  private static JwtException malformed(String what) {
    return new JwtException(JwtException.Reason.MALFORMED, what + " is not canonical base64url");
  }
}
