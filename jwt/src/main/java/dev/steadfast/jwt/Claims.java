package dev.steadfast.jwt;

import dev.steadfast.jwt.internal.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The claims of a JWT: an immutable, thread-safe view with typed access to the registered claims (RFC 7519
 * section 4.1) and to custom ones.
 *
 * <p>Typed getters return null when a claim is absent and throw {@link JwtException} with reason
 * {@code INVALID_CLAIM} when it has another JSON type. JSON {@code null} reads as absent.
 *
 * @since 0.1.0
 */
public final class Claims {
  private static final Pattern SPACE = Pattern.compile(" ");

  private final Map<String, Object> values;

  Claims(Map<String, Object> values) {
    this.values = values;
  }

  /** Starts a builder (not thread-safe). */
  public static Builder builder() {
    return new Builder();
  }

  /** The claim names. */
  public Set<String> names() {
    return values.keySet();
  }

  /** The claims as an unmodifiable map of JSON values (JSON null is {@code null} here). */
  public Map<String, @Nullable Object> asMap() {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, v == Json.NULL ? null : v));
    return Collections.unmodifiableMap(out);
  }

  /** The raw value of a claim, or null when absent or JSON null. */
  public @Nullable Object get(String name) {
    Object v = values.get(name);
    return v == Json.NULL ? null : v;
  }

  /** Whether the claim is present with a non-null value. */
  public boolean has(String name) {
    return get(name) != null;
  }

  /** A string claim. */
  public @Nullable String getString(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof String str) {
      return str;
    }
    throw invalid(name, "a string");
  }

  /** An integral claim that fits a long. */
  public @Nullable Long getLong(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Long l) {
      return l;
    }
    throw invalid(name, "an integer");
  }

  /** A boolean claim. */
  public @Nullable Boolean getBoolean(String name) {
    Object v = get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw invalid(name, "a boolean");
  }

  /** A claim that is a string or an array of strings, as a list (empty when absent). */
  public List<String> getStringList(String name) {
    Object v = get(name);
    if (v == null) {
      return List.of();
    }
    if (v instanceof String str) {
      return List.of(str);
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String str)) {
          throw invalid(name, "a string or an array of strings");
        }
        out.add(str);
      }
      return Collections.unmodifiableList(out);
    }
    throw invalid(name, "a string or an array of strings");
  }

  /**
   * A NumericDate claim (seconds since the epoch, fractions truncated).
   *
   * @throws JwtException {@code INVALID_CLAIM} if it is not a number, is negative or is out of range
   */
  public @Nullable Instant getInstant(String name) {
    Long seconds = numericDate(name);
    return seconds == null ? null : Instant.ofEpochSecond(seconds);
  }

  /** The largest NumericDate accepted: the end of year 9999, far from any overflow with a skew. */
  static final long MAX_NUMERIC_DATE = 253_402_300_799L;

  @Nullable Long numericDate(String name) {
    long seconds = numericDateSeconds(name);
    return seconds == NO_DATE ? null : seconds;
  }

  /** What {@link #numericDateSeconds} returns for an absent claim (NumericDates here are never negative). */
  static final long NO_DATE = -1;

  /** A NumericDate claim in seconds, or {@link #NO_DATE} when absent; the verifier's unboxed path. */
  long numericDateSeconds(String name) {
    Object v = get(name);
    if (v == null) {
      return NO_DATE;
    }
    long seconds;
    if (v instanceof Long l) {
      seconds = l;
    } else if (v instanceof Double dv) {
      double d = dv;
      if (!(d >= 0 && d <= MAX_NUMERIC_DATE)) {
        throw invalid(name, "a NumericDate in range");
      }
      seconds = (long) d;
    } else if (v instanceof BigDecimal || v instanceof BigInteger) {
      throw invalid(name, "a NumericDate in range");
    } else {
      throw invalid(name, "a NumericDate");
    }
    if (seconds < 0 || seconds > MAX_NUMERIC_DATE) {
      throw invalid(name, "a NumericDate in range");
    }
    return seconds;
  }

  private static JwtException invalid(String name, String expected) {
    return new JwtException(JwtException.Reason.INVALID_CLAIM, "claim '" + name + "' must be " + expected);
  }

  /** {@code iss}. */
  public @Nullable String issuer() {
    return getString("iss");
  }

  /** {@code sub}. */
  public @Nullable String subject() {
    return getString("sub");
  }

  /** {@code aud}, a string or an array of strings (empty when absent). */
  public List<String> audience() {
    return getStringList("aud");
  }

  /** {@code exp}. */
  public @Nullable Instant expiresAt() {
    return getInstant("exp");
  }

  /** {@code nbf}. */
  public @Nullable Instant notBefore() {
    return getInstant("nbf");
  }

  /** {@code iat}. */
  public @Nullable Instant issuedAt() {
    return getInstant("iat");
  }

  /** {@code jti}. */
  public @Nullable String jwtId() {
    return getString("jti");
  }

  /**
   * The scopes: the space-separated {@code scope} claim (RFC 8693, RFC 9068), or else the {@code scp} array.
   */
  public List<String> scopes() {
    Object scope = get("scope");
    if (scope != null) {
      if (!(scope instanceof String str)) {
        throw invalid("scope", "a space-separated string");
      }
      List<String> out = new ArrayList<>();
      for (String s : SPACE.split(str, -1)) {
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
      return Collections.unmodifiableList(out);
    }
    return getStringList("scp");
  }

  Map<String, Object> values() {
    return values;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Claims other && other.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Lists claim names only: claim values may be personal data. */
  @Override
  public String toString() {
    return "Claims" + values.keySet();
  }

  /** Builds {@link Claims}; not thread-safe. {@link #build()} copies, so the builder can be reused. */
  public static final class Builder {
    private final Map<String, Object> values = new LinkedHashMap<>();

    Builder() {}

    /** Sets {@code iss}. */
    public Builder issuer(String issuer) {
      return claim("iss", issuer);
    }

    /** Sets {@code sub}. */
    public Builder subject(String subject) {
      return claim("sub", subject);
    }

    /** Sets {@code aud} to one string. */
    public Builder audience(String audience) {
      return claim("aud", audience);
    }

    /** Sets {@code aud} to an array of strings. */
    public Builder audience(List<String> audiences) {
      return claim("aud", List.copyOf(audiences));
    }

    /** Sets {@code exp} (whole seconds). */
    public Builder expiresAt(Instant at) {
      return claim("exp", at.getEpochSecond());
    }

    /** Sets {@code nbf} (whole seconds). */
    public Builder notBefore(Instant at) {
      return claim("nbf", at.getEpochSecond());
    }

    /** Sets {@code iat} (whole seconds). */
    public Builder issuedAt(Instant at) {
      return claim("iat", at.getEpochSecond());
    }

    /** Sets {@code jti}. */
    public Builder jwtId(String id) {
      return claim("jti", id);
    }

    /** Sets {@code scope} to the space-separated {@code scopeList}. */
    public Builder scopes(List<String> scopeList) {
      return claim("scope", String.join(" ", scopeList));
    }

    /**
     * Sets a claim to a JSON value: String, Boolean, a Number (integral or finite), a List or a Map with
     * String keys of such values, or null.
     *
     * @throws IllegalArgumentException naming the claim if the value is not a JSON value
     */
    public Builder claim(String name, @Nullable Object value) {
      Objects.requireNonNull(name, "name");
      if (!Json.isJsonValue(value)) {
        throw new IllegalArgumentException("claim '" + name + "' must be a JSON value, was "
            + (value == null ? "null" : value.getClass().getName()));
      }
      values.put(name, value == null ? Json.NULL : value);
      return this;
    }

    /** The claims set so far; the builder is not changed and can build again. */
    public Claims build() {
      return new Claims(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }
  }
}
