package dev.steadfast.testkit.arbitraries;

import dev.steadfast.core.Backoff;
import dev.steadfast.core.Jitter;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.TimeSource;
import dev.steadfast.messaging.outbox.OutboxMessage;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Thread-safe, stateless factories of jqwik arbitraries for Steadfast configurations and messages: every value
 * they generate is valid, and together they reach the edges (no backoff, one attempt, an empty payload, a null
 * key). Each method returns a new arbitrary.
 *
 * <pre>{@code
 * @Property
 * void anyPolicyBoundsTheAttempts(@ForAll("policies") RetryPolicy policy) { ... }
 *
 * @Provide
 * Arbitrary<RetryPolicy> policies() {
 *   return SteadfastArbitraries.retryPolicies();
 * }
 * }</pre>
 *
 * <p>Needs {@code net.jqwik:jqwik-api} (and {@code steadfast-outbox} for {@link #outboxMessages()}) on the
 * test class path; the testkit declares both optional.
 *
 * @since 0.1.0
 */
public final class SteadfastArbitraries {

  private SteadfastArbitraries() {}

  /** Any jitter. */
  public static Arbitrary<Jitter> jitters() {
    return Arbitraries.of(Jitter.class);
  }

  /** Durations from {@code min} to {@code max}, whole milliseconds, edges included. */
  public static Arbitrary<Duration> durations(Duration min, Duration max) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("durations need 0 <= min <= max, was min " + min + ", max " + max);
    }
    return Arbitraries.longs().between(min.toMillis(), max.toMillis()).map(Duration::ofMillis);
  }

  /**
   * Any backoff: none, fixed up to 10 s, or exponential from 0 to 1 s by a factor of 1 to 4 up to 1 min, each
   * with any jitter.
   */
  public static Arbitrary<Backoff> backoffs() {
    Arbitrary<Backoff> fixed = durations(Duration.ZERO, Duration.ofSeconds(10)).map(Backoff::fixed);
    Arbitrary<Backoff> exponential =
        Combinators.combine(
                durations(Duration.ZERO, Duration.ofSeconds(1)),
                Arbitraries.doubles().between(1.0, 4.0).ofScale(2),
                durations(Duration.ofSeconds(1), Duration.ofMinutes(1)))
            .as(Backoff::exponential);
    return Combinators.combine(
            Arbitraries.oneOf(Arbitraries.just(Backoff.none()), fixed, exponential), jitters())
        .as(Backoff::withJitter);
  }

  /** Any retry policy: 1 to 10 attempts, any {@link #backoffs() backoff}, the default retry predicates. */
  public static Arbitrary<RetryPolicy> retryPolicies() {
    return Combinators.combine(Arbitraries.integers().between(1, 10), backoffs())
        .as((attempts, backoff) -> RetryPolicy.builder().maxAttempts(attempts).backoff(backoff).build());
  }

  /**
   * Any retry budget, a new instance per try (budgets keep state): a token bucket of 1 to 1000 tokens giving
   * back 0.01 to 1 per success, or a percentage of 0 to 10 over a window of 1 s to 1 h with a reserve of 0 to
   * 100 per second, on {@code time}.
   */
  public static Arbitrary<RetryBudget> retryBudgets(TimeSource time) {
    Objects.requireNonNull(time, "time");
    Arbitrary<RetryBudget> tokenBuckets =
        Combinators.combine(
                Arbitraries.doubles().between(1, 1000).ofScale(1),
                Arbitraries.doubles().between(0.01, 1).ofScale(2))
            .as(RetryBudget::tokenBucket);
    Arbitrary<RetryBudget> percentages =
        Combinators.combine(
                Arbitraries.doubles().between(0, 10).ofScale(2),
                durations(Duration.ofSeconds(1), Duration.ofHours(1)),
                Arbitraries.integers().between(0, 100))
            .as((percent, window, reserve) -> RetryBudget.percentOfRequests(percent, window, reserve, time));
    return Arbitraries.oneOf(tokenBuckets, percentages);
  }

  /** Destinations: 1 to 40 letters, digits, dots, dashes and underscores, as queue names allow. */
  public static Arbitrary<String> destinations() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('A', 'Z')
        .withCharRange('0', '9')
        .withChars('.', '-', '_')
        .ofMinLength(1)
        .ofMaxLength(40);
  }

  /**
   * Any valid outbox message: a seeded id, a {@link #destinations() destination}, a key or none, a payload of up
   * to 4 KiB of any bytes, and up to 5 headers with names and values of any characters (names not blank).
   */
  public static Arbitrary<OutboxMessage> outboxMessages() {
    Arbitrary<UUID> ids = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
    Arbitrary<String> keys = Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
    Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
    Arbitrary<String> headerNames =
        Arbitraries.strings().ofMinLength(1).ofMaxLength(20).filter(name -> !name.isBlank());
    Arbitrary<String> headerValues = Arbitraries.strings().ofMaxLength(100);
    return Combinators.combine(
            ids,
            destinations(),
            keys.injectNull(0.2),
            payloads,
            Arbitraries.maps(headerNames, headerValues).ofMaxSize(5))
        .as(OutboxMessage::new);
  }
}
