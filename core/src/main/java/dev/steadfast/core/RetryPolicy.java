package dev.steadfast.core;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * When and how often a pipeline retries a failed attempt. Immutable and thread-safe; build it once and share
 * it.
 *
 * <p>An attempt is retried when it threw an exception that {@code retryOn} accepts and {@code abortOn} does not,
 * or returned a result that {@code retryOnResult} accepts, and fewer than {@code maxAttempts} attempts were
 * made. The wait before the retry is {@code max(backoff, pushback)} capped by {@code maxPushback}. The pipeline
 * then also asks its {@link RetryBudget} and its {@link Deadline}: a retry that either refuses is not made, and
 * the call fails with the last attempt's own error (or returns its result).
 *
 * <p>Defaults: 3 attempts, exponential backoff from 100 ms, x2, up to 10 s with full jitter, retry on every
 * {@link Exception} except the local rejections of a circuit breaker, bulkhead, rate limiter or concurrency
 * limit and {@link DeadlineExceededException}; never on an {@link Error}; no pushback; pushback capped at 1
 * minute.
 *
 * @since 0.1.0
 */
public final class RetryPolicy {

  private static final Predicate<Throwable> DEFAULT_RETRY_ON = RetryPolicy::isRetryableByDefault;

  private final int maxAttempts;
  private final Backoff backoff;
  private final Predicate<Throwable> retryOn;
  private final @Nullable Predicate<Throwable> abortOn;
  private final @Nullable Predicate<@Nullable Object> retryOnResult;
  private final Pushback pushback;
  private final long maxPushbackNanos;

  private RetryPolicy(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.backoff = builder.backoff;
    this.retryOn = builder.retryOn;
    this.abortOn = builder.abortOn;
    this.retryOnResult = builder.retryOnResult;
    this.pushback = builder.pushback;
    this.maxPushbackNanos = builder.maxPushback.toNanos();
  }

  /** A builder with the defaults above. Not thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** The default policy. */
  public static RetryPolicy ofDefaults() {
    return builder().build();
  }

  /**
   * A policy that takes over a Resilience4j {@link RetryConfig}'s attempts and exception and result predicates
   * (its interval function is not used: set a {@link Backoff}).
   */
  public static Builder from(RetryConfig config) {
    Objects.requireNonNull(config, "config");
    Predicate<Throwable> exceptions = config.getExceptionPredicate();
    Predicate<Object> results = config.getResultPredicate();
    return builder()
        .maxAttempts(config.getMaxAttempts())
        .retryOn(exceptions)
        .retryOnResult(result -> result != null && results.test(result));
  }

  /** A builder that starts from this policy's settings. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.maxAttempts = maxAttempts;
    builder.backoff = backoff;
    builder.retryOn = retryOn;
    builder.abortOn = abortOn;
    builder.retryOnResult = retryOnResult;
    builder.pushback = pushback;
    builder.maxPushback = Duration.ofNanos(maxPushbackNanos);
    return builder;
  }

  /** The most attempts made, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The backoff between attempts. */
  public Backoff backoff() {
    return backoff;
  }

  /** The cap on a server's pushback. */
  public Duration maxPushback() {
    return Duration.ofNanos(maxPushbackNanos);
  }

  /** Whether a failed attempt's exception may be retried (attempts and budget aside). */
  public boolean retriesOn(Throwable failure) {
    Predicate<Throwable> abort = abortOn;
    return !(failure instanceof Error) && retryOn.test(failure) && (abort == null || !abort.test(failure));
  }

  /** Whether an attempt's result asks for a retry (attempts and budget aside). */
  public boolean retriesOnResult(@Nullable Object result) {
    Predicate<@Nullable Object> predicate = retryOnResult;
    return predicate != null && predicate.test(result);
  }

  /**
   * The wait before retry number {@code retry}: {@code max(backoff, pushback)}, the pushback capped at {@code
   * maxPushback}.
   */
  public long delayNanos(
      int retry,
      long previousNanos,
      @Nullable Object result,
      @Nullable Throwable failure,
      java.util.random.RandomGenerator random) {
    long delay = backoff.delayNanos(retry, previousNanos, random);
    Duration asked = pushback.retryAfter(result, failure);
    if (asked != null && !asked.isNegative()) {
      long askedNanos = asked.compareTo(Duration.ofNanos(maxPushbackNanos)) >= 0 ? maxPushbackNanos : asked.toNanos();
      delay = Math.max(delay, askedNanos);
    }
    return delay;
  }

  /**
   * Whether an exception is retried by default: any {@link Exception} but local rejections (breaker open,
   * bulkhead full, rate limited, concurrency limit reached) and an exceeded deadline.
   */
  public static boolean isRetryableByDefault(Throwable failure) {
    return failure instanceof Exception
        && !(failure instanceof CallNotPermittedException)
        && !(failure instanceof BulkheadFullException)
        && !(failure instanceof RequestNotPermitted)
        && !(failure instanceof LimitExceededException)
        && !(failure instanceof DeadlineExceededException)
        && !(failure instanceof InterruptedException);
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", " + backoff + ", maxPushback=" + maxPushback() + "]";
  }

  /** Builds a {@link RetryPolicy}. Not thread-safe; {@link #build()} copies, so it can build again. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Backoff backoff =
        Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10)).withJitter(Jitter.FULL);
    private Predicate<Throwable> retryOn = DEFAULT_RETRY_ON;
    private @Nullable Predicate<Throwable> abortOn;
    private @Nullable Predicate<@Nullable Object> retryOnResult;
    private Pushback pushback = Pushback.none();
    private Duration maxPushback = Duration.ofMinutes(1);

    private Builder() {}

    /**
     * The most attempts, the first included; 1 means no retry.
     *
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The backoff between attempts. */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /** Retry only exceptions that {@code predicate} accepts (replaces the default). Errors are never retried. */
    public Builder retryOn(Predicate<Throwable> predicate) {
      this.retryOn = Objects.requireNonNull(predicate, "retryOn");
      return this;
    }

    /**
     * Retry only exceptions of these types or their subtypes (replaces the default).
     *
     * @throws IllegalArgumentException if none is given or one is not a {@link Throwable} type
     */
    public Builder retryOn(Class<?>... types) {
      Class<?>[] copy = requireTypes("retryOn", types);
      return retryOn(failure -> isAny(failure, copy));
    }

    /** Never retry exceptions that {@code predicate} accepts, whatever {@code retryOn} says. */
    public Builder abortOn(Predicate<Throwable> predicate) {
      this.abortOn = Objects.requireNonNull(predicate, "abortOn");
      return this;
    }

    /**
     * Never retry exceptions of these types or their subtypes.
     *
     * @throws IllegalArgumentException if none is given or one is not a {@link Throwable} type
     */
    public Builder abortOn(Class<?>... types) {
      Class<?>[] copy = requireTypes("abortOn", types);
      return abortOn(failure -> isAny(failure, copy));
    }

    /** Also retry an attempt that returned a result {@code predicate} accepts (an HTTP 503, say). */
    public Builder retryOnResult(Predicate<@Nullable Object> predicate) {
      this.retryOnResult = Objects.requireNonNull(predicate, "retryOnResult");
      return this;
    }

    /** Read server pushback from failed attempts. */
    public Builder pushback(Pushback pushback) {
      this.pushback = Objects.requireNonNull(pushback, "pushback");
      return this;
    }

    /**
     * The longest pushback honoured; a longer one is cut to this.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxPushback(Duration maxPushback) {
      Objects.requireNonNull(maxPushback, "maxPushback");
      if (maxPushback.isNegative()) {
        throw new IllegalArgumentException("maxPushback must be >= 0, was " + maxPushback);
      }
      this.maxPushback = maxPushback;
      return this;
    }

    /** The policy; this builder is unchanged and may build again. */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }

    private static boolean isAny(Throwable failure, Class<?>[] types) {
      for (Class<?> type : types) {
        if (type.isInstance(failure)) {
          return true;
        }
      }
      return false;
    }

    private static Class<?>[] requireTypes(String setting, Class<?>[] types) {
      Objects.requireNonNull(types, setting);
      if (types.length == 0) {
        throw new IllegalArgumentException(setting + " needs at least one exception type, was none");
      }
      for (Class<?> type : types) {
        Objects.requireNonNull(type, setting + " type");
        if (!Throwable.class.isAssignableFrom(type)) {
          throw new IllegalArgumentException(
              setting + " takes exception types, was " + type.getName());
        }
      }
      return types.clone();
    }
  }
}
