package dev.steadfast.core.internal;

/**
 * The fixed order of a pipeline's policies, outermost first, and why each sits where it does. The builder
 * rejects any other order with these reasons.
 */
public enum Stage {
  DEADLINE("deadline", "the deadline bounds the whole call: every retry, hedge and wait included"),
  RETRY_BUDGET("retryBudget", "the budget must see every original request and every retry or hedge"),
  RETRY(
      "retry",
      "each retry is a fresh attempt through the breaker, limits and timeout below it; outside the budget it"
          + " would escape it, inside the breaker the breaker would see one outcome per call"),
  HEDGE("hedge", "each hedge is one more attempt through the breaker, limits and timeout below it"),
  CIRCUIT_BREAKER(
      "circuitBreaker",
      "the breaker records each attempt exactly once; a breaker outside retry or hedge would record one"
          + " outcome for many attempts"),
  KEYED_BULKHEAD("keyedBulkhead", "a key's share is taken before the shared limits, so one key cannot fill them"),
  BULKHEAD("bulkhead", "the bulkhead counts only attempts the breaker let through"),
  ADAPTIVE_LIMIT("adaptiveLimit", "the adaptive limit counts only attempts the breaker let through"),
  KEYED_RATE_LIMITER("keyedRateLimiter", "a key's rate is charged before the shared rate"),
  RATE_LIMITER(
      "rateLimiter", "the rate limiter charges only attempts that will really be sent, after every other check"),
  ATTEMPT_TIMEOUT(
      "attemptTimeout", "the attempt timeout bounds the call itself, not the wait for a permit, and is innermost");

  private final String setting;
  private final String reason;

  Stage(String setting, String reason) {
    this.setting = setting;
    this.reason = reason;
  }

  /** The builder method that adds this stage. */
  public String setting() {
    return setting;
  }

  /** Why this stage sits where it does. */
  public String reason() {
    return reason;
  }

  /** The whole order, for messages: "deadline → retryBudget → ... → attemptTimeout". */
  public static String order() {
    StringBuilder order = new StringBuilder("(fallback, per call) → ");
    for (Stage stage : values()) {
      if (stage != DEADLINE) {
        order.append(" → ");
      }
      order.append(stage.setting);
    }
    return order.append(" → call").toString();
  }
}
