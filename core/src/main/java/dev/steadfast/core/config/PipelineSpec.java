package dev.steadfast.core.config;

import static dev.steadfast.core.config.Setting.ADAPTIVE_LIMIT_ALGORITHM;
import static dev.steadfast.core.config.Setting.ADAPTIVE_LIMIT_BACKOFF_RATIO;
import static dev.steadfast.core.config.Setting.ADAPTIVE_LIMIT_INITIAL_LIMIT;
import static dev.steadfast.core.config.Setting.ADAPTIVE_LIMIT_MAX_LIMIT;
import static dev.steadfast.core.config.Setting.ADAPTIVE_LIMIT_MIN_LIMIT;
import static dev.steadfast.core.config.Setting.ADAPTIVE_LIMIT_TIMEOUT;
import static dev.steadfast.core.config.Setting.ATTEMPT_TIMEOUT;
import static dev.steadfast.core.config.Setting.BREAKER_FAILURE_RATE_THRESHOLD;
import static dev.steadfast.core.config.Setting.BREAKER_MINIMUM_NUMBER_OF_CALLS;
import static dev.steadfast.core.config.Setting.BREAKER_PERMITTED_CALLS_IN_HALF_OPEN;
import static dev.steadfast.core.config.Setting.BREAKER_SLIDING_WINDOW_SIZE;
import static dev.steadfast.core.config.Setting.BREAKER_SLOW_CALL_DURATION;
import static dev.steadfast.core.config.Setting.BREAKER_SLOW_CALL_RATE_THRESHOLD;
import static dev.steadfast.core.config.Setting.BREAKER_WAIT_IN_OPEN;
import static dev.steadfast.core.config.Setting.BULKHEAD_MAX_CONCURRENT_CALLS;
import static dev.steadfast.core.config.Setting.BULKHEAD_MAX_WAIT;
import static dev.steadfast.core.config.Setting.DEADLINE;
import static dev.steadfast.core.config.Setting.HEDGE_DELAY;
import static dev.steadfast.core.config.Setting.HEDGE_MAX_ATTEMPTS;
import static dev.steadfast.core.config.Setting.HEDGE_MIN_DELAY;
import static dev.steadfast.core.config.Setting.HEDGE_PERCENTILE;
import static dev.steadfast.core.config.Setting.RATE_LIMITER_LIMIT_FOR_PERIOD;
import static dev.steadfast.core.config.Setting.RATE_LIMITER_PERIOD;
import static dev.steadfast.core.config.Setting.RATE_LIMITER_TIMEOUT;
import static dev.steadfast.core.config.Setting.RETRY_BACKOFF;
import static dev.steadfast.core.config.Setting.RETRY_BUDGET;
import static dev.steadfast.core.config.Setting.RETRY_INITIAL_DELAY;
import static dev.steadfast.core.config.Setting.RETRY_JITTER;
import static dev.steadfast.core.config.Setting.RETRY_MAX_ATTEMPTS;
import static dev.steadfast.core.config.Setting.RETRY_MAX_DELAY;
import static dev.steadfast.core.config.Setting.RETRY_MAX_PUSHBACK;
import static dev.steadfast.core.config.Setting.RETRY_MULTIPLIER;

import dev.steadfast.core.Jitter;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The validated settings of one configured pipeline: a value per setting, defaults filled in, every policy that
 * no key mentions null. Records, so that a reload can tell exactly which parts changed.
 */
record PipelineSpec(
    String name,
    @Nullable Duration deadline,
    @Nullable String retryBudget,
    @Nullable RetrySettings retry,
    @Nullable HedgeSettings hedge,
    @Nullable BreakerSettings circuitBreaker,
    @Nullable BulkheadSettings bulkhead,
    @Nullable RateLimiterSettings rateLimiter,
    @Nullable AdaptiveLimitSettings adaptiveLimit,
    @Nullable Duration attemptTimeout) {

  /** {@code retry.backoff}. */
  enum BackoffKind {
    NONE,
    FIXED,
    EXPONENTIAL
  }

  /** {@code adaptive-limit.algorithm}. */
  enum Algorithm {
    AIMD,
    GRADIENT
  }

  record RetrySettings(
      int maxAttempts,
      BackoffKind backoff,
      Duration initialDelay,
      double multiplier,
      Duration maxDelay,
      Jitter jitter,
      Duration maxPushback) {}

  /** Exactly one of {@code delay} and {@code percentile} is set. */
  record HedgeSettings(int maxAttempts, @Nullable Duration delay, @Nullable Double percentile, Duration minDelay) {}

  record BreakerSettings(
      double failureRateThreshold,
      int slidingWindowSize,
      int minimumNumberOfCalls,
      Duration waitInOpen,
      int permittedCallsInHalfOpen,
      Duration slowCallDuration,
      double slowCallRateThreshold) {}

  record BulkheadSettings(int maxConcurrentCalls, Duration maxWait) {}

  record RateLimiterSettings(int limitForPeriod, Duration period, Duration timeout) {}

  /** {@code backoffRatio} and {@code timeout} apply to AIMD only; gradient keeps their defaults. */
  record AdaptiveLimitSettings(
      Algorithm algorithm, int initialLimit, int minLimit, int maxLimit, double backoffRatio, Duration timeout) {}

  static final int DEFAULT_RETRY_MAX_ATTEMPTS = 3;
  static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(100);
  static final double DEFAULT_MULTIPLIER = 2.0;
  static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(10);
  static final Duration DEFAULT_MAX_PUSHBACK = Duration.ofMinutes(1);
  static final int DEFAULT_HEDGE_MAX_ATTEMPTS = 2;
  static final int DEFAULT_BULKHEAD_MAX_CONCURRENT_CALLS = 25;
  static final int DEFAULT_INITIAL_LIMIT = 20;
  static final int DEFAULT_MIN_LIMIT = 1;
  static final int DEFAULT_MAX_LIMIT = 200;
  static final double DEFAULT_BACKOFF_RATIO = 0.9;
  static final Duration DEFAULT_ADAPTIVE_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration NANOSECOND = Duration.ofNanos(1);
  private static final Duration MILLISECOND = Duration.ofMillis(1);
  private static final int MAX = Integer.MAX_VALUE;

  /**
   * Reads the pipeline {@code values} describes, recording every problem in it; {@code budgets} are the budget
   * names defined, in canonical form.
   */
  static PipelineSpec read(SettingValues values, Set<String> budgets) {
    Duration deadline =
        values.has(DEADLINE) ? values.duration(DEADLINE, Duration.ZERO, true, null, Duration.ZERO) : null;
    Duration attemptTimeout =
        values.has(ATTEMPT_TIMEOUT)
            ? values.duration(ATTEMPT_TIMEOUT, Duration.ZERO, true, null, Duration.ZERO)
            : null;
    RetrySettings retry = values.present("retry").isEmpty() ? null : retry(values);
    HedgeSettings hedge = values.present("hedge").isEmpty() ? null : hedge(values);
    String budget = values.reference(RETRY_BUDGET, "retry budget");

    if (budget != null && !budgets.contains(budget)) {
      values.problem(
          values.key(RETRY_BUDGET) + " names the budget '" + budget + "', which is not defined"
              + (budgets.isEmpty() ? "" : " (defined: " + String.join(", ", budgets) + ")") + "; define it with "
              + Setting.Scope.BUDGET.key(budget, Setting.BUDGET_TYPE.property()));
    }
    if (values.has(RETRY_BUDGET) && retry == null && hedge == null) {
      values.problem(
          values.key(RETRY_BUDGET) + " has no effect without retry.* or hedge.* settings: the budget only caps"
              + " retries and hedges");
    }
    if (deadline != null
        && attemptTimeout != null
        && values.ok(DEADLINE, ATTEMPT_TIMEOUT)
        && attemptTimeout.compareTo(deadline) > 0) {
      values.problem(
          values.describe(ATTEMPT_TIMEOUT, attemptTimeout) + " must be <= " + values.describe(DEADLINE, deadline)
              + ", or it could never fire");
    }
    return new PipelineSpec(
        values.name(),
        deadline,
        budget,
        retry,
        hedge,
        values.present("circuit-breaker").isEmpty() ? null : breaker(values),
        values.present("bulkhead").isEmpty() ? null : bulkhead(values),
        values.present("rate-limiter").isEmpty() ? null : rateLimiter(values),
        values.present("adaptive-limit").isEmpty() ? null : adaptiveLimit(values),
        attemptTimeout);
  }

  private static RetrySettings retry(SettingValues values) {
    int maxAttempts = values.integer(RETRY_MAX_ATTEMPTS, 1, MAX, DEFAULT_RETRY_MAX_ATTEMPTS);
    BackoffKind backoff = values.choice(RETRY_BACKOFF, BackoffKind.class, BackoffKind.EXPONENTIAL);
    Duration maxPushback =
        values.duration(RETRY_MAX_PUSHBACK, Duration.ZERO, false, null, DEFAULT_MAX_PUSHBACK);
    Duration initial = values.duration(RETRY_INITIAL_DELAY, Duration.ZERO, false, null, DEFAULT_INITIAL_DELAY);
    double multiplier = values.number(RETRY_MULTIPLIER, 1.0, true, Double.POSITIVE_INFINITY, false, DEFAULT_MULTIPLIER);
    Duration max = values.duration(RETRY_MAX_DELAY, Duration.ZERO, false, null, DEFAULT_MAX_DELAY);
    Jitter jitter =
        values.choice(RETRY_JITTER, Jitter.class, backoff == BackoffKind.EXPONENTIAL ? Jitter.FULL : Jitter.NONE);
    if (!values.ok(RETRY_BACKOFF)) {
      return new RetrySettings(maxAttempts, backoff, initial, multiplier, max, jitter, maxPushback);
    }
    switch (backoff) {
      case NONE -> {
        for (Setting setting : new Setting[] {RETRY_INITIAL_DELAY, RETRY_MULTIPLIER, RETRY_MAX_DELAY, RETRY_JITTER}) {
          values.reject(
              setting,
              "applies only when " + values.key(RETRY_BACKOFF) + " is fixed or exponential, but it is none");
        }
        return new RetrySettings(maxAttempts, backoff, Duration.ZERO, 1.0, Duration.ZERO, Jitter.NONE, maxPushback);
      }
      case FIXED -> {
        for (Setting setting : new Setting[] {RETRY_MULTIPLIER, RETRY_MAX_DELAY}) {
          values.reject(
              setting, "applies only when " + values.key(RETRY_BACKOFF) + " is exponential, but it is fixed");
        }
        return new RetrySettings(maxAttempts, backoff, initial, 1.0, initial, jitter, maxPushback);
      }
      case EXPONENTIAL -> {
        if (values.ok(RETRY_INITIAL_DELAY, RETRY_MAX_DELAY) && max.compareTo(initial) < 0) {
          values.problem(
              values.describe(RETRY_MAX_DELAY, max) + " must be >= "
                  + values.describe(RETRY_INITIAL_DELAY, initial));
        }
        return new RetrySettings(maxAttempts, backoff, initial, multiplier, max, jitter, maxPushback);
      }
    }
    throw new AssertionError(backoff);
  }

  private static HedgeSettings hedge(SettingValues values) {
    int maxAttempts = values.integer(HEDGE_MAX_ATTEMPTS, 2, 10, DEFAULT_HEDGE_MAX_ATTEMPTS);
    if (values.has(HEDGE_DELAY) && values.has(HEDGE_PERCENTILE)) {
      values.problem(
          values.key(HEDGE_DELAY) + " and " + values.key(HEDGE_PERCENTILE) + " exclude each other: hedge after a"
              + " fixed delay or at a latency percentile, not both");
      return new HedgeSettings(maxAttempts, null, null, Duration.ZERO);
    }
    if (!values.has(HEDGE_DELAY) && !values.has(HEDGE_PERCENTILE)) {
      values.problem(
          "hedging (set by " + values.key(values.present("hedge").get(0)) + ") needs " + values.key(HEDGE_DELAY)
              + " or " + values.key(HEDGE_PERCENTILE) + " (with " + HEDGE_MIN_DELAY.property() + ")");
      return new HedgeSettings(maxAttempts, null, null, Duration.ZERO);
    }
    if (values.has(HEDGE_PERCENTILE)) {
      double percentile = values.number(HEDGE_PERCENTILE, 0, false, 100, false, 95);
      values.require(HEDGE_MIN_DELAY, "with " + values.key(HEDGE_PERCENTILE) + ": it is the delay until enough"
          + " latencies are known, and the least delay after");
      Duration minDelay = values.duration(HEDGE_MIN_DELAY, Duration.ZERO, false, null, Duration.ZERO);
      return new HedgeSettings(maxAttempts, null, percentile, minDelay);
    }
    values.reject(HEDGE_MIN_DELAY, "applies only with " + HEDGE_PERCENTILE.property());
    Duration delay = values.duration(HEDGE_DELAY, Duration.ZERO, false, null, Duration.ZERO);
    return new HedgeSettings(maxAttempts, delay, null, Duration.ZERO);
  }

  private static BreakerSettings breaker(SettingValues values) {
    return new BreakerSettings(
        values.number(BREAKER_FAILURE_RATE_THRESHOLD, 0, false, 100, true, 50),
        values.integer(BREAKER_SLIDING_WINDOW_SIZE, 1, MAX, 100),
        values.integer(BREAKER_MINIMUM_NUMBER_OF_CALLS, 1, MAX, 100),
        values.duration(BREAKER_WAIT_IN_OPEN, MILLISECOND, false, null, Duration.ofSeconds(60)),
        values.integer(BREAKER_PERMITTED_CALLS_IN_HALF_OPEN, 1, MAX, 10),
        values.duration(BREAKER_SLOW_CALL_DURATION, NANOSECOND, false, null, Duration.ofSeconds(60)),
        values.number(BREAKER_SLOW_CALL_RATE_THRESHOLD, 0, false, 100, true, 100));
  }

  private static BulkheadSettings bulkhead(SettingValues values) {
    return new BulkheadSettings(
        values.integer(BULKHEAD_MAX_CONCURRENT_CALLS, 1, MAX, DEFAULT_BULKHEAD_MAX_CONCURRENT_CALLS),
        values.duration(BULKHEAD_MAX_WAIT, Duration.ZERO, false, null, Duration.ZERO));
  }

  private static RateLimiterSettings rateLimiter(SettingValues values) {
    String why = "for a rate limiter (set by " + values.key(values.present("rate-limiter").get(0)) + ")";
    values.require(RATE_LIMITER_LIMIT_FOR_PERIOD, why);
    values.require(RATE_LIMITER_PERIOD, why);
    return new RateLimiterSettings(
        values.integer(RATE_LIMITER_LIMIT_FOR_PERIOD, 1, MAX, 1),
        values.duration(RATE_LIMITER_PERIOD, NANOSECOND, false, null, Duration.ofSeconds(1)),
        values.duration(RATE_LIMITER_TIMEOUT, Duration.ZERO, false, null, Duration.ZERO));
  }

  private static AdaptiveLimitSettings adaptiveLimit(SettingValues values) {
    values.require(
        ADAPTIVE_LIMIT_ALGORITHM,
        "for an adaptive limit (set by " + values.key(values.present("adaptive-limit").get(0)) + ")");
    Algorithm algorithm = values.choice(ADAPTIVE_LIMIT_ALGORITHM, Algorithm.class, Algorithm.AIMD);
    int initial = values.integer(ADAPTIVE_LIMIT_INITIAL_LIMIT, 1, MAX, DEFAULT_INITIAL_LIMIT);
    int min = values.integer(ADAPTIVE_LIMIT_MIN_LIMIT, 1, MAX, DEFAULT_MIN_LIMIT);
    int max = values.integer(ADAPTIVE_LIMIT_MAX_LIMIT, 1, MAX, DEFAULT_MAX_LIMIT);
    if (values.ok(ADAPTIVE_LIMIT_INITIAL_LIMIT, ADAPTIVE_LIMIT_MIN_LIMIT) && initial < min) {
      values.problem(
          values.describe(ADAPTIVE_LIMIT_INITIAL_LIMIT, initial) + " must be >= "
              + values.describe(ADAPTIVE_LIMIT_MIN_LIMIT, min));
    }
    if (values.ok(ADAPTIVE_LIMIT_INITIAL_LIMIT, ADAPTIVE_LIMIT_MAX_LIMIT) && max < initial) {
      values.problem(
          values.describe(ADAPTIVE_LIMIT_MAX_LIMIT, max) + " must be >= "
              + values.describe(ADAPTIVE_LIMIT_INITIAL_LIMIT, initial));
    }
    double backoffRatio = DEFAULT_BACKOFF_RATIO;
    Duration timeout = DEFAULT_ADAPTIVE_TIMEOUT;
    if (algorithm == Algorithm.AIMD) {
      backoffRatio = values.number(ADAPTIVE_LIMIT_BACKOFF_RATIO, 0.5, true, 1.0, false, DEFAULT_BACKOFF_RATIO);
      timeout = values.duration(ADAPTIVE_LIMIT_TIMEOUT, Duration.ZERO, true, null, DEFAULT_ADAPTIVE_TIMEOUT);
    } else if (values.ok(ADAPTIVE_LIMIT_ALGORITHM)) {
      String why = "applies only when " + values.key(ADAPTIVE_LIMIT_ALGORITHM) + " is aimd, but it is gradient";
      values.reject(ADAPTIVE_LIMIT_BACKOFF_RATIO, why);
      values.reject(ADAPTIVE_LIMIT_TIMEOUT, why);
    }
    return new AdaptiveLimitSettings(algorithm, initial, min, max, backoffRatio, timeout);
  }
}
