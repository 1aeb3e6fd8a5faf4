package dev.steadfast.core.config;

import static dev.steadfast.core.config.Setting.BUDGET_MAX_TOKENS;
import static dev.steadfast.core.config.Setting.BUDGET_MIN_RETRIES_PER_SECOND;
import static dev.steadfast.core.config.Setting.BUDGET_PERCENT;
import static dev.steadfast.core.config.Setting.BUDGET_TOKEN_RATIO;
import static dev.steadfast.core.config.Setting.BUDGET_TYPE;
import static dev.steadfast.core.config.Setting.BUDGET_WINDOW;

import java.time.Duration;

/**
 * The validated settings of one configured retry budget. The settings of the other type keep their defaults, so
 * that two specs are equal exactly when they build the same budget.
 */
record BudgetSpec(
    String name,
    Type type,
    double maxTokens,
    double tokenRatio,
    double percent,
    Duration window,
    int minRetriesPerSecond) {

  /** {@code steadfast.budget.<name>.type}. */
  enum Type {
    TOKEN_BUCKET,
    PERCENT
  }

  static final double DEFAULT_MAX_TOKENS = 10;
  static final double DEFAULT_TOKEN_RATIO = 0.1;
  static final double DEFAULT_PERCENT = 0.2;
  static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
  static final int DEFAULT_MIN_RETRIES_PER_SECOND = 10;

  /** Reads the budget {@code values} describes, recording every problem in it. */
  static BudgetSpec read(SettingValues values) {
    values.require(BUDGET_TYPE, "for every budget: token-bucket or percent");
    Type type = values.choice(BUDGET_TYPE, Type.class, Type.TOKEN_BUCKET);
    double maxTokens = DEFAULT_MAX_TOKENS;
    double tokenRatio = DEFAULT_TOKEN_RATIO;
    double percent = DEFAULT_PERCENT;
    Duration window = DEFAULT_WINDOW;
    int minRetriesPerSecond = DEFAULT_MIN_RETRIES_PER_SECOND;
    if (!values.has(BUDGET_TYPE) || !values.ok(BUDGET_TYPE)) {
      return new BudgetSpec(values.name(), type, maxTokens, tokenRatio, percent, window, minRetriesPerSecond);
    }
    if (type == Type.TOKEN_BUCKET) {
      maxTokens = values.number(BUDGET_MAX_TOKENS, 0, false, 1000, true, DEFAULT_MAX_TOKENS);
      tokenRatio = values.number(BUDGET_TOKEN_RATIO, 0, false, 1, true, DEFAULT_TOKEN_RATIO);
      for (Setting other : new Setting[] {BUDGET_PERCENT, BUDGET_WINDOW, BUDGET_MIN_RETRIES_PER_SECOND}) {
        values.reject(other, "applies only when " + values.key(BUDGET_TYPE) + " is percent, but it is token-bucket");
      }
    } else {
      percent = values.number(BUDGET_PERCENT, 0, true, 10, true, DEFAULT_PERCENT);
      window = values.duration(BUDGET_WINDOW, Duration.ofSeconds(1), false, Duration.ofHours(1), DEFAULT_WINDOW);
      minRetriesPerSecond =
          values.integer(BUDGET_MIN_RETRIES_PER_SECOND, 0, Integer.MAX_VALUE, DEFAULT_MIN_RETRIES_PER_SECOND);
      for (Setting other : new Setting[] {BUDGET_MAX_TOKENS, BUDGET_TOKEN_RATIO}) {
        values.reject(other, "applies only when " + values.key(BUDGET_TYPE) + " is token-bucket, but it is percent");
      }
    }
    return new BudgetSpec(values.name(), type, maxTokens, tokenRatio, percent, window, minRetriesPerSecond);
  }
}
