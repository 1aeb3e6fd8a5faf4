package dev.steadfast.jwt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.jwt.JwtException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the hand-written reader reads and refuses; {@link JsonReaderProperties} compares it with Jackson. */
class JsonReaderTest {
  static final int DEPTH = 8;

  static Map<String, Object> read(String json) {
    return read(json.getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, Object> read(byte[] json) {
    return Json.parseObject(json, DEPTH, "payload");
  }

  static void refused(String json) {
    refused(json.getBytes(StandardCharsets.UTF_8));
  }

  static void refused(byte[] json) {
    assertThatThrownBy(() -> read(json)).isInstanceOfSatisfying(JwtException.class,
        e -> assertThat(e.reason()).isEqualTo(JwtException.Reason.MALFORMED));
  }

  /** "refused", or the value read; the same for both parsers when they agree. */
  static Object outcome(java.util.function.Supplier<Map<String, Object>> parse) {
    try {
      return parse.get();
    } catch (JwtException e) {
      assertThat(e.reason()).isEqualTo(JwtException.Reason.MALFORMED);
      return "refused";
    }
  }

  @Test
  void readsTheValueTypesTheClaimsNeed() {
    Map<String, Object> m = read("{\"exp\":1767225600,\"big\":99999999999999999999,\"d\":1.5,"
        + "\"x\":0.1,\"s\":\"\\u00e9\\uD83D\\uDE00\u00e9\",\"t\":true,\"n\":null,\"a\":[1,\"b\"],\"o\":{}}");
    assertThat(m.get("exp")).isEqualTo(1767225600L);
    assertThat(m.get("big")).isEqualTo(new BigInteger("99999999999999999999"));
    assertThat(m.get("d")).isEqualTo(1.5);
    assertThat(m.get("x")).isEqualTo(new BigDecimal("0.1"));
    assertThat(m.get("s")).isEqualTo("\u00e9\uD83D\uDE00\u00e9");
    assertThat(m.get("t")).isEqualTo(true);
    assertThat(m.get("n")).isSameAs(Json.NULL);
    assertThat(m.get("a")).isEqualTo(List.of(1L, "b"));
    assertThat(m.get("o")).isEqualTo(Map.of());
  }

  @Test
  void knownMemberNamesAreSharedInstances() {
    Map<String, Object> m = read("{\"exp\":1,\"iss\":\"i\",\"aud\":\"a\"}");
    assertThat(m.keySet()).containsExactly("exp", "iss", "aud");
    for (String name : m.keySet()) {
      assertThat(name).isSameAs(name.intern());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "[]", "\"a\"", "1", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
      "{\"a\":1 \"b\":2}", "{\"a\":[1,]}", "{\"a\":01}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":1e}",
      "{\"a\":NaN}", "{\"a\":Infinity}", "{'a':1}", "{a:1}", "{\"a\":1}/*c*/", "{\"a\":1}x", "{\"a\":1}{}",
      "{\"a\":tru}", "{\"a\":nulll}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}",
      "{\"a\":\"\\u\u0000041\"}",
      "{\"a\":\"\t\"}", "{\"a\":\"\u0000\"}", "{\"a\":\"b}", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}"})
  void refusesWhatIsNotOneStrictJsonObject(String json) {
    refused(json);
  }

  @Test
  void refusesDuplicatesInObjectsOfAnySize() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < 40; i++) {
      sb.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":").append(i);
    }
    assertThat(read(sb + "}")).hasSize(40);
    for (int dup : new int[] {0, 7, 8, 15, 16, 39}) {
      refused(sb + ",\"m" + dup + "\":1}");
    }
  }

  @Test
  void refusesDuplicatesOfKnownNamesWrittenWithEscapes() {
    refused("{\"exp\":1,\"\\u0065xp\":2}");
    refused("{\"\\u0065xp\":1,\"exp\":2}");
    refused("{\"\\u0065xp\":1,\"e\\u0078p\":2}");
    refused("{\"access_token\":1,\"access\\u005ftoken\":2}");
    refused("{\"custom\":1,\"cust\\u006fm\":2}");
    assertThat(read("{\"\\u0065xp\":1}").keySet().iterator().next()).isSameAs("exp");
  }

  @Test
  void refusesNestingDeeperThanTheLimit() {
    assertThat(read("{\"a\":" + "[".repeat(DEPTH - 1) + "]".repeat(DEPTH - 1) + "}")).hasSize(1);
    refused("{\"a\":" + "[".repeat(DEPTH) + "]".repeat(DEPTH) + "}");
    refused("{\"a\":" + "{\"a\":".repeat(DEPTH) + "1" + "}".repeat(DEPTH) + "}");
    // the callers' depths never exceed Jackson's old limit of 64
    byte[] deep = ("{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Json.parseObject(deep, 1000, "x")).isInstanceOf(JwtException.class);
  }

  @Test
  void refusesOverlongStringsNamesAndNumbers() {
    assertThat(read("{\"a\":\"" + "x".repeat(JsonReader.MAX_STRING_LENGTH) + "\"}")).hasSize(1);
    refused("{\"a\":\"" + "x".repeat(JsonReader.MAX_STRING_LENGTH + 1) + "\"}");
    refused("{\"a\":\"\\n" + "x".repeat(JsonReader.MAX_STRING_LENGTH) + "\"}");
    refused("{\"" + "x".repeat(JsonReader.MAX_NAME_LENGTH + 1) + "\":1}");
    assertThat(read("{\"a\":" + "9".repeat(64) + "}").get("a")).isInstanceOf(BigInteger.class);
    refused("{\"a\":" + "9".repeat(65) + "}");
    refused("{\"a\":1." + "0".repeat(70) + "}");
  }

  @Test
  void refusesAByteOrderMarkAndMalformedUtf8() {
    byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'};
    refused(bom);
    refused(new byte[] {0, '{', 0, '}'});
    for (byte[] bad : List.of(
        new byte[] {(byte) 0xc0, (byte) 0xaf}, // overlong '/'
        new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, // overlong '/'
        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate
        new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
        new byte[] {(byte) 0x80}, new byte[] {(byte) 0xc3}, new byte[] {(byte) 0xff})) {
      byte[] json = new byte[bad.length + 8];
      byte[] head = "{\"a\":\"".getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(head, 0, json, 0, head.length);
      System.arraycopy(bad, 0, json, head.length, bad.length);
      json[head.length + bad.length] = '"';
      json[head.length + bad.length + 1] = '}';
      refused(json);
    }
  }

  @Test
  void readsARangeOfALargerArray() {
    byte[] bytes = "xx{\"exp\":1}yy".getBytes(StandardCharsets.US_ASCII);
    assertThat(Json.parseObject(bytes, 2, bytes.length - 2, DEPTH, "payload")).containsEntry("exp", 1L);
  }
}
