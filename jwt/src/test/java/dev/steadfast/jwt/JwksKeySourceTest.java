package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.steadfast.core.spi.VirtualTime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwksKeySourceTest {
  final JwtKey key = TestKeys.key(JwsAlgorithm.ES256).withKeyId("k1");
  final AtomicReference<String> body = new AtomicReference<>(Jwk.writeSet(List.of(key)));
  final AtomicInteger status = new AtomicInteger(200);
  final AtomicInteger requests = new AtomicInteger();
  final VirtualTime time = new VirtualTime();
  HttpServer server;
  URI uri;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/jwks", exchange -> {
      requests.incrementAndGet();
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  JwksKeySource.Builder source() {
    return JwksKeySource.builder(uri).allowInsecureHttp().timeSource(time)
        .refreshAhead(Duration.ofMinutes(4)).refreshInterval(Duration.ofMinutes(5))
        .staleIfError(Duration.ofMinutes(10)).unknownKidCooldown(Duration.ofSeconds(30));
  }

  String token(JwtKey k) {
    return JwtSigner.of(k).sign(Claims.builder().expiresAt(java.time.Instant.now().plusSeconds(600)).build());
  }

  @Test
  void verifiesWithFetchedKeysAndFetchesOnce() {
    JwksKeySource jwks = source().build();
    JwtVerifier verifier = JwtVerifier.builder().keys(jwks).build();
    for (int i = 0; i < 5; i++) {
      assertThat(verifier.verify(token(key)).header().keyId()).isEqualTo("k1");
    }
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void aFloodOfUnknownKidsFetchesAtMostOncePerCooldown() {
    JwksKeySource jwks = source().build();
    JwtVerifier verifier = JwtVerifier.builder().keys(jwks).build();
    verifier.verify(token(key));
    for (int i = 0; i < 100; i++) {
      String random = token(key.withKeyId(UUID.randomUUID().toString()));
      assertThatThrownBy(() -> verifier.verify(random)).isInstanceOfSatisfying(JwtException.class,
          e -> assertThat(e.reason()).isEqualTo(JwtException.Reason.UNKNOWN_KEY));
    }
    assertThat(requests.get()).isEqualTo(2);
    time.advance(Duration.ofSeconds(30));
    assertThatThrownBy(() -> verifier.verify(token(key.withKeyId("new")))).isInstanceOf(JwtException.class);
    assertThat(requests.get()).isEqualTo(3);
  }

  @Test
  void aRotatedKeyIsFoundThroughTheUnknownKidFetch() {
    JwksKeySource jwks = source().build();
    JwtVerifier verifier = JwtVerifier.builder().keys(jwks).build();
    verifier.verify(token(key));
    JwtKey rotated = TestKeys.key(JwsAlgorithm.ES384).withKeyId("k2");
    body.set(Jwk.writeSet(List.of(key, rotated)));
    assertThat(verifier.verify(token(rotated)).header().keyId()).isEqualTo("k2");
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  void refreshesAheadInTheBackgroundAndServesStaleKeysOnlyForABoundedTime() {
    JwksKeySource jwks = source().build();
    JwtVerifier verifier = JwtVerifier.builder().keys(jwks).build();
    verifier.verify(token(key));
    time.advance(Duration.ofMinutes(4));
    verifier.verify(token(key)); // schedules a refresh, serves the current keys
    assertThat(requests.get()).isEqualTo(1);
    time.runDue();
    assertThat(requests.get()).isEqualTo(2);

    status.set(500);
    time.advance(Duration.ofMinutes(6)); // past the refresh interval: the refresh fails, stale keys serve
    assertThat(verifier.verify(token(key))).isNotNull();
    time.advance(Duration.ofMinutes(10)); // beyond staleIfError
    assertThatThrownBy(() -> verifier.verify(token(key))).isInstanceOfSatisfying(JwtException.class,
        e -> assertThat(e.reason()).isEqualTo(JwtException.Reason.KEY_SOURCE_UNAVAILABLE));
  }

  @Test
  void concurrentFirstLookupsShareOneFetch() throws Exception {
    java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    server.removeContext("/jwks");
    server.createContext("/jwks", exchange -> {
      requests.incrementAndGet();
      arrived.countDown();
      try {
        release.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    JwksKeySource jwks = source().build();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<java.util.concurrent.Future<List<JwtKey>>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(pool.submit(() -> {
          threads.add(Thread.currentThread());
          return jwks.keys("k1", JwsAlgorithm.ES256);
        }));
      }
      assertThat(arrived.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      // Wait (spinning, no sleep) until all four threads are parked: one in the fetch, three on the lock.
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while ((threads.size() < 4 || threads.stream().anyMatch(t -> t.getState() == Thread.State.RUNNABLE))
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      release.countDown();
      for (java.util.concurrent.Future<List<JwtKey>> r : results) {
        assertThat(r.get(10, java.util.concurrent.TimeUnit.SECONDS)).hasSize(1);
      }
      assertThat(requests.get()).isEqualTo(1);
      assertThat(jwks.fetchCount()).isEqualTo(1);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void fetchesAreCountedByOutcome() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    JwtVerifier verifier = JwtVerifier.builder().keys(source().meterRegistry(registry).build()).build();
    verifier.verify(token(key));
    status.set(503);
    assertThatThrownBy(() -> verifier.verify(token(key.withKeyId("other")))).isInstanceOf(JwtException.class);
    assertThat(registry.get("steadfast.jwks.refreshes").tag("outcome", "success").counter().count()).isEqualTo(1);
    assertThat(registry.get("steadfast.jwks.refreshes").tag("outcome", "failure").counter().count()).isEqualTo(1);
  }

  @Test
  void responsesBeyondTheSizeLimitAreRefused() {
    body.set("{\"keys\":[],\"pad\":\"" + "x".repeat(5000) + "\"}");
    JwtVerifier verifier = JwtVerifier.builder().keys(source().maxResponseBytes(1024).build()).build();
    assertThatThrownBy(() -> verifier.verify(token(key))).isInstanceOfSatisfying(JwtException.class,
        e -> assertThat(e.reason()).isEqualTo(JwtException.Reason.KEY_SOURCE_UNAVAILABLE));
  }

  @Test
  void onlyHttpsUnlessExplicitlyAllowed() {
    assertThatThrownBy(() -> JwksKeySource.builder(uri).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("uri must be https, was http");
    assertThatThrownBy(() -> source().refreshAhead(Duration.ofMinutes(6)).build())
        .hasMessageStartingWith("refreshAhead must be <= refreshInterval");
  }
}
