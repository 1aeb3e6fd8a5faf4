package dev.steadfast.jwt.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.steadfast.jwt.JwtException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Strict JSON for JOSE: duplicate member names, trailing content, excessive nesting and over-long input are
 * refused. Values become {@code Map<String, Object>} (insertion order), {@code List}, {@code String},
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

  // Duplicate member names are detected by readObject while it collects the names, not by Jackson's
  // STRICT_DUPLICATE_DETECTION, which allocates a detector and a HashSet per object.
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(64)
          .maxNumberLength(64)
          .maxStringLength(1 << 20)
          .build())
      .build();

  private Json() {}

  /**
   * Parses {@code bytes} as one JSON object.
   *
   * @throws JwtException {@code MALFORMED} naming {@code what} for anything else, duplicates, or depth beyond
   *     {@code maxDepth}
   */
  public static Map<String, Object> parseObject(byte[] bytes, int maxDepth, String what) {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new JwtException(JwtException.Reason.MALFORMED, what + " is not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) read(p, 1, maxDepth, what);
      if (p.nextToken() != null) {
        throw new JwtException(JwtException.Reason.MALFORMED, what + " has content after the JSON object");
      }
      return result;
    } catch (IOException | RuntimeException e) {
      if (e instanceof JwtException jwt) {
        throw jwt;
      }
      // Jackson's message may quote input; keep only the kind of failure.
      throw new JwtException(JwtException.Reason.MALFORMED, what + " is not valid JSON ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static Object read(JsonParser p, int depth, int maxDepth, String what) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new JwtException(JwtException.Reason.MALFORMED, what + " ends early");
    }
    return switch (t) {
      case START_OBJECT -> readObject(p, depth, maxDepth, what);
      case START_ARRAY -> readArray(p, depth, maxDepth, what);
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          ? p.getBigIntegerValue()
          : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT -> readDecimal(p);
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      case VALUE_NULL -> NULL;
      default -> throw new JwtException(JwtException.Reason.MALFORMED, what + " has an unexpected JSON token");
    };
  }

  private static Object readObject(JsonParser p, int depth, int maxDepth, String what) throws IOException {
    checkDepth(depth, maxDepth, what);
    String[] names = new String[JsonObject.MAX_MEMBERS];
    Object[] values = new Object[JsonObject.MAX_MEMBERS];
    int size = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (size == JsonObject.MAX_MEMBERS) {
        return readLargeObject(p, names, values, name, depth, maxDepth, what);
      }
      for (int i = 0; i < size; i++) {
        if (names[i].equals(name)) {
          throw duplicate(what);
        }
      }
      names[size] = name;
      values[size++] = read(p, depth + 1, maxDepth, what);
    }
    return new JsonObject(names, values, size);
  }

  /** Goes on with a {@code LinkedHashMap} once an object has more than {@link JsonObject#MAX_MEMBERS} members. */
  private static Object readLargeObject(JsonParser p, String[] names, Object[] values, String name, int depth,
      int maxDepth, String what) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      map.put(names[i], values[i]);
    }
    String next = name;
    while (true) {
      // values are never null (JSON null is NULL), so a non-null answer means the name came before
      if (map.put(next, read(p, depth + 1, maxDepth, what)) != null) {
        throw duplicate(what);
      }
      if (p.nextToken() != JsonToken.FIELD_NAME) {
        return Collections.unmodifiableMap(map);
      }
      next = p.currentName();
      p.nextToken();
    }
  }

  private static JwtException duplicate(String what) {
    return new JwtException(JwtException.Reason.MALFORMED, what + " has a duplicate member name");
  }

  private static Object readArray(JsonParser p, int depth, int maxDepth, String what) throws IOException {
    checkDepth(depth, maxDepth, what);
    List<Object> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      list.add(read(p, depth + 1, maxDepth, what));
    }
    return Collections.unmodifiableList(list);
  }

  private static Object readDecimal(JsonParser p) throws IOException {
    BigDecimal d = p.getDecimalValue();
    double dv = d.doubleValue();
    return Double.isFinite(dv) && new BigDecimal(dv).compareTo(d) == 0 ? (Object) dv : d;
  }

  private static void checkDepth(int depth, int maxDepth, String what) {
    if (depth > maxDepth) {
      throw new JwtException(JwtException.Reason.MALFORMED, what + " is nested deeper than " + maxDepth);
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
