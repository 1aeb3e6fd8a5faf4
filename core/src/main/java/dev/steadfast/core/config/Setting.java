package dev.steadfast.core.config;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Every key the configuration knows, in its documented (kebab-case) property form, below {@code
 * steadfast.pipeline.<name>.} or {@code steadfast.budget.<name>.}. A key is matched on its canonical form: lower
 * case with every '-' removed, so {@code retry.max-attempts}, {@code retry.maxAttempts} and {@code
 * retry.maxattempts} are one key, and so is the environment variable suffix {@code RETRY_MAXATTEMPTS}.
 */
enum Setting {
  DEADLINE(Scope.PIPELINE, "deadline"),
  RETRY_MAX_ATTEMPTS(Scope.PIPELINE, "retry.max-attempts"),
  RETRY_BACKOFF(Scope.PIPELINE, "retry.backoff"),
  RETRY_INITIAL_DELAY(Scope.PIPELINE, "retry.initial-delay"),
  RETRY_MULTIPLIER(Scope.PIPELINE, "retry.multiplier"),
  RETRY_MAX_DELAY(Scope.PIPELINE, "retry.max-delay"),
  RETRY_JITTER(Scope.PIPELINE, "retry.jitter"),
  RETRY_MAX_PUSHBACK(Scope.PIPELINE, "retry.max-pushback"),
  RETRY_BUDGET(Scope.PIPELINE, "retry-budget"),
  HEDGE_MAX_ATTEMPTS(Scope.PIPELINE, "hedge.max-attempts"),
  HEDGE_DELAY(Scope.PIPELINE, "hedge.delay"),
  HEDGE_PERCENTILE(Scope.PIPELINE, "hedge.percentile"),
  HEDGE_MIN_DELAY(Scope.PIPELINE, "hedge.min-delay"),
  BREAKER_FAILURE_RATE_THRESHOLD(Scope.PIPELINE, "circuit-breaker.failure-rate-threshold"),
  BREAKER_SLIDING_WINDOW_SIZE(Scope.PIPELINE, "circuit-breaker.sliding-window-size"),
  BREAKER_MINIMUM_NUMBER_OF_CALLS(Scope.PIPELINE, "circuit-breaker.minimum-number-of-calls"),
  BREAKER_WAIT_IN_OPEN(Scope.PIPELINE, "circuit-breaker.wait-in-open"),
  BREAKER_PERMITTED_CALLS_IN_HALF_OPEN(Scope.PIPELINE, "circuit-breaker.permitted-calls-in-half-open"),
  BREAKER_SLOW_CALL_DURATION(Scope.PIPELINE, "circuit-breaker.slow-call-duration"),
  BREAKER_SLOW_CALL_RATE_THRESHOLD(Scope.PIPELINE, "circuit-breaker.slow-call-rate-threshold"),
  BULKHEAD_MAX_CONCURRENT_CALLS(Scope.PIPELINE, "bulkhead.max-concurrent-calls"),
  BULKHEAD_MAX_WAIT(Scope.PIPELINE, "bulkhead.max-wait"),
  RATE_LIMITER_LIMIT_FOR_PERIOD(Scope.PIPELINE, "rate-limiter.limit-for-period"),
  RATE_LIMITER_PERIOD(Scope.PIPELINE, "rate-limiter.period"),
  RATE_LIMITER_TIMEOUT(Scope.PIPELINE, "rate-limiter.timeout"),
  ADAPTIVE_LIMIT_ALGORITHM(Scope.PIPELINE, "adaptive-limit.algorithm"),
  ADAPTIVE_LIMIT_INITIAL_LIMIT(Scope.PIPELINE, "adaptive-limit.initial-limit"),
  ADAPTIVE_LIMIT_MIN_LIMIT(Scope.PIPELINE, "adaptive-limit.min-limit"),
  ADAPTIVE_LIMIT_MAX_LIMIT(Scope.PIPELINE, "adaptive-limit.max-limit"),
  ADAPTIVE_LIMIT_BACKOFF_RATIO(Scope.PIPELINE, "adaptive-limit.backoff-ratio"),
  ADAPTIVE_LIMIT_TIMEOUT(Scope.PIPELINE, "adaptive-limit.timeout"),
  ATTEMPT_TIMEOUT(Scope.PIPELINE, "attempt-timeout"),

  BUDGET_TYPE(Scope.BUDGET, "type"),
  BUDGET_MAX_TOKENS(Scope.BUDGET, "max-tokens"),
  BUDGET_TOKEN_RATIO(Scope.BUDGET, "token-ratio"),
  BUDGET_PERCENT(Scope.BUDGET, "percent"),
  BUDGET_WINDOW(Scope.BUDGET, "window"),
  BUDGET_MIN_RETRIES_PER_SECOND(Scope.BUDGET, "min-retries-per-second");

  /** Where a setting lives: {@code steadfast.pipeline.<name>.} or {@code steadfast.budget.<name>.}. */
  enum Scope {
    PIPELINE("pipeline"),
    BUDGET("budget");

    private final String section;

    Scope(String section) {
      this.section = section;
    }

    /** The key segment after {@code steadfast.}. */
    String section() {
      return section;
    }

    /** The documented key of {@code setting} of the pipeline or budget {@code name}. */
    String key(String name, String setting) {
      return "steadfast." + section + "." + name + "." + setting;
    }
  }

  private final Scope scope;
  private final String property;
  private final String canonical;

  Setting(Scope scope, String property) {
    this.scope = scope;
    this.property = property;
    this.canonical = canonical(property);
  }

  Scope scope() {
    return scope;
  }

  /** The documented form, e.g. {@code retry.max-attempts}. */
  String property() {
    return property;
  }

  /** The form keys are matched on, e.g. {@code retry.maxattempts}. */
  String canonical() {
    return canonical;
  }

  /** The policy the setting belongs to ({@code retry}, {@code circuit-breaker}, ...), or "" for a plain one. */
  String policy() {
    int dot = property.indexOf('.');
    return dot < 0 ? "" : property.substring(0, dot);
  }

  /** The setting of {@code scope} whose canonical form is {@code canonical}, or null. */
  static @Nullable Setting find(Scope scope, String canonical) {
    for (Setting setting : values()) {
      if (setting.scope == scope && setting.canonical.equals(canonical)) {
        return setting;
      }
    }
    return null;
  }

  /**
   * The known setting of {@code scope} closest to the unknown {@code canonical} (an edit distance of at most 3),
   * to suggest in the error message, or null.
   */
  static @Nullable Setting closest(Scope scope, String canonical) {
    Setting best = null;
    int bestDistance = 4;
    for (Setting setting : values()) {
      if (setting.scope != scope) {
        continue;
      }
      int distance = editDistance(setting.canonical, canonical);
      if (distance < bestDistance) {
        best = setting;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** Lower case with every '-' removed: the form keys and names are compared in. */
  static String canonical(String text) {
    return text.toLowerCase(Locale.ROOT).replace("-", "");
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
