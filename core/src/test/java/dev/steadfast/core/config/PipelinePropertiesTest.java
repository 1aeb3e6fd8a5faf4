package dev.steadfast.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.Jitter;
import dev.steadfast.core.config.PipelineSpec.AdaptiveLimitSettings;
import dev.steadfast.core.config.PipelineSpec.Algorithm;
import dev.steadfast.core.config.PipelineSpec.BackoffKind;
import dev.steadfast.core.config.PipelineSpec.BreakerSettings;
import dev.steadfast.core.config.PipelineSpec.BulkheadSettings;
import dev.steadfast.core.config.PipelineSpec.HedgeSettings;
import dev.steadfast.core.config.PipelineSpec.RateLimiterSettings;
import dev.steadfast.core.config.PipelineSpec.RetrySettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PipelinePropertiesTest {

  /** Every pipeline and budget setting, each with a value other than its default. */
  static Map<String, String> everySetting() {
    Map<String, String> properties = new HashMap<>();
    String orders = "steadfast.pipeline.orders.";
    properties.put(orders + "deadline", "3s");
    properties.put(orders + "retry.max-attempts", "4");
    properties.put(orders + "retry.backoff", "exponential");
    properties.put(orders + "retry.initial-delay", "50ms");
    properties.put(orders + "retry.multiplier", "1.5");
    properties.put(orders + "retry.max-delay", "PT2S");
    properties.put(orders + "retry.jitter", "decorrelated");
    properties.put(orders + "retry.max-pushback", "30s");
    properties.put(orders + "retry-budget", "orders-api");
    properties.put(orders + "hedge.max-attempts", "3");
    properties.put(orders + "hedge.delay", "20ms");
    properties.put(orders + "circuit-breaker.failure-rate-threshold", "25.5");
    properties.put(orders + "circuit-breaker.sliding-window-size", "20");
    properties.put(orders + "circuit-breaker.minimum-number-of-calls", "10");
    properties.put(orders + "circuit-breaker.wait-in-open", "15s");
    properties.put(orders + "circuit-breaker.permitted-calls-in-half-open", "2");
    properties.put(orders + "circuit-breaker.slow-call-duration", "800ms");
    properties.put(orders + "circuit-breaker.slow-call-rate-threshold", "80");
    properties.put(orders + "bulkhead.max-concurrent-calls", "16");
    properties.put(orders + "bulkhead.max-wait", "5ms");
    properties.put(orders + "rate-limiter.limit-for-period", "100");
    properties.put(orders + "rate-limiter.period", "1s");
    properties.put(orders + "rate-limiter.timeout", "10ms");
    properties.put(orders + "adaptive-limit.algorithm", "aimd");
    properties.put(orders + "adaptive-limit.initial-limit", "30");
    properties.put(orders + "adaptive-limit.min-limit", "5");
    properties.put(orders + "adaptive-limit.max-limit", "300");
    properties.put(orders + "adaptive-limit.backoff-ratio", "0.75");
    properties.put(orders + "adaptive-limit.timeout", "2s");
    properties.put(orders + "attempt-timeout", "1s");
    String search = "steadfast.pipeline.search.";
    properties.put(search + "hedge.percentile", "95");
    properties.put(search + "hedge.min-delay", "15ms");
    properties.put(search + "retry-budget", "search-api");
    properties.put(search + "adaptive-limit.algorithm", "gradient");
    properties.put(search + "retry.backoff", "fixed");
    properties.put(search + "retry.initial-delay", "200ms");
    properties.put("steadfast.budget.orders-api.type", "token-bucket");
    properties.put("steadfast.budget.orders-api.max-tokens", "20");
    properties.put("steadfast.budget.orders-api.token-ratio", "0.5");
    properties.put("steadfast.budget.search-api.type", "percent");
    properties.put("steadfast.budget.search-api.percent", "0.1");
    properties.put("steadfast.budget.search-api.window", "30s");
    properties.put("steadfast.budget.search-api.min-retries-per-second", "3");
    return properties;
  }

  @Test
  void readsEveryPipelineSetting() {
    PipelineSpec orders = PipelineProperties.of(everySetting()).pipelines().get("orders");

    assertThat(orders).isNotNull();
    assertThat(orders.deadline()).isEqualTo(Duration.ofSeconds(3));
    assertThat(orders.retry())
        .isEqualTo(
            new RetrySettings(
                4,
                BackoffKind.EXPONENTIAL,
                Duration.ofMillis(50),
                1.5,
                Duration.ofSeconds(2),
                Jitter.DECORRELATED,
                Duration.ofSeconds(30)));
    assertThat(orders.retryBudget()).isEqualTo("ordersapi");
    assertThat(orders.hedge()).isEqualTo(new HedgeSettings(3, Duration.ofMillis(20), null, Duration.ZERO));
    assertThat(orders.circuitBreaker())
        .isEqualTo(
            new BreakerSettings(25.5, 20, 10, Duration.ofSeconds(15), 2, Duration.ofMillis(800), 80));
    assertThat(orders.bulkhead()).isEqualTo(new BulkheadSettings(16, Duration.ofMillis(5)));
    assertThat(orders.rateLimiter())
        .isEqualTo(new RateLimiterSettings(100, Duration.ofSeconds(1), Duration.ofMillis(10)));
    assertThat(orders.adaptiveLimit())
        .isEqualTo(new AdaptiveLimitSettings(Algorithm.AIMD, 30, 5, 300, 0.75, Duration.ofSeconds(2)));
    assertThat(orders.attemptTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void readsPercentileHedgingFixedBackoffAndGradient() {
    PipelineSpec search = PipelineProperties.of(everySetting()).pipelines().get("search");

    assertThat(search).isNotNull();
    assertThat(search.hedge()).isEqualTo(new HedgeSettings(2, null, 95.0, Duration.ofMillis(15)));
    assertThat(search.retry())
        .isEqualTo(
            new RetrySettings(
                3,
                BackoffKind.FIXED,
                Duration.ofMillis(200),
                1.0,
                Duration.ofMillis(200),
                Jitter.NONE,
                Duration.ofMinutes(1)));
    assertThat(search.adaptiveLimit())
        .isEqualTo(new AdaptiveLimitSettings(Algorithm.GRADIENT, 20, 1, 200, 0.9, Duration.ofSeconds(5)));
    assertThat(search.circuitBreaker()).isNull();
    assertThat(search.bulkhead()).isNull();
    assertThat(search.rateLimiter()).isNull();
    assertThat(search.deadline()).isNull();
    assertThat(search.attemptTimeout()).isNull();
  }

  @Test
  void readsEveryBudgetSetting() {
    PipelineProperties properties = PipelineProperties.of(everySetting());

    assertThat(properties.budgetNames()).containsExactly("ordersapi", "searchapi");
    assertThat(properties.budgets().get("ordersapi"))
        .isEqualTo(
            new BudgetSpec("ordersapi", BudgetSpec.Type.TOKEN_BUCKET, 20, 0.5, 0.2, Duration.ofSeconds(10), 10));
    assertThat(properties.budgets().get("searchapi"))
        .isEqualTo(new BudgetSpec("searchapi", BudgetSpec.Type.PERCENT, 10, 0.1, 0.1, Duration.ofSeconds(30), 3));
  }

  @Test
  void aPolicyMentionedByOneKeyGetsTheDefaultsForTheRest() {
    PipelineSpec spec =
        PipelineProperties.of(
                Map.of(
                    "steadfast.pipeline.a.retry.max-attempts", "5",
                    "steadfast.pipeline.a.circuit-breaker.wait-in-open", "1s",
                    "steadfast.pipeline.a.bulkhead.max-wait", "0s"))
            .pipelines()
            .get("a");

    assertThat(spec).isNotNull();
    assertThat(spec.retry())
        .isEqualTo(
            new RetrySettings(
                5,
                BackoffKind.EXPONENTIAL,
                Duration.ofMillis(100),
                2.0,
                Duration.ofSeconds(10),
                Jitter.FULL,
                Duration.ofMinutes(1)));
    assertThat(spec.circuitBreaker())
        .isEqualTo(new BreakerSettings(50, 100, 100, Duration.ofSeconds(1), 10, Duration.ofSeconds(60), 100));
    assertThat(spec.bulkhead()).isEqualTo(new BulkheadSettings(25, Duration.ZERO));
    assertThat(spec.hedge()).isNull();
  }

  @Test
  void backoffNoneNeedsNoDelays() {
    PipelineSpec spec =
        PipelineProperties.of(Map.of("steadfast.pipeline.a.retry.backoff", "none")).pipelines().get("a");

    assertThat(spec).isNotNull();
    assertThat(spec.retry())
        .isEqualTo(
            new RetrySettings(3, BackoffKind.NONE, Duration.ZERO, 1.0, Duration.ZERO, Jitter.NONE, Duration.ofMinutes(1)));
  }

  @Test
  void kebabCamelAndLowerCaseKeysAreOneSetting() {
    PipelineProperties kebab =
        PipelineProperties.of(
            Map.of(
                "steadfast.pipeline.orders.retry.max-attempts", "5",
                "steadfast.pipeline.orders.circuit-breaker.wait-in-open", "10s"));
    PipelineProperties camel =
        PipelineProperties.of(
            Map.of(
                "steadfast.pipeline.orders.retry.maxAttempts", "5",
                "steadfast.pipeline.orders.circuitBreaker.waitInOpen", "10s"));
    PipelineProperties lower =
        PipelineProperties.of(
            Map.of(
                "steadfast.pipeline.orders.retry.maxattempts", "5",
                "Steadfast.Pipeline.orders.CIRCUITBREAKER.WAITINOPEN", "10s"));

    assertThat(camel).isEqualTo(kebab);
    assertThat(lower).isEqualTo(kebab);
  }

  @Test
  void anEnvironmentVariableIsTheSameKeyAsItsProperty() {
    PipelineProperties fromProperties =
        PipelineProperties.of(
            Map.of(
                "steadfast.pipeline.order-service.retry.max-attempts", "5",
                "steadfast.pipeline.order-service.retry-budget", "orders-api",
                "steadfast.budget.orders-api.type", "token-bucket"));
    PipelineProperties fromEnvironment =
        PipelineProperties.fromEnvironment(
            Map.of(
                "STEADFAST_PIPELINE_ORDERSERVICE_RETRY_MAXATTEMPTS", "5",
                "STEADFAST_PIPELINE_ORDERSERVICE_RETRYBUDGET", "orders-api",
                "STEADFAST_BUDGET_ORDERSAPI_TYPE", "TOKEN_BUCKET",
                "PATH", "/usr/bin",
                "steadfastly", "ignored"));

    assertThat(fromEnvironment).isEqualTo(fromProperties);
    assertThat(fromEnvironment.pipelineNames()).containsExactly("orderservice");
  }

  @Test
  void keysOutsideTheSteadfastPrefixAreIgnored() {
    Map<String, String> properties = new HashMap<>(everySetting());
    properties.put("server.port", "8080");
    properties.put("steadfastly.enabled", "true");
    properties.put("steadfast", "x");

    assertThat(PipelineProperties.of(properties)).isEqualTo(PipelineProperties.of(everySetting()));
  }

  @Test
  void readsJavaUtilPropertiesWithTheirDefaults() {
    Properties defaults = new Properties();
    defaults.setProperty("steadfast.pipeline.orders.retry.max-attempts", "2");
    Properties properties = new Properties(defaults);
    properties.setProperty("steadfast.pipeline.orders.deadline", "PT1S");
    properties.put("steadfast.pipeline.orders.not-a-string", 42); // not a string property: ignored

    PipelineProperties read = PipelineProperties.of(properties);

    assertThat(read)
        .isEqualTo(
            PipelineProperties.of(
                Map.of(
                    "steadfast.pipeline.orders.retry.max-attempts", "2",
                    "steadfast.pipeline.orders.deadline", "1s")));
  }

  @Test
  void theSameSettingWrittenTwiceWithOneValueIsAccepted() {
    PipelineProperties properties =
        PipelineProperties.of(
            Map.of(
                "steadfast.pipeline.orders.retry.max-attempts", "5",
                "steadfast.pipeline.orders.retry.maxAttempts", " 5 "));

    assertThat(properties.pipelines().get("orders").retry().maxAttempts()).isEqualTo(5);
  }

  @Test
  void valuesAreTrimmedAndChoicesRelaxed() {
    PipelineSpec spec =
        PipelineProperties.of(
                Map.of(
                    "steadfast.pipeline.a.retry.jitter", " Equal ",
                    "steadfast.pipeline.a.retry.max-attempts", "+2 ",
                    "steadfast.pipeline.a.deadline", " 2s"))
            .pipelines()
            .get("a");

    assertThat(spec.retry().jitter()).isEqualTo(Jitter.EQUAL);
    assertThat(spec.retry().maxAttempts()).isEqualTo(2);
    assertThat(spec.deadline()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void emptyConfigurationHasNoPipelines() {
    assertThat(PipelineProperties.of(Map.of())).isEqualTo(PipelineProperties.empty());
    assertThat(PipelineProperties.empty().pipelineNames()).isEmpty();
    assertThat(PipelineProperties.empty()).hasToString("PipelineProperties[pipelines=[], budgets=[]]");
  }

  @Test
  void aNullValueIsAProblemNamingTheKey() {
    Map<String, String> properties = new HashMap<>();
    properties.put("steadfast.pipeline.orders.deadline", null);

    assertThatThrownBy(() -> PipelineProperties.of(properties))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage("'steadfast.pipeline.orders.deadline' has no value");
  }
}
