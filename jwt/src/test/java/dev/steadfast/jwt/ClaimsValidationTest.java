package dev.steadfast.jwt;

import static dev.steadfast.jwt.SafeByDefaultTest.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.jwt.JwtException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimsValidationTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  final JwtKey key = TestKeys.key(JwsAlgorithm.HS256);
  final JwtSigner signer = JwtSigner.of(key);

  JwtVerifier.Builder verifier() {
    return JwtVerifier.builder().keys(List.of(key)).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .clockSkew(Duration.ofSeconds(30));
  }

  String token(Claims.Builder claims) {
    return signer.sign(claims.build());
  }

  @Test
  void expiryHonoursTheSkewExactly() {
    JwtVerifier v = verifier().build();
    assertThat(v.verify(token(Claims.builder().expiresAt(NOW.minusSeconds(29))))).isNotNull();
    refused(() -> v.verify(token(Claims.builder().expiresAt(NOW.minusSeconds(30)))), Reason.EXPIRED);
    JwtVerifier strict = verifier().clockSkew(Duration.ZERO).build();
    refused(() -> strict.verify(token(Claims.builder().expiresAt(NOW))), Reason.EXPIRED);
    assertThat(strict.verify(token(Claims.builder().expiresAt(NOW.plusSeconds(1))))).isNotNull();
  }

  @Test
  void notBeforeAndIssuedAtInTheFutureAreRefusedBeyondTheSkew() {
    JwtVerifier v = verifier().build();
    Claims.Builder base = Claims.builder().expiresAt(NOW.plusSeconds(600));
    assertThat(v.verify(token(base.notBefore(NOW.plusSeconds(30))))).isNotNull();
    refused(() -> v.verify(token(base.notBefore(NOW.plusSeconds(31)))), Reason.NOT_YET_VALID);
    Claims.Builder iat = Claims.builder().expiresAt(NOW.plusSeconds(600));
    refused(() -> v.verify(token(iat.issuedAt(NOW.plusSeconds(31)))), Reason.NOT_YET_VALID);
  }

  @Test
  void expirationIsRequiredUnlessTurnedOff() {
    refused(() -> verifier().build().verify(token(Claims.builder().subject("s"))), Reason.MISSING_CLAIM);
    assertThat(verifier().requireExpiration(false).build().verify(token(Claims.builder().subject("s")))
        .claims().subject()).isEqualTo("s");
  }

  @Test
  void issuerMustMatchExactly() {
    JwtVerifier v = verifier().issuer("https://a.example").build();
    Claims.Builder c = Claims.builder().expiresAt(NOW.plusSeconds(60));
    assertThat(v.verify(token(c.issuer("https://a.example"))).claims().issuer()).isEqualTo("https://a.example");
    refused(() -> v.verify(token(c.issuer("https://A.example"))), Reason.WRONG_ISSUER);
    refused(() -> v.verify(token(Claims.builder().expiresAt(NOW.plusSeconds(60)))), Reason.MISSING_CLAIM);
    refused(() -> v.verify(token(c.claim("iss", 5))), Reason.WRONG_ISSUER);
  }

  @Test
  void audienceMayBeAStringOrAnArray() {
    JwtVerifier v = verifier().audience("api").build();
    Claims.Builder c = Claims.builder().expiresAt(NOW.plusSeconds(60));
    assertThat(v.verify(token(c.audience("api")))).isNotNull();
    assertThat(v.verify(token(c.audience(List.of("other", "api")))).claims().audience())
        .containsExactly("other", "api");
    refused(() -> v.verify(token(c.audience(List.of("other")))), Reason.WRONG_AUDIENCE);
    refused(() -> v.verify(token(c.claim("aud", List.of(1)))), Reason.INVALID_CLAIM);
  }

  @Test
  void accessTokenTypeIsCheckedAsRfc9068Says() {
    JwtVerifier v = verifier().type("at+jwt").build();
    Claims c = Claims.builder().expiresAt(NOW.plusSeconds(60)).build();
    assertThat(v.verify(JwtSigner.builder(key).type("at+jwt").build().sign(c)).header().type()).isEqualTo("at+jwt");
    assertThat(v.verify(JwtSigner.builder(key).type("application/AT+JWT").build().sign(c))).isNotNull();
    refused(() -> v.verify(JwtSigner.of(key).sign(c)), Reason.WRONG_TYPE);
    refused(() -> v.verify(JwtSigner.builder(key).type(null).build().sign(c)), Reason.WRONG_TYPE);
  }

  @Test
  void requiredClaimsAndScopesArePresent() {
    JwtVerifier v = verifier().requireClaim("tenant").requireScope("read").build();
    Claims.Builder c = Claims.builder().expiresAt(NOW.plusSeconds(60)).claim("tenant", "t1");
    assertThat(v.verify(token(c.scopes(List.of("read", "write")))).claims().scopes())
        .containsExactly("read", "write");
    refused(() -> v.verify(token(c.scopes(List.of("write")))), Reason.INSUFFICIENT_SCOPE);
    refused(() -> v.verify(token(Claims.builder().expiresAt(NOW.plusSeconds(60)).scopes(List.of("read")))),
        Reason.MISSING_CLAIM);
    Claims.Builder scp = Claims.builder().expiresAt(NOW.plusSeconds(60)).claim("tenant", "t")
        .claim("scp", List.of("read"));
    assertThat(v.verify(token(scp))).isNotNull();
  }

  @Test
  void typedAccessReadsRegisteredAndCustomClaims() {
    Claims c = verifier().build().verify(token(Claims.builder().expiresAt(NOW.plusSeconds(60))
        .subject("u").jwtId("j").issuedAt(NOW).claim("n", 42).claim("flag", true)
        .claim("obj", Map.of("k", "v")).claim("nothing", null))).claims();
    assertThat(c.subject()).isEqualTo("u");
    assertThat(c.jwtId()).isEqualTo("j");
    assertThat(c.issuedAt()).isEqualTo(NOW);
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(60));
    assertThat(c.getLong("n")).isEqualTo(42L);
    assertThat(c.getBoolean("flag")).isTrue();
    assertThat(c.get("obj")).isEqualTo(Map.of("k", "v"));
    assertThat(c.get("nothing")).isNull();
    assertThat(c.has("nothing")).isFalse();
    assertThatThrownBy(() -> c.getString("n")).isInstanceOfSatisfying(JwtException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_CLAIM));
    assertThat(c.toString()).doesNotContain("u\"").contains("sub");
  }

  @Test
  void badConfigurationNamesTheSettingAndValue() {
    assertThatThrownBy(() -> verifier().clockSkew(Duration.ofDays(2)))
        .hasMessage("clockSkew must be between 0 and 1 day, was PT48H");
    assertThatThrownBy(() -> verifier().maxJsonDepth(0)).hasMessage("maxJsonDepth must be between 1 and 64, was 0");
    assertThatThrownBy(() -> verifier().issuer(" ")).hasMessage("issuer must not be blank, was ' '");
    assertThatThrownBy(() -> verifier().understoodCriticalHeader("exp"))
        .hasMessageContaining("understoodCriticalHeader");
    assertThatThrownBy(() -> JwtVerifier.builder().build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Claims.builder().claim("x", new Object()))
        .hasMessageStartingWith("claim 'x' must be a JSON value");
  }
}
