package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SignVerifyTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @ParameterizedTest
  @EnumSource(JwsAlgorithm.class)
  void everyAlgorithmRoundTrips(JwsAlgorithm alg) {
    JwtKey key = TestKeys.key(alg).withKeyId("k1");
    String token = JwtSigner.of(key).sign(Claims.builder().subject("s").expiresAt(NOW.plusSeconds(60)).build());
    Jwt jwt = JwtVerifier.builder().keys(List.of(key)).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()
        .verify(token);
    assertThat(jwt.header().algorithm()).isEqualTo(alg);
    assertThat(jwt.header().keyId()).isEqualTo("k1");
    assertThat(jwt.claims().subject()).isEqualTo("s");
  }

  @ParameterizedTest
  @EnumSource(value = JwsAlgorithm.class, names = {"HS256", "HS384", "HS512"}, mode = EnumSource.Mode.EXCLUDE)
  void aPublicKeyAloneVerifies(JwsAlgorithm alg) {
    JwtKey signing = TestKeys.key(alg);
    JwtKey verifying = JwtKey.verifying((java.security.PublicKey) signing.verificationKey(), alg);
    String token = JwtSigner.of(signing).sign(Claims.builder().expiresAt(NOW.plusSeconds(60)).build());
    assertThat(JwtVerifier.builder().keys(List.of(verifying)).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()
        .verify(token).claims().expiresAt()).isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  void theRfc9864NameEd25519IsAccepted() {
    assertThat(JwsAlgorithm.fromHeader("Ed25519")).isEqualTo(JwsAlgorithm.EdDSA);
  }
}
