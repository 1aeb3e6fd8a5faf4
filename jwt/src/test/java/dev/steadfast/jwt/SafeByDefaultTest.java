package dev.steadfast.jwt;

import static dev.steadfast.jwt.TestKeys.b64;
import static dev.steadfast.jwt.TestKeys.hs256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.jwt.JwtException.Reason;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every safe-by-default rejection the issue lists, one test each. */
class SafeByDefaultTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final String OK_PAYLOAD = "{\"sub\":\"a\",\"exp\":" + (NOW.getEpochSecond() + 60) + "}";
  static final String OK_HEADER = "{\"alg\":\"HS256\"}";

  final JwtVerifier verifier = JwtVerifier.builder()
      .keys(List.of(TestKeys.key(JwsAlgorithm.HS256), TestKeys.key(JwsAlgorithm.RS256),
          TestKeys.key(JwsAlgorithm.ES256)))
      .clock(Clock.fixed(NOW, ZoneOffset.UTC))
      .build();

  static void refused(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call).isInstanceOfSatisfying(JwtException.class,
        e -> assertThat(e.reason()).isEqualTo(reason));
  }

  @Test
  void aWellFormedTokenIsAccepted() {
    assertThat(verifier.verify(hs256(OK_HEADER, OK_PAYLOAD)).claims().subject()).isEqualTo("a");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void algNoneIsRefusedInAnyCasing(String alg) {
    String header = b64("{\"alg\":\"" + alg + "\"}");
    refused(() -> verifier.verify(header + "." + b64(OK_PAYLOAD) + "."), Reason.DISALLOWED_ALGORITHM);
    refused(() -> verifier.verify(header + "." + b64(OK_PAYLOAD) + ".AAAA"), Reason.DISALLOWED_ALGORITHM);
  }

  @Test
  void hmacWithAnRsaPublicKeyAsSecretIsRefused() throws Exception {
    // The attacker signs with HS256 using the encoded RSA public key as the secret.
    byte[] publicKeyBytes = TestKeys.RSA.getPublic().getEncoded();
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(publicKeyBytes, "HmacSHA256"));
    String input = b64("{\"alg\":\"HS256\"}") + "." + b64(OK_PAYLOAD);
    String token = input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    JwtVerifier rsaOnly = JwtVerifier.builder().keys(List.of(JwtKey.verifying(TestKeys.RSA.getPublic(),
        JwsAlgorithm.RS256))).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    refused(() -> rsaOnly.verify(token), Reason.UNKNOWN_KEY);
    JwtVerifier restricted = JwtVerifier.builder().keys(List.of(JwtKey.verifying(TestKeys.RSA.getPublic(),
        JwsAlgorithm.RS256))).algorithms(JwsAlgorithm.RS256).build();
    refused(() -> restricted.verify(token), Reason.DISALLOWED_ALGORITHM);
    assertThatThrownBy(() -> JwtKey.verifying(TestKeys.RSA.getPublic(), JwsAlgorithm.HS256))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JwtKey.verifying(TestKeys.P256.getPublic(), JwsAlgorithm.HS256))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aKeyIsOnlyUsedWithTheAlgorithmsItIsBoundTo() {
    String rs384 = JwtSigner.of(JwtKey.signing(TestKeys.RSA, JwsAlgorithm.RS384))
        .sign(Claims.builder().expiresAt(NOW.plusSeconds(60)).build());
    refused(() -> verifier.verify(rs384), Reason.UNKNOWN_KEY);
  }

  private String es256(byte[] signature) {
    String input = b64("{\"alg\":\"ES256\"}") + "." + b64(OK_PAYLOAD);
    return input + "." + b64(signature);
  }

  @Test
  void ecdsaSignaturesWithROrSOutOfRangeAreRefused() {
    BigInteger n = ((ECPublicKey) TestKeys.P256.getPublic()).getParams().getOrder();
    BigInteger[] bad = {BigInteger.ZERO, n, n.add(BigInteger.ONE)};
    for (BigInteger r : bad) {
      for (BigInteger s : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, n}) {
        byte[] sig = new byte[64];
        put(sig, 0, r);
        put(sig, 32, s);
        refused(() -> verifier.verify(es256(sig)), Reason.BAD_SIGNATURE);
      }
    }
    byte[] zeros = new byte[64];
    refused(() -> verifier.verify(es256(zeros)), Reason.BAD_SIGNATURE);
  }

  private static void put(byte[] sig, int offset, BigInteger v) {
    byte[] b = v.toByteArray();
    int len = Math.min(b.length, 32);
    System.arraycopy(b, b.length - len, sig, offset + 32 - len, len);
    if (v.bitLength() > 256) {
      Arrays.fill(sig, offset, offset + 32, (byte) 0xff);
    }
  }

  @Test
  void ecdsaSignaturesInDerFormOrOfTheWrongLengthAreRefused() throws Exception {
    String input = b64("{\"alg\":\"ES256\"}") + "." + b64(OK_PAYLOAD);
    Signature der = Signature.getInstance("SHA256withECDSA");
    der.initSign(TestKeys.P256.getPrivate());
    der.update(input.getBytes(StandardCharsets.US_ASCII));
    byte[] derSig = der.sign();
    refused(() -> verifier.verify(input + "." + b64(derSig)), Reason.BAD_SIGNATURE);
    Signature p1363 = Signature.getInstance("SHA256withECDSAinP1363Format");
    p1363.initSign(TestKeys.P256.getPrivate());
    p1363.update(input.getBytes(StandardCharsets.US_ASCII));
    byte[] good = p1363.sign();
    assertThat(verifier.verify(input + "." + b64(good)).claims().subject()).isEqualTo("a");
    byte[] longer = Arrays.copyOf(good, 65);
    refused(() -> verifier.verify(input + "." + b64(longer)), Reason.BAD_SIGNATURE);
    byte[] shorter = Arrays.copyOf(good, 63);
    refused(() -> verifier.verify(input + "." + b64(shorter)), Reason.BAD_SIGNATURE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jku", "x5u", "jwk"})
  void keyUrlAndEmbeddedKeyHeadersAreRefused(String name) {
    String value = name.equals("jwk") ? "{\"kty\":\"oct\",\"k\":\"AAAA\"}" : "\"https://attacker.example/k\"";
    refused(() -> verifier.verify(hs256("{\"alg\":\"HS256\",\"" + name + "\":" + value + "}", OK_PAYLOAD)),
        Reason.UNSUPPORTED_HEADER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"ext\"", "[\"exp\"]", "[\"alg\"]", "[\"kid\"]", "[\"unknown\"]", "[\"b64\"]",
      "[1]", "[\"ext\",\"ext\"]"})
  void badCritIsRefused(String crit) {
    refused(() -> verifier.verify(hs256("{\"alg\":\"HS256\",\"ext\":1,\"b64\":true,\"crit\":" + crit + "}",
        OK_PAYLOAD)), Reason.UNSUPPORTED_HEADER);
  }

  @Test
  void critWithB64FalseIsRefused() {
    refused(() -> verifier.verify(hs256("{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}", OK_PAYLOAD)),
        Reason.UNSUPPORTED_HEADER);
    refused(() -> verifier.verify(hs256("{\"alg\":\"HS256\",\"b64\":false}", OK_PAYLOAD)),
        Reason.UNSUPPORTED_HEADER);
  }

  @Test
  void critNamingAnUnderstoodExtensionIsAccepted() {
    JwtVerifier understands = JwtVerifier.builder().keys(List.of(TestKeys.key(JwsAlgorithm.HS256)))
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).understoodCriticalHeader("ext").build();
    String token = hs256("{\"alg\":\"HS256\",\"ext\":1,\"crit\":[\"ext\"]}", OK_PAYLOAD);
    assertThat(understands.verify(token).header().get("ext")).isEqualTo(1L);
    refused(() -> verifier.verify(token), Reason.UNSUPPORTED_HEADER);
  }

  @Test
  void aHeaderAcceptedBeforeDoesNotLetAnotherHeaderOrSignaturePass() {
    String good = hs256(OK_HEADER, OK_PAYLOAD);
    assertThat(verifier.verify(good)).isNotNull();
    assertThat(verifier.verify(good)).isNotNull();
    // Same length as the cached header segment, different content.
    String noneHeader = b64("{\"alg\":\"none\"}");
    String other = noneHeader + good.substring(good.indexOf('.'));
    refused(() -> verifier.verify(other), Reason.DISALLOWED_ALGORITHM);
    String badSignature = good.substring(0, good.lastIndexOf('.') + 1) + "A".repeat(43);
    refused(() -> verifier.verify(badSignature), Reason.BAD_SIGNATURE);
    assertThat(verifier.verify(good)).isNotNull();
  }

  @Test
  void zipOnAJwsIsRefused() {
    refused(() -> verifier.verify(hs256("{\"alg\":\"HS256\",\"zip\":\"DEF\"}", OK_PAYLOAD)),
        Reason.UNSUPPORTED_HEADER);
  }

  @Test
  void duplicateMemberNamesAreRefused() {
    refused(() -> verifier.verify(hs256("{\"alg\":\"HS256\",\"alg\":\"HS256\"}", OK_PAYLOAD)),
        Reason.MALFORMED);
    refused(() -> verifier.verify(hs256(OK_HEADER, "{\"sub\":\"a\",\"sub\":\"b\",\"exp\":9999999999}")),
        Reason.MALFORMED);
    refused(() -> verifier.verify(hs256(OK_HEADER, "{\"exp\":9999999999,\"x\":{\"a\":1,\"a\":2}}")),
        Reason.MALFORMED);
  }

  @Test
  void duplicateMemberNamesAreRefusedInObjectsWithManyMembersToo() {
    StringBuilder many = new StringBuilder("{\"exp\":" + (NOW.getEpochSecond() + 60));
    for (int i = 0; i < 30; i++) {
      many.append(",\"c").append(i).append("\":").append(i);
    }
    Jwt jwt = verifier.verify(hs256(OK_HEADER, many + "}"));
    assertThat(jwt.claims().names()).hasSize(31);
    assertThat(jwt.claims().getLong("c29")).isEqualTo(29L);
    assertThat(jwt.claims().getLong("c3")).isEqualTo(3L);
    refused(() -> verifier.verify(hs256(OK_HEADER, many + ",\"c29\":1}")), Reason.MALFORMED);
    refused(() -> verifier.verify(hs256(OK_HEADER, many + ",\"c3\":1}")), Reason.MALFORMED);
    refused(() -> verifier.verify(hs256(OK_HEADER, many + ",\"exp\":1}")), Reason.MALFORMED);
  }

  @Test
  void oversizedHeadersTokensAndDeepJsonAreRefused() {
    String bigHeader = "{\"alg\":\"HS256\",\"pad\":\"" + "x".repeat(3000) + "\"}";
    refused(() -> verifier.verify(hs256(bigHeader, OK_PAYLOAD)), Reason.MALFORMED);
    String bigPayload = "{\"exp\":9999999999,\"pad\":\"" + "x".repeat(20_000) + "\"}";
    refused(() -> verifier.verify(hs256(OK_HEADER, bigPayload)), Reason.MALFORMED);
    String deep = "{\"exp\":9999999999,\"d\":" + "[".repeat(20) + "]".repeat(20) + "}";
    refused(() -> verifier.verify(hs256(OK_HEADER, deep)), Reason.MALFORMED);
    String shallow = "{\"exp\":9999999999,\"d\":" + "[".repeat(6) + "]".repeat(6) + "}";
    assertThat(verifier.verify(hs256(OK_HEADER, shallow)).claims().has("d")).isTrue();
  }

  @Test
  void nonCanonicalBase64UrlIsRefused() {
    String token = hs256(OK_HEADER, OK_PAYLOAD);
    int dot1 = token.indexOf('.');
    int dot2 = token.lastIndexOf('.');
    String h = token.substring(0, dot1);
    String p = token.substring(dot1 + 1, dot2);
    String s = token.substring(dot2 + 1);
    List<String> variants = List.of(
        h + "=." + p + "." + s,
        h + "." + p + "." + s + "=",
        h + "." + p + "." + s + "==",
        h + "." + p + " ." + s,
        " " + token,
        token + "\n",
        h + "." + p + "." + s.replace('-', '+').replace('_', '/') + (s.contains("-") || s.contains("_") ? "" : "+"),
        h + "." + p + "." + s + ".",
        h + "." + p + "." + s + ".e30",
        h + ".." + p + "." + s);
    for (String v : variants) {
      assertThatThrownBy(() -> verifier.verify(v)).isInstanceOf(JwtException.class);
    }
    // 43 characters for 32 bytes leave two unused bits; setting them changes the text, not the bytes.
    char last = s.charAt(s.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    refused(() -> verifier.verify(h + "." + p + "." + s.substring(0, s.length() - 1) + sibling), Reason.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"1767225600\"", "true", "null", "[1]", "{}", "-1", "-0.5", "1e300",
      "9223372036854775807", "99999999999999999999", "253402300800"})
  void numericDatesThatAreNotNumbersNegativeOrOverflowingAreRefused(String value) {
    for (String claim : List.of("exp", "nbf", "iat")) {
      String payload = claim.equals("exp") ? "{\"exp\":" + value + "}"
          : "{\"exp\":" + (NOW.getEpochSecond() + 60) + ",\"" + claim + "\":" + value + "}";
      if (value.equals("null") && claim.equals("exp")) {
        refused(() -> verifier.verify(hs256(OK_HEADER, payload)), Reason.MISSING_CLAIM);
      } else if (value.equals("null")) {
        assertThat(verifier.verify(hs256(OK_HEADER, payload))).isNotNull();
      } else {
        refused(() -> verifier.verify(hs256(OK_HEADER, payload)), Reason.INVALID_CLAIM);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 31})
  void hmacSecretsShorterThanTheHashAreRefusedAtConfiguration(int length) {
    assertThatThrownBy(() -> JwtKey.hmac(new byte[length], JwsAlgorithm.HS256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("HMAC secret length must be >= 32 bytes for HS256, was " + length);
    assertThatThrownBy(() -> JwtKey.hmac(new byte[47], JwsAlgorithm.HS384))
        .hasMessageContaining(">= 48");
    assertThatThrownBy(() -> JwtKey.hmac(new byte[63], JwsAlgorithm.HS512))
        .hasMessageContaining(">= 64");
  }

  @Test
  void rsaKeysUnder2048BitsAreRefusedAtConfiguration() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    var pair = g.generateKeyPair();
    assertThatThrownBy(() -> JwtKey.verifying(pair.getPublic(), JwsAlgorithm.RS256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RSA key size must be >= 2048 bits, was 1024");
    assertThatThrownBy(() -> JwtKey.signing(pair, JwsAlgorithm.PS256))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ecKeysOnTheWrongCurveAreRefused() {
    assertThatThrownBy(() -> JwtKey.verifying(TestKeys.P384.getPublic(), JwsAlgorithm.ES256))
        .hasMessage("EC curve size must be 256 bits for ES256, was 384");
  }

  @Test
  void kidIsOnlyALookupKey() {
    JwtKey a = JwtKey.hmac(TestKeys.SECRET_64, JwsAlgorithm.HS512).withKeyId("a");
    JwtVerifier byKid = JwtVerifier.builder().keys(List.of(a)).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    String token = JwtSigner.of(a).sign(Claims.builder().expiresAt(NOW.plusSeconds(5)).build());
    assertThat(byKid.verify(token).header().keyId()).isEqualTo("a");
    String other = JwtSigner.of(a.withKeyId("../../etc/passwd"))
        .sign(Claims.builder().expiresAt(NOW.plusSeconds(5)).build());
    refused(() -> byKid.verify(other), Reason.UNKNOWN_KEY);
    refused(() -> byKid.verify(hs256("{\"alg\":\"HS512\",\"kid\":{\"url\":\"x\"}}", OK_PAYLOAD)),
        Reason.MALFORMED);
  }

  @Test
  void messagesNeverContainTheTokenOrItsParts() {
    String token = hs256(OK_HEADER, "{\"exp\":1,\"sub\":\"secret-subject\"}");
    assertThatThrownBy(() -> verifier.verify(token)).satisfies(e -> {
      for (String part : token.split("\\.")) {
        assertThat(e.getMessage()).doesNotContain(part);
      }
      assertThat(e.getMessage()).doesNotContain("secret-subject");
    });
    assertThatThrownBy(() -> verifier.verify("not a token {\"secret\"}"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
  }
}
