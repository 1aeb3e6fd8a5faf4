package dev.steadfast.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.steadfast.jwt.internal.Base64Url;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.steadfast.jwt.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Verifies compact JWS tokens and validates their JWT claims; immutable and thread-safe.
 *
 * <p>Safe by default: {@code alg: none} in any casing is refused; the token's {@code alg} must be allowed
 * and bound to the selected key, so an RSA or EC public key is never used as an HMAC secret; {@code jku},
 * {@code x5u} and {@code jwk} headers are refused and never fetched; {@code zip} and {@code b64} are refused;
 * {@code crit} must name understood extensions only; base64url must be canonical; JSON must have no
 * duplicate member names and stay within the size and depth limits; {@code exp} is required unless turned
 * off. The {@code kid} is only ever a lookup key.
 *
 * <pre>{@code
 * JwtVerifier verifier = JwtVerifier.builder()
 *     .keys(KeySource.of(List.of(key)))
 *     .issuer("https://issuer.example")
 *     .audience("api")
 *     .build();
 * Jwt jwt = verifier.verify(token);
 * }</pre>
 *
 * @since 0.1.0
 */
public final class JwtVerifier {
  private static final Set<String> REGISTERED_HEADERS = Set.of("alg", "jku", "jwk", "kid", "x5u", "x5c",
      "x5t", "x5t#S256", "typ", "cty", "crit", "enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c");
  private static final Set<String> REGISTERED_CLAIMS = Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti");
  private static final Set<String> REFUSED_HEADERS = Set.of("jku", "x5u", "jwk", "zip");

  private final KeySource keys;
  private final Set<JwsAlgorithm> algorithms;
  private final Clock clock;
  private final long clockSkewSeconds;
  private final Set<String> issuers;
  private final Set<String> audiences;
  private final Set<String> types;
  private final Set<String> requiredClaims;
  private final Set<String> requiredScopes;
  private final Set<String> criticalHeaders;
  private final boolean requireExpiration;
  private final int maxTokenLength;
  private final int maxHeaderBytes;
  private final int maxJsonDepth;
  private final @Nullable Cache<String, Jwt> cache;
  /**
   * The last header segment that passed the header rules, with its parse. Tokens from one issuer usually share
   * one header, and the rules depend only on the header and this verifier's settings, so a token whose header
   * segment is the same string skips decoding and parsing it. Racy by design: a stale or missing entry only
   * costs a parse.
   */
  private volatile @Nullable ParsedHeader lastHeader;
  private final @Nullable Counter success;
  private final EnumMap<JwtException.Reason, Counter> failures = new EnumMap<>(JwtException.Reason.class);

  private JwtVerifier(Builder b) {
    this.keys = Objects.requireNonNull(b.keys);
    this.algorithms = Set.copyOf(b.algorithmsOrAll());
    this.clock = b.clock;
    this.clockSkewSeconds = b.clockSkew.toSeconds();
    this.issuers = Set.copyOf(b.issuers);
    this.audiences = Set.copyOf(b.audiences);
    this.types = Set.copyOf(b.types);
    this.requiredClaims = Set.copyOf(b.requiredClaims);
    this.requiredScopes = Set.copyOf(b.requiredScopes);
    this.criticalHeaders = Set.copyOf(b.criticalHeaders);
    this.requireExpiration = b.requireExpiration;
    this.maxTokenLength = b.maxTokenLength;
    this.maxHeaderBytes = b.maxHeaderBytes;
    this.maxJsonDepth = b.maxJsonDepth;
    if (b.cacheSize > 0) {
      Clock c = b.clock;
      long maxTtl = b.cacheTtl.toNanos();
      this.cache = Caffeine.newBuilder()
          .maximumSize(b.cacheSize)
          .ticker(() -> TimeUnit.MILLISECONDS.toNanos(c.millis()))
          .expireAfter(Expiry.creating((String token, Jwt jwt) -> untilExpiry(jwt, c, maxTtl)))
          .build();
    } else {
      this.cache = null;
    }
    MeterRegistry registry = b.registry;
    if (registry != null) {
      this.success = Counter.builder("steadfast.jwt.verifications").tag("outcome", "success").tag("reason", "none")
          .description("JWT verifications by outcome and reason").register(registry);
      for (JwtException.Reason r : JwtException.Reason.values()) {
        failures.put(r, Counter.builder("steadfast.jwt.verifications").tag("outcome", "failure")
            .tag("reason", r.name().toLowerCase(Locale.ROOT))
            .description("JWT verifications by outcome and reason").register(registry));
      }
    } else {
      this.success = null;
    }
  }

  private static final class ParsedHeader {
    final byte[] segment;
    final Map<String, Object> header;
    final JwsAlgorithm alg;
    final JwsHeader jwsHeader;

    ParsedHeader(byte[] segment, Map<String, Object> header, JwsAlgorithm alg) {
      this.segment = segment;
      this.header = header;
      this.alg = alg;
      this.jwsHeader = new JwsHeader(alg, header);
    }
  }

  /** A cached entry lives until the token's exp (never beyond), and at most the configured TTL. */
  private static Duration untilExpiry(Jwt jwt, Clock clock, long maxTtlNanos) {
    Long exp = jwt.claims().numericDate("exp");
    long ttl = maxTtlNanos;
    if (exp != null) {
      long millisLeft = exp * 1000 - clock.millis();
      ttl = Math.min(ttl, TimeUnit.MILLISECONDS.toNanos(Math.max(0, millisLeft)));
    }
    return Duration.ofNanos(ttl);
  }

  /** Starts a builder (not thread-safe). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Verifies the signature and validates the claims.
   *
   * @throws JwtException with the reason the token was refused
   */
  public Jwt verify(String token) {
    Cache<String, Jwt> c = cache;
    if (c != null) {
      Jwt hit = c.getIfPresent(token);
      Long exp = hit == null ? null : hit.claims().numericDate("exp");
      if (hit != null && (exp == null || clock.millis() < exp * 1000)) {
        count(null);
        return hit;
      }
    }
    try {
      Jwt jwt = verifyUncached(token);
      if (c != null) {
        c.put(token, jwt);
      }
      count(null);
      return jwt;
    } catch (JwtException e) {
      count(e.reason());
      throw e;
    }
  }

  private void count(JwtException.@Nullable Reason reason) {
    Counter counter = reason == null ? success : failures.get(reason);
    if (counter != null) {
      counter.increment();
    }
  }

  private Jwt verifyUncached(String token) {
    VerifiedJws jws = verifySignature(token);
    String typ = jws.header().type();
    if (!types.isEmpty() && (typ == null || !types.contains(normaliseType(typ)))) {
      throw new JwtException(JwtException.Reason.WRONG_TYPE, "typ is not an accepted type");
    }
    Claims claims = new Claims(Json.parseObject(jws.payloadUnsafe(), maxJsonDepth, "payload"));
    validate(claims);
    return new Jwt(jws.header(), claims);
  }

  /**
   * Verifies only the signature and header rules of a compact JWS, returning its payload as bytes; no claim
   * is validated. For JWS payloads that are not JWTs.
   *
   * @throws JwtException with the reason the token was refused
   */
  public VerifiedJws verifySignature(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isEmpty()) {
      throw new JwtException(JwtException.Reason.MALFORMED, "token is empty");
    }
    int length = token.length();
    if (length > maxTokenLength) {
      throw new JwtException(JwtException.Reason.MALFORMED, "token is longer than " + maxTokenLength);
    }
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
      throw new JwtException(JwtException.Reason.MALFORMED, "token must have exactly three segments");
    }
    if (dot1 > (maxHeaderBytes * 4 + 2) / 3) {
      throw new JwtException(JwtException.Reason.MALFORMED, "header is longer than " + maxHeaderBytes);
    }
    // The token's bytes: the signing input for the MAC or signature, and what the segments are decoded from.
    // UTF-8 rather than US-ASCII: the JDK copies an ASCII string's bytes after one vectorised check, where its
    // US-ASCII encoder tests every byte. A non-ASCII char becomes two or more bytes, which changes the length,
    // except a lone surrogate, which becomes '?' (not base64url, so refused below).
    byte[] input = token.getBytes(StandardCharsets.UTF_8);
    if (input.length != length) {
      throw new JwtException(JwtException.Reason.MALFORMED, "token is not ASCII");
    }
    ParsedHeader parsed = lastHeader;
    if (parsed == null
        || parsed.segment.length != dot1
        || !Arrays.equals(parsed.segment, 0, dot1, input, 0, dot1)) {
      byte[] headerBytes = Base64Url.decode(input, 0, dot1, "header");
      Map<String, Object> parsedHeader = Json.parseObject(headerBytes, maxJsonDepth, "header");
      parsed = new ParsedHeader(Arrays.copyOf(input, dot1), parsedHeader, checkHeader(parsedHeader));
      lastHeader = parsed;
    }
    Map<String, Object> header = parsed.header;
    JwsAlgorithm alg = parsed.alg;
    byte[] payload = Base64Url.decode(input, dot1 + 1, dot2, "payload");
    byte[] signature = Base64Url.decode(input, dot2 + 1, length, "signature");

    Object kidValue = header.get("kid");
    String kid = kidValue instanceof String str ? str : null;
    List<JwtKey> candidates = keys.keys(kid, alg);
    boolean anyKey = false;
    for (JwtKey key : candidates) {
      if (!key.algorithms().contains(alg) || !key.canVerify()) {
        continue;
      }
      anyKey = true;
      if (JwsCrypto.verify(key, alg, input, dot2, signature)) {
        return new VerifiedJws(parsed.jwsHeader, payload);
      }
    }
    if (!anyKey) {
      throw new JwtException(JwtException.Reason.UNKNOWN_KEY, "no key for the token's kid and " + alg);
    }
    throw new JwtException(JwtException.Reason.BAD_SIGNATURE, "signature does not verify");
  }

  private JwsAlgorithm checkHeader(Map<String, Object> header) {
    Object algValue = header.get("alg");
    if (!(algValue instanceof String algName)) {
      throw new JwtException(JwtException.Reason.MALFORMED, "header alg is missing or not a string");
    }
    if (algName.toLowerCase(Locale.ROOT).equals("none")) {
      throw new JwtException(JwtException.Reason.DISALLOWED_ALGORITHM, "unsecured alg none is refused");
    }
    JwsAlgorithm alg;
    try {
      alg = JwsAlgorithm.fromHeader(algName);
    } catch (IllegalArgumentException e) {
      throw new JwtException(JwtException.Reason.DISALLOWED_ALGORITHM, "alg is not supported");
    }
    if (!algorithms.contains(alg)) {
      throw new JwtException(JwtException.Reason.DISALLOWED_ALGORITHM, "alg " + alg + " is not allowed");
    }
    for (String refused : REFUSED_HEADERS) {
      if (header.containsKey(refused)) {
        throw new JwtException(JwtException.Reason.UNSUPPORTED_HEADER, "header " + refused + " is refused");
      }
    }
    if (header.containsKey("b64")) {
      throw new JwtException(JwtException.Reason.UNSUPPORTED_HEADER, "header b64 (RFC 7797) is not supported");
    }
    Object kid = header.get("kid");
    if (kid != null && !(kid instanceof String)) {
      throw new JwtException(JwtException.Reason.MALFORMED, "header kid must be a string");
    }
    Object typ = header.get("typ");
    if (typ != null && !(typ instanceof String)) {
      throw new JwtException(JwtException.Reason.MALFORMED, "header typ must be a string");
    }
    if (header.containsKey("crit")) {
      checkCrit(header);
    }
    return alg;
  }

  private void checkCrit(Map<String, Object> header) {
    Object crit = header.get("crit");
    if (!(crit instanceof List<?> list) || list.isEmpty()) {
      throw new JwtException(JwtException.Reason.UNSUPPORTED_HEADER, "crit must be a non-empty array");
    }
    Set<String> seen = new HashSet<>();
    for (Object o : list) {
      if (!(o instanceof String name) || !seen.add(name)) {
        throw new JwtException(JwtException.Reason.UNSUPPORTED_HEADER, "crit must list distinct names");
      }
      if (REGISTERED_HEADERS.contains(name) || REGISTERED_CLAIMS.contains(name)) {
        throw new JwtException(JwtException.Reason.UNSUPPORTED_HEADER, "crit must not name registered "
            + "parameter " + name);
      }
      if (!criticalHeaders.contains(name)) {
        throw new JwtException(JwtException.Reason.UNSUPPORTED_HEADER, "crit names an extension that is "
            + "not understood");
      }
      if (!header.containsKey(name)) {
        throw new JwtException(JwtException.Reason.UNSUPPORTED_HEADER, "crit names an absent parameter");
      }
    }
  }

  private void validate(Claims claims) {
    // millis rather than instant(): the system clock's instant() allocates
    long nowSeconds = Math.floorDiv(clock.millis(), 1000);
    long skew = clockSkewSeconds;
    long exp = claims.numericDateSeconds("exp");
    long nbf = claims.numericDateSeconds("nbf");
    long iat = claims.numericDateSeconds("iat");
    if (exp == Claims.NO_DATE) {
      if (requireExpiration) {
        throw new JwtException(JwtException.Reason.MISSING_CLAIM, "claim 'exp' is required");
      }
    } else if (nowSeconds >= exp + skew) {
      // NumericDates are capped far below Long.MAX_VALUE, and skew is capped at a day: no overflow.
      throw new JwtException(JwtException.Reason.EXPIRED, "token has expired");
    }
    if (nbf != Claims.NO_DATE && nowSeconds + skew < nbf) {
      throw new JwtException(JwtException.Reason.NOT_YET_VALID, "token is not yet valid");
    }
    if (iat != Claims.NO_DATE && nowSeconds + skew < iat) {
      throw new JwtException(JwtException.Reason.NOT_YET_VALID, "token was issued in the future");
    }
    if (!issuers.isEmpty()) {
      Object iss = claims.get("iss");
      if (iss == null) {
        throw new JwtException(JwtException.Reason.MISSING_CLAIM, "claim 'iss' is required");
      }
      if (!(iss instanceof String str) || !issuers.contains(str)) {
        throw new JwtException(JwtException.Reason.WRONG_ISSUER, "iss is not an accepted issuer");
      }
    }
    if (!audiences.isEmpty()) {
      if (!claims.has("aud")) {
        throw new JwtException(JwtException.Reason.MISSING_CLAIM, "claim 'aud' is required");
      }
      boolean match = false;
      Object aud = claims.get("aud");
      if (aud instanceof String one) {
        match = audiences.contains(one);
      } else {
        for (String a : claims.audience()) {
          match |= audiences.contains(a);
        }
      }
      if (!match) {
        throw new JwtException(JwtException.Reason.WRONG_AUDIENCE, "aud names no accepted audience");
      }
    }
    if (!requiredClaims.isEmpty()) {
      for (String name : requiredClaims) {
        if (!claims.has(name)) {
          throw new JwtException(JwtException.Reason.MISSING_CLAIM, "claim '" + name + "' is required");
        }
      }
    }
    if (!requiredScopes.isEmpty() && !claims.scopes().containsAll(requiredScopes)) {
      throw new JwtException(JwtException.Reason.INSUFFICIENT_SCOPE, "a required scope is missing");
    }
  }

  private static String normaliseType(String typ) {
    String t = typ.toLowerCase(Locale.ROOT);
    return t.startsWith("application/") ? t.substring("application/".length()) : t;
  }

  /**
   * Builds a {@link JwtVerifier}; not thread-safe. {@link #build()} copies the settings, so later changes
   * do not reach verifiers already built.
   */
  public static final class Builder {
    private static final Duration MAX_SKEW = Duration.ofDays(1);

    private @Nullable KeySource keys;
    private final Set<JwsAlgorithm> algorithms = EnumSet.noneOf(JwsAlgorithm.class);
    private Clock clock = Clock.systemUTC();
    private Duration clockSkew = Duration.ofSeconds(30);
    private final Set<String> issuers = new LinkedHashSet<>();
    private final Set<String> audiences = new LinkedHashSet<>();
    private final Set<String> types = new LinkedHashSet<>();
    private final Set<String> requiredClaims = new LinkedHashSet<>();
    private final Set<String> requiredScopes = new LinkedHashSet<>();
    private final Set<String> criticalHeaders = new LinkedHashSet<>();
    private boolean requireExpiration = true;
    private int maxTokenLength = 16 * 1024;
    private int maxHeaderBytes = 2048;
    private int maxJsonDepth = 8;
    private long cacheSize;
    private Duration cacheTtl = Duration.ofMinutes(5);
    private @Nullable MeterRegistry registry;

    Builder() {}

    /**
     * Caches verified tokens (off by default), keyed by the whole token, bounded to {@code maxEntries}; an
     * entry never outlives the token's {@code exp} (without skew) nor {@code ttl}. Trade-off: a cached token
     * stays accepted until then even if its key is removed from the key source or the token is revoked
     * elsewhere; keep {@code ttl} as short as revocation requires.
     */
    public Builder cache(long maxEntries, Duration ttl) {
      if (maxEntries < 1) {
        throw new IllegalArgumentException("cache maxEntries must be >= 1, was " + maxEntries);
      }
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("cache ttl must be > 0, was " + ttl);
      }
      this.cacheSize = maxEntries;
      this.cacheTtl = ttl;
      return this;
    }

    /**
     * Counts verifications in {@code steadfast.jwt.verifications}, tagged {@code outcome} (success, failure)
     * and {@code reason} (none, or the lower-case {@link JwtException.Reason}). Default: no meters.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** Where keys come from (required). */
    public Builder keys(KeySource keys) {
      this.keys = Objects.requireNonNull(keys, "keys");
      return this;
    }

    /** A fixed set of keys; shorthand for {@code keys(KeySource.of(keys))}. */
    public Builder keys(Collection<JwtKey> keys) {
      return keys(KeySource.of(keys));
    }

    /** The algorithms accepted (default: every algorithm; the key must still be bound to the token's). */
    public Builder algorithms(JwsAlgorithm first, JwsAlgorithm... more) {
      algorithms.clear();
      algorithms.add(first);
      algorithms.addAll(List.of(more));
      return this;
    }

    /** The clock for exp, nbf and iat (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The tolerance for clock differences, applied to exp, nbf and iat (default 30 s; at most one day;
     * whole seconds).
     */
    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "clockSkew");
      if (skew.isNegative() || skew.compareTo(MAX_SKEW) > 0) {
        throw new IllegalArgumentException("clockSkew must be between 0 and 1 day, was " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    /** Adds an accepted issuer; when any is set, {@code iss} is required and must match one exactly. */
    public Builder issuer(String issuer) {
      issuers.add(nonBlank("issuer", issuer));
      return this;
    }

    /** Adds an accepted audience; when any is set, {@code aud} must name one. */
    public Builder audience(String audience) {
      audiences.add(nonBlank("audience", audience));
      return this;
    }

    /**
     * Adds an accepted {@code typ} (compared ignoring case and an {@code application/} prefix); when any is
     * set, {@code typ} is required. Use {@code at+jwt} for RFC 9068 access tokens.
     */
    public Builder type(String type) {
      types.add(normaliseType(nonBlank("type", type)));
      return this;
    }

    /** Requires a claim to be present and not null. */
    public Builder requireClaim(String name) {
      requiredClaims.add(nonBlank("requireClaim", name));
      return this;
    }

    /** Requires a scope (in {@code scope} or {@code scp}). */
    public Builder requireScope(String scope) {
      if (nonBlank("requireScope", scope).contains(" ")) {
        throw new IllegalArgumentException("requireScope must not contain a space, was '" + scope + "'");
      }
      requiredScopes.add(scope);
      return this;
    }

    /** Declares a {@code crit} extension the caller processes itself (default: none). */
    public Builder understoodCriticalHeader(String name) {
      nonBlank("understoodCriticalHeader", name);
      if (REGISTERED_HEADERS.contains(name) || REGISTERED_CLAIMS.contains(name) || name.equals("b64")) {
        throw new IllegalArgumentException("understoodCriticalHeader must not be a registered or unsupported "
            + "parameter, was '" + name + "'");
      }
      criticalHeaders.add(name);
      return this;
    }

    /** Whether {@code exp} is required (default true). */
    public Builder requireExpiration(boolean require) {
      this.requireExpiration = require;
      return this;
    }

    /** The longest token accepted, in characters (default 16384). */
    public Builder maxTokenLength(int chars) {
      if (chars < 16) {
        throw new IllegalArgumentException("maxTokenLength must be >= 16, was " + chars);
      }
      this.maxTokenLength = chars;
      return this;
    }

    /** The largest decoded header accepted, in bytes (default 2048). */
    public Builder maxHeaderBytes(int bytes) {
      if (bytes < 16) {
        throw new IllegalArgumentException("maxHeaderBytes must be >= 16, was " + bytes);
      }
      this.maxHeaderBytes = bytes;
      return this;
    }

    /** The deepest JSON nesting accepted in header and payload (default 8; the top object is 1). */
    public Builder maxJsonDepth(int depth) {
      if (depth < 1 || depth > 64) {
        throw new IllegalArgumentException("maxJsonDepth must be between 1 and 64, was " + depth);
      }
      this.maxJsonDepth = depth;
      return this;
    }

    /**
     * A verifier with these settings; the builder is not changed and can build again.
     *
     * @throws IllegalStateException if no keys were given
     */
    public JwtVerifier build() {
      if (keys == null) {
        throw new IllegalStateException("keys must be set");
      }
      return new JwtVerifier(this);
    }

    private Set<JwsAlgorithm> algorithmsOrAll() {
      return algorithms.isEmpty() ? EnumSet.allOf(JwsAlgorithm.class) : algorithms;
    }

    private static String nonBlank(String setting, String value) {
      Objects.requireNonNull(value, setting);
      if (value.isBlank()) {
        throw new IllegalArgumentException(setting + " must not be blank, was '" + value + "'");
      }
      return value;
    }
  }
}
