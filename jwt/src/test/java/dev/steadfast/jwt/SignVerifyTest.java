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

  /**
   * The expected MAC is written into a per-thread buffer: threads verifying good and forged tokens of all
   * three HMAC sizes at once must each get their own answer, every time.
   */
  @Test
  void hmacVerificationOnManyThreadsGivesEachTokenItsOwnAnswer() throws Exception {
    List<JwtKey> keys = List.of(TestKeys.key(JwsAlgorithm.HS256), TestKeys.key(JwsAlgorithm.HS384),
        TestKeys.key(JwsAlgorithm.HS512));
    JwtVerifier verifier = JwtVerifier.builder().keys(keys).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    List<String> good = new java.util.ArrayList<>();
    List<String> forged = new java.util.ArrayList<>();
    for (JwtKey key : keys) {
      for (int i = 0; i < 3; i++) {
        String token = JwtSigner.of(key).sign(Claims.builder().subject("s" + i).expiresAt(NOW.plusSeconds(60))
            .build());
        good.add(token);
        // the signature of another subject's token: a valid MAC, of other input
        String other = JwtSigner.of(key).sign(Claims.builder().subject("x" + i).expiresAt(NOW.plusSeconds(60))
            .build());
        forged.add(token.substring(0, token.lastIndexOf('.')) + other.substring(other.lastIndexOf('.')));
      }
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        results.add(pool.submit(() -> {
          int wrong = 0;
          for (int i = 0; i < 2000; i++) {
            int k = (i + offset) % good.size();
            if (!verifier.verify(good.get(k)).claims().subject().equals("s" + (k % 3))) {
              wrong++;
            }
            try {
              verifier.verify(forged.get(k));
              wrong++;
            } catch (JwtException e) {
              if (e.reason() != JwtException.Reason.BAD_SIGNATURE) {
                wrong++;
              }
            }
          }
          return wrong;
        }));
      }
      for (java.util.concurrent.Future<Integer> r : results) {
        assertThat(r.get()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theRfc9864NameEd25519IsAccepted() {
    assertThat(JwsAlgorithm.fromHeader("Ed25519")).isEqualTo(JwsAlgorithm.EdDSA);
  }
}
