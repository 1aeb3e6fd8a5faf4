package dev.steadfast.jwt.internal;

import dev.steadfast.jwt.JwtException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads one JSON object from UTF-8 bytes, strictly (RFC 8259 and nothing more); one instance reads one
 * document and is not thread-safe ({@link Json#parseObject} makes one per call).
 *
 * <p>It replaces Jackson's parser on the verifier's path, where setting one up cost about 680 bytes per parse
 * and, with the parse, the largest share of the CPU samples outside the MAC. It refuses everything the Jackson setup refused (duplicate member
 * names, content after the object, nesting beyond the depth, strings over {@value #MAX_STRING_LENGTH} chars,
 * names over {@value #MAX_NAME_LENGTH} chars, integers over {@value #MAX_NUMBER_LENGTH} digits; no comments,
 * single quotes, unquoted names, trailing commas, leading zeros, {@code NaN}, or unescaped control
 * characters), and a little more: a byte order mark or UTF-16/32 input (JWS requires UTF-8), malformed UTF-8
 * (overlong forms, encoded surrogates, code points above U+10FFFF) and numbers with a fraction or exponent
 * longer than {@value #MAX_NUMBER_LENGTH} chars. Messages never quote the input.
 *
 * <p>Invariant the duplicate check relies on: a member name equal to a known name is always returned as that
 * known name's shared instance, whether it was written plainly ({@link #name}) or with escapes
 * ({@link #slowString}).
 */
final class JsonReader {
  static final int MAX_STRING_LENGTH = 1 << 20;
  static final int MAX_NAME_LENGTH = 50_000;
  static final int MAX_NUMBER_LENGTH = 64;
  /** Jackson's nesting limit, which the callers' depths stay within anyway. */
  static final int MAX_DEPTH = 64;

  /**
   * Member names of JOSE headers, JWT claims, JWKs and token responses, returned as these instances: no
   * allocation for them, and lookups in {@link JsonObject} match on identity.
   */
  private static final @Nullable String[] KNOWN_SLOTS = knownSlots("alg", "typ", "kid", "cty", "crit", "jku",
      "jwk", "x5u", "x5c", "x5t", "x5t#S256", "zip", "b64", "enc", "iss", "sub", "aud", "exp", "nbf", "iat", "jti",
      "scope", "scp", "azp", "client_id", "nonce", "kty", "use", "key_ops", "crv", "keys", "n", "e", "x", "y", "d",
      "k", "access_token", "token_type", "expires_in");
  /** {@link #KNOWN_SLOTS} as ASCII bytes, null where a slot is empty. */
  private static final byte[] @Nullable [] KNOWN_BYTES = knownBytes(KNOWN_SLOTS);
  private static final int[] KNOWN_HASHES = knownHashes(KNOWN_SLOTS);
  /** The known names of up to eight bytes, by their bytes packed into a long, for {@link #knownShortName}. */
  private static final @Nullable String[] SHORT_SLOTS = shortSlots(KNOWN_SLOTS);
  private static final long[] SHORT_PACKED = packAll(SHORT_SLOTS);
  /** The known names by content, for names that came with escapes. */
  private static final Map<String, String> KNOWN_BY_CONTENT = knownByContent(KNOWN_SLOTS);

  private static final JsonObject EMPTY = new JsonObject(new String[0], new Object[0], 0);

  private final byte[] in;
  private final int end;
  private final int maxDepth;
  private final String what;
  private int pos;
  /** Whether the name just read is a known one (its shared instance); set by {@link #name}. */
  private boolean lastNameKnown;

  private JsonReader(byte[] in, int from, int to, int maxDepth, String what) {
    this.in = in;
    this.pos = from;
    this.end = to;
    this.maxDepth = Math.min(maxDepth, MAX_DEPTH);
    this.what = what;
  }

  /**
   * The object in {@code in[from, to)}.
   *
   * @throws JwtException {@code MALFORMED} naming {@code what} for anything else
   */
  static Map<String, Object> readObject(byte[] in, int from, int to, int maxDepth, String what) {
    JsonReader r = new JsonReader(in, from, to, maxDepth, what);
    r.skipWhitespace();
    if (r.pos >= r.end || r.in[r.pos] != '{') {
      throw malformed(what, " is not a JSON object");
    }
    r.pos++;
    Map<String, Object> result = r.object(1);
    r.skipWhitespace();
    if (r.pos != r.end) {
      throw malformed(what, " has content after the JSON object");
    }
    return result;
  }

  private static JwtException malformed(String what, String problem) {
    return new JwtException(JwtException.Reason.MALFORMED, what + problem);
  }

  private JwtException invalid() {
    return malformed(what, " is not valid JSON");
  }

  private void skipWhitespace() {
    while (pos < end) {
      byte b = in[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return;
      }
      pos++;
    }
  }

  /** The next non-whitespace byte, consumed. */
  private int next() {
    skipWhitespace();
    if (pos >= end) {
      throw malformed(what, " ends early");
    }
    return in[pos++];
  }

  private void checkDepth(int depth) {
    if (depth > maxDepth) {
      throw malformed(what, " is nested deeper than " + maxDepth);
    }
  }

  /** The object whose opening brace was just consumed. */
  private Map<String, Object> object(int depth) {
    checkDepth(depth);
    int c = next();
    if (c == '}') {
      return EMPTY;
    }
    String[] names = new String[8];
    Object[] values = new Object[8];
    int size = 0;
    while (true) {
      if (c != '"') {
        throw invalid();
      }
      String name = string(MAX_NAME_LENGTH, true);
      boolean known = lastNameKnown;
      if (next() != ':') {
        throw invalid();
      }
      Object value = value(next(), depth + 1);
      if (isDuplicate(names, size, name, known)) {
        throw duplicate();
      }
      if (size == names.length) {
        if (size == JsonObject.MAX_MEMBERS) {
          return largeObject(names, values, name, value, depth);
        }
        names = Arrays.copyOf(names, JsonObject.MAX_MEMBERS);
        values = Arrays.copyOf(values, JsonObject.MAX_MEMBERS);
      }
      names[size] = name;
      values[size++] = value;
      c = next();
      if (c == '}') {
        return new JsonObject(names, values, size);
      }
      if (c != ',') {
        throw invalid();
      }
      c = next();
    }
  }

  /**
   * Whether {@code name} is among {@code names[0, size)}. A known name is always its shared instance, however
   * it was written (see {@link #name} and {@link #slowString}), so an equal earlier name is the same instance
   * and identity decides; any other name is compared by hash and content.
   */
  @SuppressWarnings("ReferenceEquality")
  private static boolean isDuplicate(String[] names, int size, String name, boolean known) {
    if (known) {
      for (int i = 0; i < size; i++) {
        if (names[i] == name) {
          return true;
        }
      }
      return false;
    }
    int hash = name.hashCode();
    for (int i = 0; i < size; i++) {
      String other = names[i];
      if (other.hashCode() == hash && other.equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Goes on with a {@code LinkedHashMap} once an object has more than {@link JsonObject#MAX_MEMBERS} members. */
  private Map<String, Object> largeObject(String[] names, Object[] values, String name, Object value, int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      map.put(names[i], values[i]);
    }
    String nextName = name;
    Object nextValue = value;
    while (true) {
      // values are never null (JSON null is Json.NULL), so a non-null answer means the name came before
      if (map.put(nextName, nextValue) != null) {
        throw duplicate();
      }
      int c = next();
      if (c == '}') {
        return Collections.unmodifiableMap(map);
      }
      if (c != ',' || next() != '"') {
        throw invalid();
      }
      nextName = string(MAX_NAME_LENGTH, true);
      if (next() != ':') {
        throw invalid();
      }
      nextValue = value(next(), depth + 1);
    }
  }

  private JwtException duplicate() {
    return malformed(what, " has a duplicate member name");
  }

  /** The array whose opening bracket was just consumed. */
  private List<Object> array(int depth) {
    checkDepth(depth);
    List<Object> list = new ArrayList<>();
    int c = next();
    if (c == ']') {
      return Collections.unmodifiableList(list);
    }
    while (true) {
      list.add(value(c, depth + 1));
      c = next();
      if (c == ']') {
        return Collections.unmodifiableList(list);
      }
      if (c != ',') {
        throw invalid();
      }
      c = next();
    }
  }

  /** The value that starts with {@code c}, just consumed. */
  private Object value(int c, int depth) {
    return switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> string(MAX_STRING_LENGTH, false);
      case 't' -> literal("rue", true);
      case 'f' -> literal("alse", false);
      case 'n' -> literal("ull", Json.NULL);
      case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
        pos--;
        yield number();
      }
      default -> throw invalid();
    };
  }

  /** {@code value} once the rest of its literal follows. */
  private Object literal(String rest, Object value) {
    int n = rest.length();
    if (end - pos < n) {
      throw invalid();
    }
    for (int i = 0; i < n; i++) {
      if (in[pos + i] != rest.charAt(i)) {
        throw invalid();
      }
    }
    pos += n;
    return value;
  }

  private Object number() {
    int start = pos;
    boolean negative = in[pos] == '-';
    if (negative) {
      pos++;
    }
    int digitsStart = pos;
    if (pos >= end) {
      throw invalid();
    }
    long value = 0;
    if (in[pos] == '0') {
      pos++;
    } else if (in[pos] >= '1' && in[pos] <= '9') {
      // the value is only used for up to 18 digits, which cannot overflow
      while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
        value = value * 10 + (in[pos++] - '0');
      }
    } else {
      throw invalid();
    }
    int digits = pos - digitsStart;
    boolean fraction = false;
    if (pos < end && in[pos] == '.') {
      pos++;
      requireDigits();
      fraction = true;
    }
    if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      if (pos < end && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      requireDigits();
      fraction = true;
    }
    if (fraction ? pos - start > MAX_NUMBER_LENGTH : digits > MAX_NUMBER_LENGTH) {
      throw malformed(what, " has a number longer than " + MAX_NUMBER_LENGTH);
    }
    if (!fraction && digits <= 18) {
      return negative ? -value : value;
    }
    String text = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
    try {
      if (!fraction) {
        BigInteger big = new BigInteger(text);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
      }
      BigDecimal d = new BigDecimal(text);
      double dv = d.doubleValue();
      // a Double when it is exactly the written number, so that no precision is silently lost
      return Double.isFinite(dv) && new BigDecimal(dv).compareTo(d) == 0 ? (Object) dv : d;
    } catch (NumberFormatException | ArithmeticException e) {
      throw invalid();
    }
  }

  private void skipDigits() {
    while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
  }

  private void requireDigits() {
    int from = pos;
    skipDigits();
    if (pos == from) {
      throw invalid();
    }
  }

  /** The string whose opening quote was just consumed. */
  private String string(int maxLength, boolean name) {
    if (name) {
      return name();
    }
    int start = pos;
    // fast path: printable ASCII without escapes; anything below 0x20 or above 0x7e (negative) leaves it
    while (pos < end) {
      byte b = in[pos];
      if (b == '"') {
        int length = pos - start;
        if (length > maxLength) {
          throw tooLong(false);
        }
        pos++;
        return new String(in, start, length, StandardCharsets.ISO_8859_1);
      }
      if (b < 0x20 || b == '\\') {
        break;
      }
      pos++;
    }
    return slowString(start, maxLength, false);
  }

  /** A member name, as {@link #string}; a known name comes back as its shared instance. */
  private String name() {
    int start = pos;
    int hash = 0;
    // the first eight bytes, one per byte of the long: unique for names of up to eight printable bytes
    long packed = 0;
    while (pos < end) {
      byte b = in[pos];
      if (b == '"') {
        int length = pos - start;
        if (length > MAX_NAME_LENGTH) {
          throw tooLong(true);
        }
        pos++;
        String known = length <= 8 ? knownShortName(packed) : knownName(hash, start, length);
        lastNameKnown = known != null;
        return known != null ? known : new String(in, start, length, StandardCharsets.ISO_8859_1);
      }
      if (b < 0x20 || b == '\\') {
        break;
      }
      // String.hashCode() of the ASCII name so far
      hash = 31 * hash + b;
      packed = packed << 8 | b;
      pos++;
    }
    return slowString(start, MAX_NAME_LENGTH, true);
  }

  private JwtException tooLong(boolean name) {
    return malformed(what, name ? " has a member name longer than " + MAX_NAME_LENGTH
        : " has a string longer than " + MAX_STRING_LENGTH);
  }

  /** Escapes and UTF-8, from {@code start} (just after the opening quote). */
  private String slowString(int start, int maxLength, boolean name) {
    StringBuilder sb = new StringBuilder(Math.min(pos - start + 16, maxLength));
    sb.append(new String(in, start, pos - start, StandardCharsets.ISO_8859_1));
    while (true) {
      if (pos >= end) {
        throw malformed(what, " ends early");
      }
      int b = in[pos++];
      if (b == '"') {
        break;
      }
      if (b == '\\') {
        escape(sb);
      } else if (b >= 0x20) {
        sb.append((char) b);
      } else if (b < 0) {
        utf8(b & 0xff, sb);
      } else {
        throw malformed(what, " has a control character in a string");
      }
      if (sb.length() > maxLength) {
        throw tooLong(name);
      }
    }
    String result = sb.toString();
    if (!name) {
      return result;
    }
    // so that every known name, however it was written, is the shared instance (see isDuplicate)
    String known = KNOWN_BY_CONTENT.get(result);
    lastNameKnown = known != null;
    return known != null ? known : result;
  }

  private void escape(StringBuilder sb) {
    if (pos >= end) {
      throw malformed(what, " ends early");
    }
    int e = in[pos++];
    switch (e) {
      case '"' -> sb.append('"');
      case '\\' -> sb.append('\\');
      case '/' -> sb.append('/');
      case 'b' -> sb.append('\b');
      case 'f' -> sb.append('\f');
      case 'n' -> sb.append('\n');
      case 'r' -> sb.append('\r');
      case 't' -> sb.append('\t');
      case 'u' -> {
        if (end - pos < 4) {
          throw malformed(what, " ends early");
        }
        int h0 = hex(in[pos]);
        int h1 = hex(in[pos + 1]);
        int h2 = hex(in[pos + 2]);
        int h3 = hex(in[pos + 3]);
        if ((h0 | h1 | h2 | h3) < 0) {
          throw invalid();
        }
        int v = h0 << 12 | h1 << 8 | h2 << 4 | h3;
        pos += 4;
        // as Jackson did, a lone surrogate escape is kept as it is
        sb.append((char) v);
      }
      default -> throw invalid();
    }
  }

  /** 0-15, or -1 for a byte that is not a hex digit. */
  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  /** A multi-byte UTF-8 sequence whose lead byte {@code b0} (0x80-0xff) was just consumed; strict (RFC 3629). */
  private void utf8(int b0, StringBuilder sb) {
    int count;
    int min;
    int max = 0xbf;
    int cp;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      count = 1;
      cp = b0 & 0x1f;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      count = 2;
      cp = b0 & 0x0f;
      // no overlong forms (E0 80-9F) and no surrogates (ED A0-BF)
      min = b0 == 0xe0 ? 0xa0 : 0x80;
      max = b0 == 0xed ? 0x9f : 0xbf;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      count = 3;
      cp = b0 & 0x07;
      // no overlong forms (F0 80-8F) and nothing above U+10FFFF (F4 90-BF)
      min = b0 == 0xf0 ? 0x90 : 0x80;
      max = b0 == 0xf4 ? 0x8f : 0xbf;
    } else {
      throw malformed(what, " is not valid UTF-8");
    }
    if (end - pos < count) {
      throw malformed(what, " is not valid UTF-8");
    }
    for (int i = 0; i < count; i++) {
      int b = in[pos + i] & 0xff;
      if (b < (i == 0 ? min : 0x80) || b > (i == 0 ? max : 0xbf)) {
        throw malformed(what, " is not valid UTF-8");
      }
      cp = cp << 6 | (b & 0x3f);
    }
    pos += count;
    sb.appendCodePoint(cp);
  }

  /** The shared instance for a known name of up to eight bytes packed as {@link #name} packs it, or null. */
  private static @Nullable String knownShortName(long packed) {
    int slot = SHORT_SLOTS.length - 1;
    for (int i = spread(Long.hashCode(packed)) & slot; ; i = (i + 1) & slot) {
      String known = SHORT_SLOTS[i];
      if (known == null || SHORT_PACKED[i] == packed) {
        return known;
      }
    }
  }

  private static long pack(String name) {
    long packed = 0;
    for (int i = 0; i < name.length(); i++) {
      packed = packed << 8 | name.charAt(i);
    }
    return packed;
  }

  /**
   * The shared instance for the ASCII name in {@code in[start, start + length)} whose {@code String.hashCode()}
   * is {@code hash}, or null if it is not a known one.
   */
  private @Nullable String knownName(int hash, int start, int length) {
    int slot = KNOWN_SLOTS.length - 1;
    for (int i = spread(hash) & slot; ; i = (i + 1) & slot) {
      byte[] known = KNOWN_BYTES[i];
      if (known == null) {
        return null;
      }
      if (KNOWN_HASHES[i] == hash && known.length == length && sameBytes(known, start)) {
        return KNOWN_SLOTS[i];
      }
    }
  }

  private boolean sameBytes(byte[] known, int start) {
    for (int i = 0; i < known.length; i++) {
      if (known[i] != in[start + i]) {
        return false;
      }
    }
    return true;
  }

  private static int spread(int h) {
    return h ^ (h >>> 7) ^ (h >>> 16);
  }

  private static @Nullable String[] knownSlots(String... names) {
    @Nullable String[] slots = new String[128];
    for (String n : names) {
      int slot = slots.length - 1;
      int i = spread(n.hashCode()) & slot;
      while (slots[i] != null) {
        i = (i + 1) & slot;
      }
      slots[i] = n;
    }
    return slots;
  }

  private static Map<String, String> knownByContent(String[] slots) {
    Map<String, String> map = new java.util.HashMap<>();
    for (String n : slots) {
      if (n != null) {
        map.put(n, n);
      }
    }
    return Map.copyOf(map);
  }

  private static @Nullable String[] shortSlots(@Nullable String[] names) {
    @Nullable String[] slots = new String[128];
    for (String n : names) {
      if (n != null && n.length() <= 8) {
        int slot = slots.length - 1;
        int i = spread(Long.hashCode(pack(n))) & slot;
        while (slots[i] != null) {
          i = (i + 1) & slot;
        }
        slots[i] = n;
      }
    }
    return slots;
  }

  private static long[] packAll(@Nullable String[] slots) {
    long[] out = new long[slots.length];
    for (int i = 0; i < slots.length; i++) {
      out[i] = slots[i] == null ? 0 : pack(slots[i]);
    }
    return out;
  }

  private static int[] knownHashes(@Nullable String[] slots) {
    int[] out = new int[slots.length];
    for (int i = 0; i < slots.length; i++) {
      out[i] = slots[i] == null ? 0 : slots[i].hashCode();
    }
    return out;
  }

  private static byte[] @Nullable [] knownBytes(@Nullable String[] slots) {
    byte[][] out = new byte[slots.length][];
    for (int i = 0; i < slots.length; i++) {
      out[i] = slots[i] == null ? null : slots[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

}
