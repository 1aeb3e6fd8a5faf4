package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The code shown in docs/jwt.md. */
class DocsExampleTest {
  @Test
  void signAndVerifyAsTheGuideShows() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    Clock clock = Clock.systemUTC();
    Instant now = clock.instant();

    // tag::sign-and-verify[]
    JwtKey key = JwtKey.signing(pair, JwsAlgorithm.ES256).withKeyId("2026-01");
    String token = JwtSigner.builder(key).type("at+jwt").build().sign(Claims.builder()
        .issuer("https://issuer.example")
        .audience("orders-api")
        .subject("user-42")
        .scopes(List.of("orders:read"))
        .issuedAt(now)
        .expiresAt(now.plus(Duration.ofMinutes(5)))
        .build());

    JwtVerifier verifier = JwtVerifier.builder()
        .keys(Jwk.parseSet(Jwk.writeSet(List.of(key)))) // or a fixed List<JwtKey>
        .issuer("https://issuer.example")
        .audience("orders-api")
        .type("at+jwt")
        .requireScope("orders:read")
        .clock(clock)
        .clockSkew(Duration.ofSeconds(30))
        .build();
    String user;
    try {
      user = verifier.verify(token).claims().subject();
    } catch (JwtException e) {
      // e.reason() is MALFORMED, BAD_SIGNATURE, EXPIRED, WRONG_AUDIENCE, ...: map it to a 401 and a metric.
      throw e;
    }
    // end::sign-and-verify[]
    assertThat(user).isEqualTo("user-42");
  }
}
