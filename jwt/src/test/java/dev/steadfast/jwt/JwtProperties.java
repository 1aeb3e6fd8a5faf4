package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.jwt.internal.Base64Url;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class JwtProperties {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  static JwtVerifier verifierFor(JwsAlgorithm alg) {
    return JwtVerifier.builder().keys(List.of(TestKeys.key(alg))).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
  }

  static final JwtVerifier ALL = JwtVerifier.builder()
      .keys(List.of(JwsAlgorithm.values()).stream().map(TestKeys::key).toList())
      .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();

  @Property(tries = 200)
  void everyAlgorithmRoundTripsAnyClaims(@ForAll JwsAlgorithm alg, @ForAll @StringLength(max = 40) String subject,
      @ForAll long number, @ForAll @Size(max = 4) List<@StringLength(max = 10) String> audience) {
    Claims claims = Claims.builder().subject(subject).claim("n", number).audience(audience)
        .expiresAt(NOW.plusSeconds(60)).build();
    Jwt jwt = verifierFor(alg).verify(JwtSigner.of(TestKeys.key(alg)).sign(claims));
    assertThat(jwt.claims()).isEqualTo(claims);
    assertThat(jwt.header().algorithm()).isEqualTo(alg);
  }

  @Provide
  Arbitrary<String> signedTokens() {
    return Arbitraries.of(JwsAlgorithm.values()).map(alg -> JwtSigner.of(TestKeys.key(alg))
        .sign(Claims.builder().subject("s").expiresAt(NOW.plusSeconds(60)).build()));
  }

  @Property(tries = 2000)
  void anySingleBitChangeIsRejected(@ForAll("signedTokens") String token, @ForAll @IntRange(max = 100_000) int where,
      @ForAll @IntRange(max = 6) int bit) {
    assertThat(ALL.verify(token)).isNotNull();
    char[] chars = token.toCharArray();
    int i = where % chars.length;
    chars[i] = (char) (chars[i] ^ (1 << bit));
    String changed = new String(chars);
    assertThatThrownBy(() -> ALL.verify(changed)).isInstanceOf(JwtException.class);
  }

  /** The verifier's byte decoder accepts exactly what the string decoder accepts, with the same bytes. */
  @Property(tries = 3000)
  void byteAndStringBase64UrlDecodersAgree(
      @ForAll @StringLength(max = 24) @CharRange(from = ' ', to = '~') String text) {
    String fromString = outcome(() -> Base64Url.decode(text, "x"));
    String fromBytes = outcome(() -> Base64Url.decode(text.getBytes(StandardCharsets.US_ASCII), 0, text.length(), "x"));
    assertThat(fromBytes).isEqualTo(fromString);
  }

  /** The same from the length on which the byte decoder hands segments to the JDK decoder. */
  @Property(tries = 3000)
  void byteAndStringBase64UrlDecodersAgreeOnLongSegments(@ForAll("longBase64UrlLike") String text) {
    String fromString = outcome(() -> Base64Url.decode(text, "x"));
    String fromBytes = outcome(() -> Base64Url.decode(text.getBytes(StandardCharsets.US_ASCII), 0, text.length(), "x"));
    assertThat(fromBytes).isEqualTo(fromString);
  }

  /** Mostly valid base64url of 60-200 characters, with padding, foreign characters and wrong lengths mixed in. */
  @Provide
  Arbitrary<String> longBase64UrlLike() {
    Arbitrary<Character> alphabet = Arbitraries.of(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars().mapToObj(c -> (char) c).toList());
    Arbitrary<String> valid = alphabet.list().ofMinSize(60).ofMaxSize(200)
        .map(l -> l.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining()));
    Arbitrary<String> foreign = Arbitraries.of("=", "==", "+", "/", " ", "\n", "?", "\u00e9", "A");
    return Combinators.combine(valid, foreign, Arbitraries.integers().between(0, 199),
        Arbitraries.integers().between(0, 3))
        .as((v, f, at, mode) -> switch (mode) {
          case 0 -> v;
          case 1 -> v.substring(0, Math.min(at, v.length())) + f + v.substring(Math.min(at, v.length()));
          case 2 -> v + f;
          default -> v.substring(0, v.length() - 1) + f;
        });
  }

  private static String outcome(java.util.function.Supplier<byte[]> decode) {
    try {
      return java.util.HexFormat.of().formatHex(decode.get());
    } catch (JwtException e) {
      return "refused: " + e.reason();
    }
  }

  @Property(tries = 1000)
  void byteBase64UrlDecoderRoundTripsTheEncoder(@ForAll byte[] bytes) {
    byte[] encoded = Base64Url.encode(bytes).getBytes(StandardCharsets.US_ASCII);
    assertThat(Base64Url.decode(encoded, 0, encoded.length, "x")).isEqualTo(bytes);
  }

  @Property(tries = 2000)
  void randomBytesOnlyEverRaiseTheLibrarysException(@ForAll byte[] bytes) {
    String token = new String(bytes, StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> ALL.verify(token)).isInstanceOf(JwtException.class);
  }

  @Property(tries = 2000)
  void randomTokenShapedTextOnlyEverRaisesTheLibrarysException(
      @ForAll @StringLength(max = 60) String a, @ForAll @StringLength(max = 60) String b,
      @ForAll @StringLength(max = 90) String c) {
    String token = TestKeys.b64(a) + "." + TestKeys.b64(b) + "." + c;
    assertThatThrownBy(() -> ALL.verify(token)).isInstanceOf(JwtException.class);
  }

  @Provide
  Arbitrary<String> json() {
    Arbitrary<String> scalar = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(8).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.doubles().map(String::valueOf),
        Arbitraries.of("true", "false", "null", "1e400", "-0", "[]", "{}", "[[[[[[[[[[1]]]]]]]]]]"));
    Arbitrary<String> member = Combinators.combine(
        Arbitraries.of("alg", "kid", "typ", "crit", "exp", "nbf", "iat", "aud", "iss", "zip", "jku", "b64", "x"),
        scalar).as((k, v) -> "\"" + k + "\":" + v);
    return member.list().ofMaxSize(6).map(ms -> "{" + String.join(",", ms) + "}");
  }

  @Property(tries = 2000)
  void randomJsonSignedCorrectlyOnlyEverRaisesTheLibrarysException(@ForAll("json") String header,
      @ForAll("json") String payload) {
    String token = TestKeys.hs256(header.replaceFirst("\\{", "{\"alg\":\"HS256\","), payload);
    try {
      ALL.verify(token);
    } catch (JwtException expected) {
      // the only exception allowed
    }
  }
}
