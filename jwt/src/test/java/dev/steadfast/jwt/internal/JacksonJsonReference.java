package dev.steadfast.jwt.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.steadfast.jwt.JwtException;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Jackson-based parser that {@link JsonReader} replaced, kept as the oracle for the differential
 * properties: same limits, same value types, duplicates found with Jackson's own detection.
 */
final class JacksonJsonReference {
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(64)
          .maxNumberLength(64)
          .maxStringLength(1 << 20)
          .build())
      .build();

  private JacksonJsonReference() {}

  static Map<String, Object> parseObject(byte[] bytes, int maxDepth) {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new JwtException(JwtException.Reason.MALFORMED, "not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) read(p, 1, maxDepth);
      if (p.nextToken() != null) {
        throw new JwtException(JwtException.Reason.MALFORMED, "content after the JSON object");
      }
      return result;
    } catch (IOException | RuntimeException e) {
      if (e instanceof JwtException jwt) {
        throw jwt;
      }
      throw new JwtException(JwtException.Reason.MALFORMED, "not valid JSON");
    }
  }

  private static Object read(JsonParser p, int depth, int maxDepth) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new JwtException(JwtException.Reason.MALFORMED, "ends early");
    }
    return switch (t) {
      case START_OBJECT -> {
        checkDepth(depth, maxDepth);
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, read(p, depth + 1, maxDepth));
        }
        yield Collections.unmodifiableMap(map);
      }
      case START_ARRAY -> {
        checkDepth(depth, maxDepth);
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(read(p, depth + 1, maxDepth));
        }
        yield Collections.unmodifiableList(list);
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          ? p.getBigIntegerValue()
          : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT -> {
        BigDecimal d = p.getDecimalValue();
        double dv = d.doubleValue();
        yield Double.isFinite(dv) && new BigDecimal(dv).compareTo(d) == 0 ? (Object) dv : d;
      }
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      case VALUE_NULL -> Json.NULL;
      default -> throw new JwtException(JwtException.Reason.MALFORMED, "unexpected JSON token");
    };
  }

  private static void checkDepth(int depth, int maxDepth) {
    if (depth > maxDepth) {
      throw new JwtException(JwtException.Reason.MALFORMED, "nested too deep");
    }
  }
}
