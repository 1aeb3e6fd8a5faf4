package dev.steadfast.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Server pushback: how long the server asked the client to wait, read from a failed attempt's result or
 * exception (an HTTP {@code Retry-After} header, a throttling error's retry hint). The next delay is then
 * {@code max(backoff, pushback)}, capped by {@link RetryPolicy.Builder#maxPushback(Duration)}.
 *
 * <p>Implementations must be thread-safe and cheap; they run once per failed attempt.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Pushback {

  /**
   * The wait the server asked for, or null when the attempt carries none.
   *
   * @param result the attempt's result when it was retried on its result, else null
   * @param failure the attempt's exception when it failed, else null
   */
  @Nullable Duration retryAfter(@Nullable Object result, @Nullable Throwable failure);

  /** No pushback: only the backoff decides. */
  static Pushback none() {
    return (result, failure) -> null;
  }

  /** Pushback carried by exceptions of {@code type} (or its subtypes), read by {@code extractor}. */
  static <E extends Throwable> Pushback onException(
      Class<E> type, Function<? super E, @Nullable Duration> extractor) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(extractor, "extractor");
    return (result, failure) -> type.isInstance(failure) ? extractor.apply(type.cast(failure)) : null;
  }

  /** Pushback carried by results of {@code type} (an HTTP response, say), read by {@code extractor}. */
  static <R> Pushback onResult(Class<R> type, Function<? super R, @Nullable Duration> extractor) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(extractor, "extractor");
    return (result, failure) -> type.isInstance(result) ? extractor.apply(type.cast(result)) : null;
  }

  /** The first of {@code this} and {@code other} that finds a pushback. */
  default Pushback or(Pushback other) {
    Objects.requireNonNull(other, "other");
    return (result, failure) -> {
      Duration mine = retryAfter(result, failure);
      return mine != null ? mine : other.retryAfter(result, failure);
    };
  }

  /**
   * Parses an HTTP {@code Retry-After} value (RFC 9110 section 10.2.3): delay-seconds ({@code "120"}) or an
   * HTTP-date ({@code "Wed, 21 Oct 2015 07:28:00 GMT"}), relative to {@code clock}.
   *
   * @return the wait, zero for a date in the past, or null when {@code value} is null, blank or malformed (a
   *     malformed hint is ignored, never fatal: the backoff still applies)
   */
  static @Nullable Duration parseRetryAfter(@Nullable String value, Clock clock) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String trimmed = value.trim();
    if (trimmed.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Duration.ofSeconds(Long.parseLong(trimmed));
      } catch (NumberFormatException tooLarge) {
        return null;
      }
    }
    try {
      Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(clock.instant(), at);
      return wait.isNegative() ? Duration.ZERO : wait;
    } catch (DateTimeParseException malformed) {
      return null;
    }
  }
}
