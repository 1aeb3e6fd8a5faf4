package dev.steadfast.jwt.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.steadfast.jwt.JwtException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Strict JSON for JOSE: duplicate member names, trailing content, excessive nesting and over-long input are
 * refused (read by {@link JsonReader}; Jackson only writes). Values become {@code Map<String, Object>}
 * (insertion order), {@code List}, {@code String},
 * {@code Long} or {@code BigInteger}, {@code Double} or {@code BigDecimal}, {@code Boolean} and
 * {@link #NULL}. Thread-safe.
 */
public final class Json {
  /** Stands for JSON {@code null} so that maps and lists never hold a Java null. */
  public static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  private static final JsonFactory FACTORY = new JsonFactory();

  private Json() {}

  /**
   * Parses {@code bytes} as one JSON object.
   *
   * @throws JwtException {@code MALFORMED} naming {@code what} for anything else, duplicates, or depth beyond
   *     {@code maxDepth}
   */
  public static Map<String, Object> parseObject(byte[] bytes, int maxDepth, String what) {
    return parseObject(bytes, 0, bytes.length, maxDepth, what);
  }

  /** Parses {@code bytes[from, to)} as one JSON object, as {@link #parseObject(byte[], int, String)} does. */
  public static Map<String, Object> parseObject(byte[] bytes, int from, int to, int maxDepth, String what) {
    try {
      return JsonReader.readObject(bytes, from, to, maxDepth, what);
    } catch (RuntimeException e) {
      if (e instanceof JwtException jwt) {
        throw jwt;
      }
      // fail closed on anything unforeseen, without quoting the input
      throw new JwtException(JwtException.Reason.MALFORMED, what + " is not valid JSON ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /** Writes a map of JSON values (as {@link #parseObject} returns, plus any {@link Number}) as UTF-8. */
  public static byte[] write(Map<String, ?> object) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writeValue(g, object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeValue(JsonGenerator g, @Nullable Object v) throws IOException {
    if (v == null || v == NULL) {
      g.writeNull();
    } else if (v instanceof String str) {
      g.writeString(str);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof BigInteger bi) {
      g.writeNumber(bi);
    } else if (v instanceof BigDecimal bd) {
      g.writeNumber(bd);
    } else if (v instanceof Double || v instanceof Float) {
      g.writeNumber(((Number) v).doubleValue());
    } else if (v instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName((String) e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object o : list) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
    }
  }

  /** Whether {@code v} is a value {@link #write} accepts, recursively. */
  public static boolean isJsonValue(@Nullable Object v) {
    if (v == null || v == NULL || v instanceof String || v instanceof Boolean) {
      return true;
    }
    if (v instanceof Double || v instanceof Float) {
      return Double.isFinite(((Number) v).doubleValue());
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger || v instanceof BigDecimal) {
      return true;
    }
    if (v instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String) || !isJsonValue(e.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (v instanceof List<?> list) {
      for (Object o : list) {
        if (!isJsonValue(o)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }
}
