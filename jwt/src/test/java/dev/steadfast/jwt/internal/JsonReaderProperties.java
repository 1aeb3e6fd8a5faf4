package dev.steadfast.jwt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The hand-written reader against the Jackson setup it replaced ({@link JacksonJsonReference}): it accepts
 * nothing Jackson refused and reads the same values.
 */
class JsonReaderProperties {
  private static final List<String> FRAGMENTS = List.of("{", "}", "[", "]", ",", ":", " ", "\n", "\t", "\"a\"",
      "\"b\"", "\"exp\"", "\"alg\"", "\"", "\\", "\"\\u0041\"", "\"\\ud800\"", "\"\\uD83D\\uDE00\"", "\"\\x\"",
      "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"", "\"\t\"", "\"\u007f\"", "0", "1", "-0", "01", "-", "+1", ".5", "1.", "1.5",
      "1e5", "1E+2", "2e-3", "1.0", "0.1", "1e400", "-1e-400", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "123456789012345678", "1234567890123456789", "true", "false", "null", "nul",
      "tru", "truex", "NaN", "Infinity", "'a'", "/", "/*c*/", "x");

  @Provide
  Arbitrary<String> jsonShapedText() {
    return Arbitraries.of(FRAGMENTS).list().ofMinSize(1).ofMaxSize(24)
        .map(parts -> String.join("", parts))
        .flatMap(s -> Arbitraries.of("{" + s, "{\"a\":" + s, "{\"a\":" + s + "}", s, "{\"a\":[" + s + "]}"));
  }

  @Property(tries = 10_000)
  void agreesWithJacksonOnJsonShapedAsciiText(@ForAll("jsonShapedText") String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    assertThat(JsonReaderTest.outcome(() -> JsonReaderTest.read(bytes)))
        .isEqualTo(JsonReaderTest.outcome(() -> JacksonJsonReference.parseObject(bytes, JsonReaderTest.DEPTH)));
  }

  @Provide
  Arbitrary<Object> jsonValues() {
    Arbitrary<Object> scalars = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.bigIntegers().between(BigInteger.ONE.shiftLeft(70).negate(), BigInteger.ONE.shiftLeft(70))
            .map(b -> (Object) b),
        Arbitraries.of(true, false, Json.NULL));
    return Arbitraries.recursive(() -> scalars,
        inner -> Arbitraries.oneOf(
            inner.list().ofMaxSize(4).map(l -> (Object) l),
            Arbitraries.maps(Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(6),
                    Arbitraries.of("exp", "iss", "alg", "kid")), inner)
                .ofMaxSize(20).map(m -> (Object) m)),
        0, 4);
  }

  /** Any object Jackson writes (unicode, escapes, big numbers, more than 16 members) reads back the same way. */
  @Property(tries = 3000)
  void readsWhatJacksonReadsFromWrittenJson(@ForAll("jsonValues") Object value) {
    byte[] bytes = Json.write(Map.of("v", value));
    Object expected = JsonReaderTest.outcome(() -> JacksonJsonReference.parseObject(bytes, JsonReaderTest.DEPTH));
    assertThat(expected).isNotEqualTo("refused");
    assertThat(JsonReaderTest.outcome(() -> JsonReaderTest.read(bytes))).isEqualTo(expected);
  }

  /** On arbitrary bytes (so any UTF-8, valid or not) it may refuse more than Jackson, never less. */
  @Property(tries = 5000)
  void acceptsNothingJacksonRefusedOnArbitraryBytes(@ForAll("jsonShapedText") String text,
      @ForAll byte noise, @ForAll @IntRange(max = 1000) int where) {
    byte[] base = text.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[base.length + 1];
    int at = where % bytes.length;
    System.arraycopy(base, 0, bytes, 0, at);
    bytes[at] = noise;
    System.arraycopy(base, at, bytes, at + 1, base.length - at);
    Object ours = JsonReaderTest.outcome(() -> JsonReaderTest.read(bytes));
    if (!"refused".equals(ours)) {
      assertThat(JsonReaderTest.outcome(() -> JacksonJsonReference.parseObject(bytes, JsonReaderTest.DEPTH))).isEqualTo(ours);
    }
  }
}
