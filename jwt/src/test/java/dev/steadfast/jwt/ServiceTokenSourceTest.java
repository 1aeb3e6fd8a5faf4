package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.steadfast.core.spi.VirtualTime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServiceTokenSourceTest {
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger status = new AtomicInteger(200);
  final AtomicReference<String> lastAuthorization = new AtomicReference<>();
  final AtomicReference<String> lastBody = new AtomicReference<>();
  final VirtualTime time = new VirtualTime();
  HttpServer server;
  URI uri;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/token", exchange -> {
      int n = requests.incrementAndGet();
      lastAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
      lastBody.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] bytes = ("{\"access_token\":\"token-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":300}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  ServiceTokenSource source() {
    return ServiceTokenSource.clientCredentials(uri, "client", "s3cret").scope("orders:read").allowInsecureHttp()
        .timeSource(time).refreshBefore(Duration.ofSeconds(60)).build();
  }

  @Test
  void cachesTheTokenAndRefreshesItBeforeExpiry() {
    ServiceTokenSource tokens = source();
    assertThat(tokens.token()).isEqualTo("token-1");
    assertThat(tokens.token()).isEqualTo("token-1");
    assertThat(lastBody.get()).isEqualTo("grant_type=client_credentials&scope=orders%3Aread");
    assertThat(lastAuthorization.get()).isEqualTo("Basic Y2xpZW50OnMzY3JldA==");
    time.advance(Duration.ofSeconds(239));
    assertThat(tokens.token()).isEqualTo("token-1");
    time.advance(Duration.ofSeconds(1));
    assertThat(tokens.token()).isEqualTo("token-2");
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  void aFailedRefreshKeepsTheValidTokenThenFails() {
    ServiceTokenSource tokens = source();
    tokens.token();
    status.set(500);
    time.advance(Duration.ofSeconds(250));
    assertThat(tokens.token()).isEqualTo("token-1");
    time.advance(Duration.ofSeconds(50));
    assertThatThrownBy(tokens::token).isInstanceOf(IllegalStateException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret").doesNotContain("token-"));
  }

  @Test
  void concurrentCallersShareOneTokenRequest() throws Exception {
    java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    server.removeContext("/token");
    server.createContext("/token", exchange -> {
      int n = requests.incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      arrived.countDown();
      try {
        release.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] bytes = ("{\"access_token\":\"token-" + n + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    ServiceTokenSource tokens = source();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(pool.submit(() -> {
          threads.add(Thread.currentThread());
          return tokens.token();
        }));
      }
      assertThat(arrived.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while ((threads.size() < 4 || threads.stream().anyMatch(t -> t.getState() == Thread.State.RUNNABLE))
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      release.countDown();
      for (java.util.concurrent.Future<String> r : results) {
        assertThat(r.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("token-1");
      }
      assertThat(requests.get()).isEqualTo(1);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void onlyHttpsUnlessExplicitlyAllowed() {
    assertThatThrownBy(() -> ServiceTokenSource.clientCredentials(uri, "c", "s").build())
        .hasMessageStartingWith("tokenEndpoint must be https, was http");
  }

  @Test
  void selfSignedTokensVerifyAndAreReplacedBeforeExpiry() {
    JwtKey key = TestKeys.key(JwsAlgorithm.ES256);
    ServiceTokenSource tokens = ServiceTokenSource.selfSigned(JwtSigner.of(key),
        Claims.builder().issuer("svc-a").audience("svc-b").build(), Duration.ofMinutes(5)).timeSource(time).build();
    String first = tokens.token();
    Jwt jwt = JwtVerifier.builder().keys(List.of(key)).issuer("svc-a").audience("svc-b")
        .clock(Clock.fixed(time.clock().instant(), ZoneOffset.UTC)).build().verify(first);
    assertThat(jwt.claims().jwtId()).isNotBlank();
    assertThat(tokens.token()).isSameAs(first);
    time.advance(Duration.ofMinutes(4));
    assertThat(tokens.token()).isNotEqualTo(first);
    assertThatThrownBy(() -> ServiceTokenSource.selfSigned(JwtSigner.of(key), Claims.builder().build(),
        Duration.ofSeconds(30)).build()).hasMessage("lifetime must be > refreshBefore, was PT30S <= PT1M");
  }
}
