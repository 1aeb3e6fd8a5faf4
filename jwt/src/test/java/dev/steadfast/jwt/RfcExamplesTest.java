package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples of RFC 7515 appendix A, RFC 7520 section 4 and RFC 8037 appendix A, with a fixed clock. */
class RfcExamplesTest {
  /** RFC 7515 A.1 and A.3 share this payload; its exp is 1300819380 (2011-03-22T18:43:00Z). */
  static final Clock BEFORE_EXP = Clock.fixed(Instant.parse("2011-03-22T18:00:00Z"), ZoneOffset.UTC);
  static final Clock AFTER_EXP = Clock.fixed(Instant.parse("2011-03-22T18:44:00Z"), ZoneOffset.UTC);

  static final String A1_KEY = "{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}";
  static final String A1_TOKEN = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
      + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
      + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  static final String A3_KEY = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
      + "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";
  static final String A3_TOKEN = "eyJhbGciOiJFUzI1NiJ9"
      + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
      + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
  static final String RFC8037_KEY = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
  static final String RFC8037_TOKEN = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
      + ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
  static final String RFC7520_PAYLOAD = "It\u2019s a dangerous business, Frodo, going out your door. You step onto "
      + "the road, and if you don't keep your feet, there\u2019s no knowing where you might be swept off to.";

  /** RFC 7520 section 4.1 RSASSA-PKCS1-v1_5 (figure 13): key. */
  static final String RS256_FIGURE_13_KEY =
      "{\"kty\":\"RSA\",\"kid\":\"bilbo.baggins@hobbiton.example\",\"use\":\"sig\",\"n\":\"n4EPtA"
      + "OCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMa"
      + "JMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVf"
      + "Hd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKw"
      + "uCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw\",\"e\":\"AQAB\"}";

  /** RFC 7520 section 4.1 RSASSA-PKCS1-v1_5 (figure 13): token. */
  static final String RS256_FIGURE_13 =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ"
      + "2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCw"
      + "gYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ"
      + "2h0IGJlIHN3ZXB0IG9mZiB0by4.MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZ"
      + "opdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746i"
      + "YTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLG"
      + "djluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5"
      + "y18kDquDg";

  /** RFC 7520 section 4.2 RSASSA-PSS (figure 20): key. */
  static final String PS384_FIGURE_20_KEY =
      "{\"kty\":\"RSA\",\"kid\":\"bilbo.baggins@hobbiton.example\",\"use\":\"sig\",\"n\":\"n4EPtA"
      + "OCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMa"
      + "JMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVf"
      + "Hd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKw"
      + "uCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw\",\"e\":\"AQAB\"}";

  /** RFC 7520 section 4.2 RSASSA-PSS (figure 20): token. */
  static final String PS384_FIGURE_20 =
      "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ"
      + "2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCw"
      + "gYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ"
      + "2h0IGJlIHN3ZXB0IG9mZiB0by4.cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2Ip"
      + "N6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsd"
      + "iNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5"
      + "awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8D"
      + "YM-X72Eaw";

  /** RFC 7520 section 4.3 ECDSA P-521 (figure 27): key. */
  static final String ES512_FIGURE_27_KEY =
      "{\"kty\":\"EC\",\"kid\":\"bilbo.baggins@hobbiton.example\",\"use\":\"sig\",\"crv\":\"P-521"
      + "\",\"x\":\"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXY"
      + "gCF5cj0Kt\",\"y\":\"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJ"
      + "mbnX9cwlGfP-HqHZR1\"}";

  /** RFC 7520 section 4.3 ECDSA P-521 (figure 27): token. */
  static final String ES512_FIGURE_27 =
      "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ"
      + "2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCw"
      + "gYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ"
      + "2h0IGJlIHN3ZXB0IG9mZiB0by4.AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu"
      + "9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbE"
      + "PX6sFY8OcGDqoRuBomu9xQ2";

  /** RFC 7520 section 4.4 HMAC-SHA2 (figure 35): key. */
  static final String HS256_FIGURE_35_KEY =
      "{\"kty\":\"oct\",\"kid\":\"018c0ae5-4d9b-471b-bfd6-eef314bc7037\",\"use\":\"sig\",\"k\":\""
      + "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}";

  /** RFC 7520 section 4.4 HMAC-SHA2 (figure 35): token. */
  static final String HS256_FIGURE_35 =
      "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.SXTigJlzI"
      + "GEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGU"
      + "gcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUge"
      + "W91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";

  static JwtVerifier verifier(String jwk, Clock clock) {
    return JwtVerifier.builder().keys(List.of(Jwk.parse(jwk))).clock(clock).clockSkew(java.time.Duration.ZERO)
        .build();
  }

  @Test
  void rfc7515AppendixA1Hs256() {
    Jwt jwt = verifier(A1_KEY, BEFORE_EXP).verify(A1_TOKEN);
    assertThat(jwt.header().type()).isEqualTo("JWT");
    assertThat(jwt.claims().issuer()).isEqualTo("joe");
    assertThat(jwt.claims().expiresAt()).isEqualTo(Instant.ofEpochSecond(1300819380));
    assertThat(jwt.claims().getBoolean("http://example.com/is_root")).isTrue();
    assertThatThrownBy(() -> verifier(A1_KEY, AFTER_EXP).verify(A1_TOKEN))
        .isInstanceOfSatisfying(JwtException.class, e -> assertThat(e.reason()).isEqualTo(JwtException.Reason.EXPIRED));
  }

  @Test
  void rfc7515AppendixA3Es256() {
    assertThat(verifier(A3_KEY, BEFORE_EXP).verify(A3_TOKEN).claims().issuer()).isEqualTo("joe");
    String tampered = A3_TOKEN.substring(0, A3_TOKEN.length() - 2) + "1R";
    assertThatThrownBy(() -> verifier(A3_KEY, BEFORE_EXP).verify(tampered)).isInstanceOf(JwtException.class);
  }

  @Test
  void rfc8037AppendixA4Ed25519AndA3Thumbprint() {
    VerifiedJws jws = verifier(RFC8037_KEY, BEFORE_EXP).verifySignature(RFC8037_TOKEN);
    assertThat(new String(jws.payload(), StandardCharsets.UTF_8)).isEqualTo("Example of Ed25519 signing");
    assertThat(Jwk.thumbprint(Jwk.parse(RFC8037_KEY))).isEqualTo("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  }

  @Test
  void rfc7520Section4SignaturesVerify() {
    String[][] cases = {{RS256_FIGURE_13_KEY, RS256_FIGURE_13}, {PS384_FIGURE_20_KEY, PS384_FIGURE_20},
        {ES512_FIGURE_27_KEY, ES512_FIGURE_27}, {HS256_FIGURE_35_KEY, HS256_FIGURE_35}};
    for (String[] c : cases) {
      VerifiedJws jws = verifier(c[0], BEFORE_EXP).verifySignature(c[1]);
      assertThat(jws.header().keyId()).isNotNull();
      assertThat(new String(jws.payload(), StandardCharsets.UTF_8)).isEqualTo(RFC7520_PAYLOAD);
    }
  }

  @Test
  void rfc7638Section3Point1Thumbprint() {
    String jwk = "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhD"
        + "R1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQ"
        + "MicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_x"
        + "BniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}";
    assertThat(Jwk.thumbprint(Jwk.parse(jwk))).isEqualTo("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  }

  @Test
  void publicJwksRoundTripWithTheirThumbprints() {
    for (JwsAlgorithm alg : JwsAlgorithm.values()) {
      if (alg.isSymmetric()) {
        continue;
      }
      JwtKey key = TestKeys.key(alg).withKeyId("k");
      String json = Jwk.write(key);
      assertThat(json).doesNotContain("\"d\"");
      JwtKey back = Jwk.parse(json);
      assertThat(back.algorithms()).containsExactly(alg);
      assertThat(back.keyId()).isEqualTo("k");
      assertThat(Jwk.thumbprint(back)).isEqualTo(Jwk.thumbprint(key));
    }
    assertThatThrownBy(() -> Jwk.write(TestKeys.key(JwsAlgorithm.HS256))).isInstanceOf(IllegalArgumentException.class);
    assertThat(Jwk.parseSet(Jwk.writeSet(List.of(TestKeys.key(JwsAlgorithm.ES256).withKeyId("a"),
        TestKeys.key(JwsAlgorithm.RS256).withKeyId("b"))))).hasSize(2);
  }

  @Test
  void pemKeysImport() throws Exception {
    java.util.Base64.Encoder mime = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    String pub = "-----BEGIN PUBLIC KEY-----\n" + mime.encodeToString(TestKeys.P256.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    String priv = "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(TestKeys.P256.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    JwtKey signing = JwtKey.signing(Pem.privateKey(priv), JwsAlgorithm.ES256);
    JwtKey verifying = JwtKey.verifying(Pem.publicKey(pub), JwsAlgorithm.ES256);
    String token = JwtSigner.of(signing).sign(Claims.builder().expiresAt(Instant.parse("2011-03-22T19:00:00Z")).build());
    assertThat(JwtVerifier.builder().keys(List.of(verifying)).clock(BEFORE_EXP).build().verify(token)).isNotNull();
    assertThatThrownBy(() -> Pem.publicKey("nothing")).hasMessage("PEM must contain a PUBLIC KEY block");
  }
}
