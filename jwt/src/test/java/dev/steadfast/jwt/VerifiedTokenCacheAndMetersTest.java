package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class VerifiedTokenCacheAndMetersTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  final AtomicReference<Instant> now = new AtomicReference<>(NOW);
  final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };
  final JwtKey key = TestKeys.key(JwsAlgorithm.HS256);
  final AtomicInteger lookups = new AtomicInteger();
  final List<JwtKey> keys = new ArrayList<>(List.of(key));
  final KeySource counting = (@Nullable String kid, JwsAlgorithm alg) -> {
    lookups.incrementAndGet();
    return List.copyOf(keys);
  };

  String token(long expiresInSeconds) {
    return JwtSigner.of(key).sign(Claims.builder().subject("s").expiresAt(NOW.plusSeconds(expiresInSeconds)).build());
  }

  @Test
  void theCacheIsOffByDefault() {
    JwtVerifier verifier = JwtVerifier.builder().keys(counting).clock(clock).build();
    String token = token(60);
    verifier.verify(token);
    verifier.verify(token);
    assertThat(lookups.get()).isEqualTo(2);
  }

  @Test
  void aCachedTokenSkipsVerificationButNeverOutlivesExp() {
    JwtVerifier verifier = JwtVerifier.builder().keys(counting).clock(clock).clockSkew(Duration.ofSeconds(30))
        .cache(100, Duration.ofMinutes(10)).build();
    String token = token(60);
    verifier.verify(token);
    keys.clear(); // the key is gone: only the cache can still answer
    assertThat(verifier.verify(token).claims().subject()).isEqualTo("s");
    assertThat(lookups.get()).isEqualTo(1);
    now.set(NOW.plusSeconds(60)); // at exp: the cache no longer answers, even within the skew
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(JwtException.class,
        e -> assertThat(e.reason()).isEqualTo(JwtException.Reason.UNKNOWN_KEY));
  }

  @Test
  void cacheConfigurationIsValidated() {
    assertThatThrownBy(() -> JwtVerifier.builder().cache(0, Duration.ofMinutes(1)))
        .hasMessage("cache maxEntries must be >= 1, was 0");
    assertThatThrownBy(() -> JwtVerifier.builder().cache(1, Duration.ZERO)).hasMessage("cache ttl must be > 0, was PT0S");
  }

  @Test
  void verificationsAreCountedByOutcomeAndReason() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JwtVerifier verifier = JwtVerifier.builder().keys(List.of(key)).clock(clock).meterRegistry(registry).build();
    verifier.verify(token(60));
    assertThatThrownBy(() -> verifier.verify("a.b.c")).isInstanceOf(JwtException.class);
    assertThatThrownBy(() -> verifier.verify(token(-60))).isInstanceOf(JwtException.class);
    assertThat(registry.get("steadfast.jwt.verifications").tag("outcome", "success").counter().count()).isEqualTo(1);
    assertThat(registry.get("steadfast.jwt.verifications").tag("reason", "malformed").counter().count()).isEqualTo(1);
    assertThat(registry.get("steadfast.jwt.verifications").tag("reason", "expired").counter().count()).isEqualTo(1);
  }
}
