package dev.steadfast.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PipelinePropertiesRejectionTest {

  private static final String P = "steadfast.pipeline.orders.";
  private static final String B = "steadfast.budget.shared.";

  /**
   * One bad value for every setting, with the other keys that setting needs to be read at all; the problem must
   * name the key and the value.
   */
  static Stream<Arguments> badValues() {
    return Stream.of(
        bad(Setting.DEADLINE, "0s", "a duration > 0"),
        bad(Setting.RETRY_MAX_ATTEMPTS, "zero", "an integer >= 1"),
        bad(Setting.RETRY_BACKOFF, "linear", "one of none, fixed, exponential"),
        bad(Setting.RETRY_INITIAL_DELAY, "-1s", "a duration >= 0"),
        bad(Setting.RETRY_MULTIPLIER, "0.5", "a number >= 1"),
        bad(Setting.RETRY_MAX_DELAY, "soon", "a duration >= 0"),
        bad(Setting.RETRY_JITTER, "some", "one of none, full, equal, decorrelated"),
        bad(Setting.RETRY_MAX_PUSHBACK, "PT-1S", "a duration >= 0"),
        bad(Setting.RETRY_BUDGET, "Shared", "the name of a retry budget (lower-case letters and digits, optionally separated by '-')", P + "retry.max-attempts", "2"),
        bad(Setting.HEDGE_MAX_ATTEMPTS, "11", "an integer in [2, 10]", P + "hedge.delay", "10ms"),
        bad(Setting.HEDGE_DELAY, "-PT1S", "a duration >= 0"),
        bad(Setting.HEDGE_PERCENTILE, "100", "a number in (0, 100)", P + "hedge.min-delay", "5ms"),
        bad(Setting.HEDGE_MIN_DELAY, "5", "a duration >= 0", P + "hedge.percentile", "99"),
        bad(Setting.BREAKER_FAILURE_RATE_THRESHOLD, "0", "a number in (0, 100]"),
        bad(Setting.BREAKER_SLIDING_WINDOW_SIZE, "0", "an integer >= 1"),
        bad(Setting.BREAKER_MINIMUM_NUMBER_OF_CALLS, "-1", "an integer >= 1"),
        bad(Setting.BREAKER_WAIT_IN_OPEN, "0ms", "a duration >= 1ms"),
        bad(Setting.BREAKER_PERMITTED_CALLS_IN_HALF_OPEN, "1.5", "an integer >= 1"),
        bad(Setting.BREAKER_SLOW_CALL_DURATION, "0s", "a duration >= 1ns"),
        bad(Setting.BREAKER_SLOW_CALL_RATE_THRESHOLD, "101", "a number in (0, 100]"),
        bad(Setting.BULKHEAD_MAX_CONCURRENT_CALLS, "0", "an integer >= 1"),
        bad(Setting.BULKHEAD_MAX_WAIT, "forever", "a duration >= 0"),
        bad(Setting.RATE_LIMITER_LIMIT_FOR_PERIOD, "0", "an integer >= 1", P + "rate-limiter.period", "1s"),
        bad(Setting.RATE_LIMITER_PERIOD, "0s", "a duration >= 1ns", P + "rate-limiter.limit-for-period", "10"),
        bad(
            Setting.RATE_LIMITER_TIMEOUT,
            "x",
            "a duration >= 0",
            P + "rate-limiter.limit-for-period",
            "10",
            P + "rate-limiter.period",
            "1s"),
        bad(Setting.ADAPTIVE_LIMIT_ALGORITHM, "vegas", "one of aimd, gradient"),
        bad(Setting.ADAPTIVE_LIMIT_INITIAL_LIMIT, "0", "an integer >= 1", P + "adaptive-limit.algorithm", "aimd"),
        bad(Setting.ADAPTIVE_LIMIT_MIN_LIMIT, "0", "an integer >= 1", P + "adaptive-limit.algorithm", "aimd"),
        bad(Setting.ADAPTIVE_LIMIT_MAX_LIMIT, "many", "an integer >= 1", P + "adaptive-limit.algorithm", "gradient"),
        bad(Setting.ADAPTIVE_LIMIT_BACKOFF_RATIO, "1.0", "a number in [0.5, 1)", P + "adaptive-limit.algorithm", "aimd"),
        bad(Setting.ADAPTIVE_LIMIT_TIMEOUT, "0s", "a duration > 0", P + "adaptive-limit.algorithm", "aimd"),
        bad(Setting.ATTEMPT_TIMEOUT, "-5ms", "a duration > 0"),
        bad(Setting.BUDGET_TYPE, "leaky", "one of token-bucket, percent"),
        bad(Setting.BUDGET_MAX_TOKENS, "1001", "a number in (0, 1000]", B + "type", "token-bucket"),
        bad(Setting.BUDGET_TOKEN_RATIO, "0", "a number in (0, 1]", B + "type", "token-bucket"),
        bad(Setting.BUDGET_PERCENT, "11", "a number in [0, 10]", B + "type", "percent"),
        bad(Setting.BUDGET_WINDOW, "2h", "a duration between 1s and 1h", B + "type", "percent"),
        bad(Setting.BUDGET_MIN_RETRIES_PER_SECOND, "-1", "an integer >= 0", B + "type", "percent"));
  }

  private static Arguments bad(Setting setting, String value, String expected, String... companions) {
    String key = (setting.scope() == Setting.Scope.PIPELINE ? P : B) + setting.property();
    Map<String, String> properties = new HashMap<>();
    for (int i = 0; i < companions.length; i += 2) {
      properties.put(companions[i], companions[i + 1]);
    }
    properties.put(key, value);
    return Arguments.of(setting, key, value, expected, properties);
  }

  @Test
  void everySettingHasABadValueCase() {
    Set<Setting> covered =
        badValues().map(arguments -> (Setting) arguments.get()[0]).collect(Collectors.toCollection(() -> EnumSet.noneOf(Setting.class)));

    assertThat(covered).containsExactlyInAnyOrder(Setting.values());
  }

  @ParameterizedTest(name = "{1}={2}")
  @MethodSource("badValues")
  void aBadValueIsRejectedNamingTheKeyAndTheValue(
      Setting setting, String key, String value, String expected, Map<String, String> properties) {
    InvalidConfigException thrown =
        catchThrowableOfType(InvalidConfigException.class, () -> PipelineProperties.of(properties));

    assertThat(thrown).as("%s=%s is rejected", key, value).isNotNull();
    assertThat(thrown.problems())
        .containsExactly(key + " must be " + expected + (expected.startsWith("a duration") ? " (like 500ms, 2s, 1m, 1h or PT2S)" : "") + ", was '" + value + "'");
  }

  @Test
  void theMessageOfASingleProblemIsTheProblem() {
    assertThatThrownBy(
            () -> PipelineProperties.of(Map.of("steadfast.pipeline.orders.retry.max-attempts", "zero")))
        .isInstanceOf(InvalidConfigException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("steadfast.pipeline.orders.retry.max-attempts must be an integer >= 1, was 'zero'");
  }

  @Test
  void anUnknownSettingIsRejectedByNameWithASuggestion() {
    assertThatThrownBy(
            () -> PipelineProperties.of(Map.of("steadfast.pipeline.orders.retry.max-atempts", "3")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "unknown setting 'steadfast.pipeline.orders.retry.max-atempts'; did you mean"
                + " 'steadfast.pipeline.orders.retry.max-attempts'?");
  }

  @Test
  void anUnknownEnvironmentVariableIsRejectedByNameWithASuggestionInItsOwnForm() {
    assertThatThrownBy(
            () ->
                PipelineProperties.fromEnvironment(
                    Map.of("STEADFAST_PIPELINE_ORDERS_RETRY_MAX_ATTEMPTS", "3")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "unknown setting 'STEADFAST_PIPELINE_ORDERS_RETRY_MAX_ATTEMPTS'; did you mean"
                + " 'STEADFAST_PIPELINE_ORDERS_RETRY_MAXATTEMPTS'?");
  }

  @Test
  void anUnknownSettingFarFromAnyIsRejectedWithoutASuggestion() {
    assertThatThrownBy(() -> PipelineProperties.of(Map.of("steadfast.pipeline.orders.colour", "blue")))
        .hasMessage("unknown setting 'steadfast.pipeline.orders.colour'");
  }

  @Test
  void anUnknownSectionUnderTheSteadfastPrefixIsRejected() {
    assertThatThrownBy(() -> PipelineProperties.of(Map.of("steadfast.pipline.orders.deadline", "1s")))
        .hasMessageStartingWith("unknown setting 'steadfast.pipline.orders.deadline'");
  }

  @Test
  void aKeyWithoutASettingIsRejected() {
    assertThatThrownBy(() -> PipelineProperties.of(Map.of("steadfast.pipeline.orders", "on")))
        .hasMessage("'steadfast.pipeline.orders' names no setting: expected steadfast.pipeline.<name>.<setting>");
  }

  @Test
  void namesThatAreNotLowerCaseAlphanumericAreRejected() {
    InvalidConfigException thrown =
        catchThrowableOfType(
            InvalidConfigException.class,
            () ->
                PipelineProperties.of(
                    Map.of(
                        "steadfast.pipeline.Orders.deadline", "1s",
                        "steadfast.pipeline.order_service.deadline", "1s",
                        "steadfast.budget.-x.type", "percent",
                        "steadfast.pipeline..deadline", "1s")));

    assertThat(thrown.problems())
        .containsExactly(
            "the budget name '-x' in 'steadfast.budget.-x.type' must be lower-case letters and digits, optionally"
                + " separated by '-'",
            "the pipeline name '' in 'steadfast.pipeline..deadline' must be lower-case letters and digits,"
                + " optionally separated by '-'",
            "the pipeline name 'Orders' in 'steadfast.pipeline.Orders.deadline' must be lower-case letters and"
                + " digits, optionally separated by '-'",
            "the pipeline name 'order_service' in 'steadfast.pipeline.order_service.deadline' must be lower-case"
                + " letters and digits, optionally separated by '-'");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    InvalidConfigException thrown =
        catchThrowableOfType(
            InvalidConfigException.class,
            () ->
                PipelineProperties.of(
                    Map.of(
                        P + "retry.max-attempts", "zero",
                        P + "retry.max-atempts", "3",
                        P + "deadline", "soon",
                        "steadfast.pipeline.search.bulkhead.max-concurrent-calls", "-2",
                        "server.port", "not ours")));

    assertThat(thrown.problems())
        .containsExactly(
            "unknown setting 'steadfast.pipeline.orders.retry.max-atempts'; did you mean"
                + " 'steadfast.pipeline.orders.retry.max-attempts'?",
            "steadfast.pipeline.orders.deadline must be a duration > 0 (like 500ms, 2s, 1m, 1h or PT2S), was"
                + " 'soon'",
            "steadfast.pipeline.orders.retry.max-attempts must be an integer >= 1, was 'zero'",
            "steadfast.pipeline.search.bulkhead.max-concurrent-calls must be an integer >= 1, was '-2'");
    assertThat(thrown)
        .hasMessageStartingWith("4 problems in the Steadfast configuration:\n  - unknown setting");
  }

  @Test
  void oneSettingWrittenTwiceWithDifferentValuesIsRejected() {
    assertThatThrownBy(
            () ->
                PipelineProperties.of(
                    Map.of(P + "retry.max-attempts", "3", P + "retry.maxAttempts", "4")))
        .hasMessage(
            "'steadfast.pipeline.orders.retry.max-attempts' and 'steadfast.pipeline.orders.retry.maxAttempts' are"
                + " the same setting with different values ('3' and '4')");
  }

  static Stream<Arguments> contradictions() {
    return Stream.of(
        Arguments.of(
            Map.of(P + "attempt-timeout", "3s", P + "deadline", "2s"),
            List.of(
                "steadfast.pipeline.orders.attempt-timeout (PT3S) must be <= steadfast.pipeline.orders.deadline"
                    + " (PT2S), or it could never fire")),
        Arguments.of(
            Map.of(P + "retry.initial-delay", "20s"),
            List.of(
                "steadfast.pipeline.orders.retry.max-delay (PT10S, the default) must be >="
                    + " steadfast.pipeline.orders.retry.initial-delay (PT20S)")),
        Arguments.of(
            Map.of(P + "retry.backoff", "none", P + "retry.jitter", "full", P + "retry.initial-delay", "1s"),
            List.of(
                "steadfast.pipeline.orders.retry.initial-delay applies only when"
                    + " steadfast.pipeline.orders.retry.backoff is fixed or exponential, but it is none",
                "steadfast.pipeline.orders.retry.jitter applies only when steadfast.pipeline.orders.retry.backoff is"
                    + " fixed or exponential, but it is none")),
        Arguments.of(
            Map.of(P + "retry.backoff", "fixed", P + "retry.multiplier", "2"),
            List.of(
                "steadfast.pipeline.orders.retry.multiplier applies only when steadfast.pipeline.orders.retry.backoff"
                    + " is exponential, but it is fixed")),
        Arguments.of(
            Map.of(P + "retry-budget", "shared", B + "type", "percent"),
            List.of(
                "steadfast.pipeline.orders.retry-budget has no effect without retry.* or hedge.* settings: the"
                    + " budget only caps retries and hedges")),
        Arguments.of(
            Map.of(P + "retry-budget", "payments", P + "retry.max-attempts", "2", B + "type", "percent"),
            List.of(
                "steadfast.pipeline.orders.retry-budget names the budget 'payments', which is not defined"
                    + " (defined: shared); define it with steadfast.budget.payments.type")),
        Arguments.of(
            Map.of(P + "hedge.delay", "5ms", P + "hedge.percentile", "90"),
            List.of(
                "steadfast.pipeline.orders.hedge.delay and steadfast.pipeline.orders.hedge.percentile exclude each"
                    + " other: hedge after a fixed delay or at a latency percentile, not both")),
        Arguments.of(
            Map.of(P + "hedge.max-attempts", "3"),
            List.of(
                "hedging (set by steadfast.pipeline.orders.hedge.max-attempts) needs"
                    + " steadfast.pipeline.orders.hedge.delay or steadfast.pipeline.orders.hedge.percentile (with"
                    + " hedge.min-delay)")),
        Arguments.of(
            Map.of(P + "hedge.percentile", "90"),
            List.of(
                "steadfast.pipeline.orders.hedge.min-delay is required with"
                    + " steadfast.pipeline.orders.hedge.percentile: it is the delay until enough latencies are known,"
                    + " and the least delay after")),
        Arguments.of(
            Map.of(P + "hedge.delay", "5ms", P + "hedge.min-delay", "1ms"),
            List.of("steadfast.pipeline.orders.hedge.min-delay applies only with hedge.percentile")),
        Arguments.of(
            Map.of(P + "rate-limiter.timeout", "1s"),
            List.of(
                "steadfast.pipeline.orders.rate-limiter.limit-for-period is required for a rate limiter (set by"
                    + " steadfast.pipeline.orders.rate-limiter.timeout)",
                "steadfast.pipeline.orders.rate-limiter.period is required for a rate limiter (set by"
                    + " steadfast.pipeline.orders.rate-limiter.timeout)")),
        Arguments.of(
            Map.of(P + "adaptive-limit.max-limit", "10"),
            List.of(
                "steadfast.pipeline.orders.adaptive-limit.algorithm is required for an adaptive limit (set by"
                    + " steadfast.pipeline.orders.adaptive-limit.max-limit)",
                "steadfast.pipeline.orders.adaptive-limit.max-limit (10) must be >="
                    + " steadfast.pipeline.orders.adaptive-limit.initial-limit (20, the default)")),
        Arguments.of(
            Map.of(P + "adaptive-limit.algorithm", "aimd", P + "adaptive-limit.min-limit", "30"),
            List.of(
                "steadfast.pipeline.orders.adaptive-limit.initial-limit (20, the default) must be >="
                    + " steadfast.pipeline.orders.adaptive-limit.min-limit (30)")),
        Arguments.of(
            Map.of(P + "adaptive-limit.algorithm", "gradient", P + "adaptive-limit.backoff-ratio", "0.8"),
            List.of(
                "steadfast.pipeline.orders.adaptive-limit.backoff-ratio applies only when"
                    + " steadfast.pipeline.orders.adaptive-limit.algorithm is aimd, but it is gradient")),
        Arguments.of(
            Map.of(B + "max-tokens", "5"),
            List.of("steadfast.budget.shared.type is required for every budget: token-bucket or percent")),
        Arguments.of(
            Map.of(B + "type", "token-bucket", B + "window", "10s"),
            List.of(
                "steadfast.budget.shared.window applies only when steadfast.budget.shared.type is percent, but it is"
                    + " token-bucket")),
        Arguments.of(
            Map.of(B + "type", "percent", B + "token-ratio", "0.5"),
            List.of(
                "steadfast.budget.shared.token-ratio applies only when steadfast.budget.shared.type is token-bucket,"
                    + " but it is percent")));
  }

  @ParameterizedTest
  @MethodSource("contradictions")
  void contradictingSettingsAreRejectedNamingEveryKeyInvolved(Map<String, String> properties, List<String> problems) {
    InvalidConfigException thrown =
        catchThrowableOfType(InvalidConfigException.class, () -> PipelineProperties.of(properties));

    assertThat(thrown).as("%s is rejected", properties).isNotNull();
    assertThat(thrown.problems()).containsExactlyElementsOf(problems);
  }

  @Test
  void aBadValueDoesNotAlsoReportTheContradictionsItWouldCause() {
    InvalidConfigException thrown =
        catchThrowableOfType(
            InvalidConfigException.class,
            () -> PipelineProperties.of(Map.of(P + "retry.initial-delay", "later", P + "retry.max-delay", "1s")));

    assertThat(thrown.problems()).hasSize(1);
    assertThat(thrown.problems().get(0)).startsWith("steadfast.pipeline.orders.retry.initial-delay must be");
  }

  @Test
  void theProblemsCannotBeChanged() {
    InvalidConfigException thrown =
        catchThrowableOfType(
            InvalidConfigException.class, () -> PipelineProperties.of(Map.of(P + "deadline", "never")));

    assertThatThrownBy(() -> thrown.problems().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }
}
