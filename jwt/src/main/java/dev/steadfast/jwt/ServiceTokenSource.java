package dev.steadfast.jwt;

import dev.steadfast.core.Pipeline;
import dev.steadfast.core.spi.TimeSource;
import dev.steadfast.jwt.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A thread-safe source of bearer tokens for calls to other services: OAuth2 client credentials (RFC 6749
 * section 4.4) or self-signed JWTs. The token is cached and replaced {@code refreshBefore} its expiry; one
 * caller obtains a new token while the others wait for it (single flight, under a {@link ReentrantLock} since
 * the request blocks on I/O). Each request runs through a core {@link Pipeline}. If a refresh fails while the
 * cached token is still valid, the cached token is returned. Neither the secret nor a token ever appears in an
 * exception message.
 *
 * @since 0.1.0
 */
public final class ServiceTokenSource {
  private static final class Issued {
    final String value;
    final long expiresAtNanos;
    final long refreshAtNanos;

    Issued(String value, long expiresAtNanos, long refreshAtNanos) {
      this.value = value;
      this.expiresAtNanos = expiresAtNanos;
      this.refreshAtNanos = refreshAtNanos;
    }
  }

  /** What an issuer returns: a token and its lifetime. */
  private interface Issuer {
    Map.Entry<String, Duration> issue(TimeSource time);
  }

  private final Issuer issuer;
  private final Pipeline pipeline;
  private final TimeSource time;
  private final long refreshBeforeNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile @Nullable Issued current;

  private ServiceTokenSource(Issuer issuer, Builder b) {
    this.issuer = issuer;
    this.pipeline = b.pipeline != null ? b.pipeline : Pipeline.builder("service-token").build();
    this.time = b.time;
    this.refreshBeforeNanos = b.refreshBefore.toNanos();
  }

  /**
   * A builder for tokens from an OAuth2 token endpoint with the client credentials grant; the client
   * authenticates with HTTP Basic. The endpoint must be https unless {@link Builder#allowInsecureHttp()}.
   */
  public static Builder clientCredentials(URI tokenEndpoint, String clientId, String clientSecret) {
    return new Builder(Objects.requireNonNull(tokenEndpoint, "tokenEndpoint"),
        Objects.requireNonNull(clientId, "clientId"), Objects.requireNonNull(clientSecret, "clientSecret"), null,
        null, null);
  }

  /**
   * A builder for self-signed JWTs: {@code claims} plus {@code iat}, {@code exp} ({@code lifetime} later) and a
   * random {@code jti}, signed by {@code signer}.
   */
  public static Builder selfSigned(JwtSigner signer, Claims claims, Duration lifetime) {
    Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("lifetime must be > 0, was " + lifetime);
    }
    return new Builder(null, null, null, Objects.requireNonNull(signer, "signer"),
        Objects.requireNonNull(claims, "claims"), lifetime);
  }

  /**
   * The current token, obtaining a new one when the cached one is within {@code refreshBefore} of expiry.
   *
   * @throws IllegalStateException if no valid token can be obtained
   */
  public String token() {
    Issued t = current;
    long now = time.nanoTime();
    if (t != null && now - t.refreshAtNanos < 0) {
      return t.value;
    }
    lock.lock();
    try {
      Issued again = current;
      now = time.nanoTime();
      if (again != null && now - again.refreshAtNanos < 0) {
        return again.value; // another caller refreshed while this one waited
      }
      try {
        Map.Entry<String, Duration> issued = pipeline.execute(() -> issuer.issue(time));
        long lifetime = issued.getValue().toNanos();
        long at = time.nanoTime();
        Issued fresh = new Issued(issued.getKey(), at + lifetime, at + Math.max(0, lifetime - refreshBeforeNanos));
        current = fresh;
        return fresh.value;
      } catch (RuntimeException e) {
        if (again != null && time.nanoTime() - again.expiresAtNanos < 0) {
          return again.value;
        }
        throw new IllegalStateException("no service token could be obtained (" + e.getClass().getSimpleName()
            + ")", e);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Builds a {@link ServiceTokenSource}; not thread-safe. */
  public static final class Builder {
    private final @Nullable URI endpoint;
    private final @Nullable String clientId;
    private final @Nullable String clientSecret;
    private final @Nullable JwtSigner signer;
    private final @Nullable Claims claims;
    private final @Nullable Duration lifetime;
    private @Nullable String scope;
    private @Nullable HttpClient http;
    private @Nullable Pipeline pipeline;
    private TimeSource time = TimeSource.system();
    private Duration refreshBefore = Duration.ofSeconds(60);
    private Duration requestTimeout = Duration.ofSeconds(5);
    private int maxResponseBytes = 64 * 1024;
    private boolean allowInsecureHttp;

    Builder(@Nullable URI endpoint, @Nullable String clientId, @Nullable String clientSecret,
        @Nullable JwtSigner signer, @Nullable Claims claims, @Nullable Duration lifetime) {
      this.endpoint = endpoint;
      this.clientId = clientId;
      this.clientSecret = clientSecret;
      this.signer = signer;
      this.claims = claims;
      this.lifetime = lifetime;
    }

    /** The space-separated scope to request (client credentials only; default none). */
    public Builder scope(String scope) {
      this.scope = Objects.requireNonNull(scope, "scope");
      return this;
    }

    /** The HTTP client (default: a new JDK client that does not follow redirects). */
    public Builder httpClient(HttpClient client) {
      this.http = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /** The pipeline each request runs through (default: an empty pipeline named {@code service-token}). */
    public Builder pipeline(Pipeline pipeline) {
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      return this;
    }

    /** Time (default: the system time source). */
    public Builder timeSource(TimeSource time) {
      this.time = Objects.requireNonNull(time, "timeSource");
      return this;
    }

    /** How long before expiry a token is replaced (default 60 s). */
    public Builder refreshBefore(Duration d) {
      Objects.requireNonNull(d, "refreshBefore");
      if (d.isNegative()) {
        throw new IllegalArgumentException("refreshBefore must be >= 0, was " + d);
      }
      this.refreshBefore = d;
      return this;
    }

    /** The HTTP request timeout (default 5 s). */
    public Builder requestTimeout(Duration d) {
      Objects.requireNonNull(d, "requestTimeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be > 0, was " + d);
      }
      this.requestTimeout = d;
      return this;
    }

    /** The largest token response accepted, in bytes (default 64 KiB). */
    public Builder maxResponseBytes(int bytes) {
      if (bytes < 64) {
        throw new IllegalArgumentException("maxResponseBytes must be >= 64, was " + bytes);
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /** Allows an {@code http} token endpoint (tests and loopback only; default https only). */
    public Builder allowInsecureHttp() {
      this.allowInsecureHttp = true;
      return this;
    }

    /**
     * A token source; nothing is requested until the first {@link #token()}.
     *
     * @throws IllegalArgumentException if the endpoint is not https (and http was not allowed), or a
     *     self-signed lifetime is not longer than {@code refreshBefore}
     */
    public ServiceTokenSource build() {
      if (signer != null && claims != null && lifetime != null) {
        if (lifetime.compareTo(refreshBefore) <= 0) {
          throw new IllegalArgumentException("lifetime must be > refreshBefore, was " + lifetime + " <= "
              + refreshBefore);
        }
        JwtSigner s = signer;
        Claims c = claims;
        Duration life = lifetime;
        return new ServiceTokenSource(t -> {
          Instant now = t.clock().instant();
          Claims.Builder b = Claims.builder();
          c.values().forEach(b::claim);
          b.issuedAt(now).expiresAt(now.plus(life)).jwtId(UUID.randomUUID().toString());
          return Map.entry(s.sign(b.build()), life);
        }, this);
      }
      URI uri = Objects.requireNonNull(endpoint);
      String scheme = uri.getScheme();
      if (!"https".equalsIgnoreCase(scheme) && !(allowInsecureHttp && "http".equalsIgnoreCase(scheme))) {
        throw new IllegalArgumentException("tokenEndpoint must be https, was " + scheme
            + " (allowInsecureHttp() for http)");
      }
      HttpClient client = http != null ? http : HttpClient.newBuilder().connectTimeout(requestTimeout)
          .followRedirects(HttpClient.Redirect.NEVER).build();
      String basic = "Basic " + Base64.getEncoder().encodeToString((form(Objects.requireNonNull(clientId)) + ":"
          + form(Objects.requireNonNull(clientSecret))).getBytes(StandardCharsets.UTF_8));
      String body = "grant_type=client_credentials" + (scope == null ? "" : "&scope=" + form(scope));
      Duration timeout = requestTimeout;
      int limit = maxResponseBytes;
      return new ServiceTokenSource(t -> requestToken(client, uri, basic, body, timeout, limit), this);
    }

    private static String form(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
  }

  private static Map.Entry<String, Duration> requestToken(HttpClient client, URI uri, String basic, String body,
      Duration timeout, int limit) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Authorization", basic)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      byte[] bytes;
      try (InputStream in = response.body()) {
        bytes = readLimited(in, limit);
      }
      if (response.statusCode() != 200) {
        throw new IllegalStateException("token endpoint answered " + response.statusCode());
      }
      Map<String, Object> json = Json.parseObject(bytes, 4, "token response");
      if (!(json.get("access_token") instanceof String token) || token.isEmpty()) {
        throw new IllegalStateException("token response has no access_token");
      }
      if (!(json.get("expires_in") instanceof Long seconds) || seconds <= 0) {
        throw new IllegalStateException("token response has no positive expires_in");
      }
      return Map.entry(token, Duration.ofSeconds(seconds));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while requesting a service token", e);
    }
  }

  private static byte[] readLimited(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
      if (out.size() > limit) {
        throw new IllegalStateException("token response is larger than maxResponseBytes " + limit);
      }
    }
    return out.toByteArray();
  }
}
