package dev.steadfast.jwt;

import dev.steadfast.core.Pipeline;
import dev.steadfast.core.spi.TimeSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A thread-safe {@link KeySource} that fetches a remote JWK Set over HTTPS and caches it.
 *
 * <p>Design: the current keys are one immutable snapshot in a volatile field, so lookups never lock. A fetch
 * happens under a {@link ReentrantLock} (not {@code synchronized}: the fetch blocks on I/O and must not pin a
 * virtual thread); a caller that finds the lock held waits for that fetch and then reads its snapshot, so
 * concurrent misses cause one fetch (single flight). Keys are refreshed ahead of expiry: a lookup after
 * {@code refreshAhead} schedules a background refresh on the {@link TimeSource} and keeps serving the current
 * keys; after {@code refreshInterval} a lookup waits for the refresh. A token whose {@code kid} is unknown
 * triggers at most one fetch per {@code unknownKidCooldown}, so a flood of random kids cannot flood the issuer.
 * When a refresh fails, the old keys are served for at most {@code staleIfError} beyond their refresh time.
 * Each fetch runs through a core {@link Pipeline} (timeouts, retries, breaker as configured), over
 * {@code https} only unless {@code allowInsecureHttp()}, and bodies beyond {@code maxResponseBytes} are refused.
 *
 * @since 0.1.0
 */
public final class JwksKeySource implements KeySource {
  private static final class Snapshot {
    final List<JwtKey> keys;
    final long fetchedAt;

    Snapshot(List<JwtKey> keys, long fetchedAt) {
      this.keys = keys;
      this.fetchedAt = fetchedAt;
    }
  }

  private final URI uri;
  private final HttpClient http;
  private final Pipeline pipeline;
  private final TimeSource time;
  private final long refreshAheadNanos;
  private final long refreshIntervalNanos;
  private final long staleIfErrorNanos;
  private final long cooldownNanos;
  private final int maxResponseBytes;
  private final Duration requestTimeout;
  private final ReentrantLock fetchLock = new ReentrantLock();
  private volatile @Nullable Snapshot snapshot;
  private volatile long lastUnknownKidFetch;
  private volatile boolean unknownKidFetched;
  private volatile boolean refreshScheduled;
  private final AtomicLong fetchCount = new AtomicLong();
  private final @Nullable Counter refreshed;
  private final @Nullable Counter refreshFailed;

  private JwksKeySource(Builder b) {
    this.uri = b.uri;
    this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.requestTimeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.pipeline = b.pipeline != null ? b.pipeline : Pipeline.builder("jwks").build();
    this.time = b.time;
    this.refreshAheadNanos = b.refreshAhead.toNanos();
    this.refreshIntervalNanos = b.refreshInterval.toNanos();
    this.staleIfErrorNanos = b.staleIfError.toNanos();
    this.cooldownNanos = b.unknownKidCooldown.toNanos();
    this.maxResponseBytes = b.maxResponseBytes;
    this.requestTimeout = b.requestTimeout;
    MeterRegistry registry = b.registry;
    if (registry != null) {
      this.refreshed = Counter.builder("steadfast.jwks.refreshes").tag("outcome", "success")
          .tag("uri", uri.toString()).description("JWK Set fetches by outcome").register(registry);
      this.refreshFailed = Counter.builder("steadfast.jwks.refreshes").tag("outcome", "failure")
          .tag("uri", uri.toString()).description("JWK Set fetches by outcome").register(registry);
    } else {
      this.refreshed = null;
      this.refreshFailed = null;
    }
  }

  private static void increment(@Nullable Counter counter) {
    if (counter != null) {
      counter.increment();
    }
  }

  /** Starts a builder (not thread-safe) for the JWK Set at {@code uri}. */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /** How many fetches were attempted (for tests and metrics). */
  public long fetchCount() {
    return fetchCount.get();
  }

  @Override
  public List<JwtKey> keys(@Nullable String kid, JwsAlgorithm algorithm) {
    Snapshot s = current();
    List<JwtKey> found = select(s, kid, algorithm);
    if (found.isEmpty() && kid != null) {
      long now = time.nanoTime();
      if (!unknownKidFetched || now - lastUnknownKidFetch >= cooldownNanos) {
        Snapshot fresh = refreshOrStale(s, true);
        found = select(fresh, kid, algorithm);
      }
    }
    return found;
  }

  private static List<JwtKey> select(Snapshot s, @Nullable String kid, JwsAlgorithm algorithm) {
    List<JwtKey> out = new ArrayList<>(1);
    for (JwtKey k : s.keys) {
      if (k.algorithms().contains(algorithm) && (kid == null || kid.equals(k.keyId()))) {
        out.add(k);
      }
    }
    return out;
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    if (s == null) {
      return refreshOrStale(null, false);
    }
    long age = time.nanoTime() - s.fetchedAt;
    if (age >= refreshIntervalNanos) {
      return refreshOrStale(s, false);
    }
    if (age >= refreshAheadNanos && !refreshScheduled) {
      refreshScheduled = true;
      time.schedule(() -> {
        try {
          refreshOrStale(snapshot, false);
        } catch (JwtException stillServingStale) {
          // the next lookup decides whether the stale keys may still be served
        } finally {
          refreshScheduled = false;
        }
      }, 0);
    }
    return s;
  }

  /** Fetches once for all waiting callers; on failure serves {@code seen} within the stale bound. */
  private Snapshot refreshOrStale(@Nullable Snapshot seen, boolean forUnknownKid) {
    fetchLock.lock();
    try {
      Snapshot now = snapshot;
      if (now != null && now != seen) {
        return now; // another caller fetched while this one waited
      }
      if (forUnknownKid) {
        unknownKidFetched = true;
        lastUnknownKidFetch = time.nanoTime();
      }
      try {
        Snapshot fresh = new Snapshot(fetch(), time.nanoTime());
        snapshot = fresh;
        increment(refreshed);
        return fresh;
      } catch (RuntimeException e) {
        increment(refreshFailed);
        if (now != null && time.nanoTime() - now.fetchedAt < refreshIntervalNanos + staleIfErrorNanos) {
          return now;
        }
        throw new JwtException(JwtException.Reason.KEY_SOURCE_UNAVAILABLE, "the JWK Set could not be fetched ("
            + e.getClass().getSimpleName() + ")", e);
      }
    } finally {
      fetchLock.unlock();
    }
  }

  private List<JwtKey> fetch() {
    fetchCount.incrementAndGet();
    return pipeline.execute(() -> {
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout)
          .header("Accept", "application/jwk-set+json, application/json").GET().build();
      try {
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
          if (response.statusCode() != 200) {
            throw new IllegalStateException("JWKS endpoint answered " + response.statusCode());
          }
          return Jwk.parseSet(new String(readLimited(body), StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while fetching the JWK Set", e);
      }
    });
  }

  private byte[] readLimited(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
      if (out.size() > maxResponseBytes) {
        throw new IllegalStateException("JWK Set is larger than maxResponseBytes " + maxResponseBytes);
      }
    }
    return out.toByteArray();
  }

  /** Builds a {@link JwksKeySource}; not thread-safe. */
  public static final class Builder {
    private final URI uri;
    private @Nullable HttpClient http;
    private @Nullable Pipeline pipeline;
    private TimeSource time = TimeSource.system();
    private Duration refreshAhead = Duration.ofMinutes(4);
    private Duration refreshInterval = Duration.ofMinutes(5);
    private Duration staleIfError = Duration.ofHours(1);
    private Duration unknownKidCooldown = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(5);
    private int maxResponseBytes = 256 * 1024;
    private boolean allowInsecureHttp;
    private @Nullable MeterRegistry registry;

    Builder(URI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
    }

    /** The HTTP client (default: a new JDK client that does not follow redirects). */
    public Builder httpClient(HttpClient client) {
      this.http = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /** The pipeline each fetch runs through (default: an empty pipeline named {@code jwks}). */
    public Builder pipeline(Pipeline pipeline) {
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      return this;
    }

    /** Time and scheduling (default: the system time source). */
    public Builder timeSource(TimeSource time) {
      this.time = Objects.requireNonNull(time, "timeSource");
      return this;
    }

    /** When a lookup starts a background refresh (default 4 min after a fetch). */
    public Builder refreshAhead(Duration d) {
      this.refreshAhead = positive("refreshAhead", d);
      return this;
    }

    /** When a lookup waits for a refresh (default 5 min after a fetch). */
    public Builder refreshInterval(Duration d) {
      this.refreshInterval = positive("refreshInterval", d);
      return this;
    }

    /** How long past {@code refreshInterval} old keys are served while fetches fail (default 1 h). */
    public Builder staleIfError(Duration d) {
      Objects.requireNonNull(d, "staleIfError");
      if (d.isNegative()) {
        throw new IllegalArgumentException("staleIfError must be >= 0, was " + d);
      }
      this.staleIfError = d;
      return this;
    }

    /** The least time between fetches caused by unknown {@code kid}s (default 30 s). */
    public Builder unknownKidCooldown(Duration d) {
      this.unknownKidCooldown = positive("unknownKidCooldown", d);
      return this;
    }

    /** The HTTP request timeout (default 5 s). */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive("requestTimeout", d);
      return this;
    }

    /** The largest JWK Set accepted, in bytes (default 256 KiB). */
    public Builder maxResponseBytes(int bytes) {
      if (bytes < 64) {
        throw new IllegalArgumentException("maxResponseBytes must be >= 64, was " + bytes);
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /**
     * Counts fetches in {@code steadfast.jwks.refreshes}, tagged {@code outcome} (success, failure) and
     * {@code uri}. Default: no meters.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** Allows an {@code http} URI (tests and loopback only; default https only). */
    public Builder allowInsecureHttp() {
      this.allowInsecureHttp = true;
      return this;
    }

    /**
     * A key source; nothing is fetched until the first lookup.
     *
     * @throws IllegalArgumentException if the URI is not https (and http was not allowed) or
     *     {@code refreshAhead} is after {@code refreshInterval}
     */
    public JwksKeySource build() {
      String scheme = uri.getScheme();
      if (!"https".equalsIgnoreCase(scheme) && !(allowInsecureHttp && "http".equalsIgnoreCase(scheme))) {
        throw new IllegalArgumentException("uri must be https, was " + scheme + " (allowInsecureHttp() for http)");
      }
      if (refreshAhead.compareTo(refreshInterval) > 0) {
        throw new IllegalArgumentException("refreshAhead must be <= refreshInterval, was " + refreshAhead
            + " > " + refreshInterval);
      }
      return new JwksKeySource(this);
    }

    private static Duration positive(String setting, Duration d) {
      Objects.requireNonNull(d, setting);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(setting + " must be > 0, was " + d);
      }
      return d;
    }
  }
}
