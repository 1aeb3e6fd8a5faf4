package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PipelineBuilderTest {

  @Test
  void retryAfterTheBreakerIsRejectedWithTheOrderAndTheReason() {
    PipelineBuilder builder = Pipeline.builder("payments").circuitBreaker(CircuitBreaker.ofDefaults("payments"));
    assertThatThrownBy(() -> builder.retry(RetryPolicy.ofDefaults()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pipeline 'payments': retry cannot be added after circuitBreaker")
        .hasMessageContaining("deadline → retryBudget → retry → hedge → circuitBreaker")
        .hasMessageContaining("records each attempt exactly once");
  }

  @Test
  void aSecondPolicyOfTheSameKindIsRejected() {
    PipelineBuilder builder = Pipeline.builder("payments").retry(RetryPolicy.ofDefaults());
    assertThatThrownBy(() -> builder.retry(RetryPolicy.ofDefaults()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("retry is already set");
  }

  @Test
  void aRejectedAdditionLeavesTheBuilderUnchanged() {
    PipelineBuilder builder = Pipeline.builder("payments").attemptTimeout(Duration.ofSeconds(1));
    assertThatThrownBy(() -> builder.retry(RetryPolicy.ofDefaults())).isInstanceOf(IllegalStateException.class);
    Pipeline pipeline = builder.build();
    assertThat(pipeline.execute(() -> "ok")).isEqualTo("ok");
    assertThat(pipeline.toBuilder().build().name()).isEqualTo("payments");
  }

  @Test
  void everyPolicyInCanonicalOrderIsAccepted() {
    Pipeline pipeline =
        Pipeline.builder("all")
            .deadline(Duration.ofSeconds(5))
            .retryBudget(RetryBudget.tokenBucket(10, 0.1))
            .retry(RetryPolicy.ofDefaults())
            .hedge(HedgePolicy.afterDelay(Duration.ofSeconds(1), 2))
            .circuitBreaker(CircuitBreakerConfig.ofDefaults())
            .bulkhead(Bulkhead.ofDefaults("all"))
            .attemptTimeout(Duration.ofSeconds(1))
            .build();
    assertThat(pipeline.execute(() -> 42)).isEqualTo(42);
  }

  @Test
  void crossFieldContradictionsAreRejectedAtBuild() {
    assertThatThrownBy(() -> Pipeline.builder("p").retryBudget(RetryBudget.tokenBucket(10, 0.1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("retryBudget is set but neither retry nor hedge is");
    assertThatThrownBy(
            () ->
                Pipeline.builder("p")
                    .deadline(Duration.ofSeconds(1))
                    .attemptTimeout(Duration.ofSeconds(2))
                    .build())
        .hasMessageContaining("attemptTimeout (PT2S) is longer than deadline (PT1S)");
  }

  @Test
  void invalidValuesNameTheSettingAndTheValue() {
    assertThatThrownBy(() -> Pipeline.builder(" ")).hasMessage("name must not be blank, was ' '");
    assertThatThrownBy(() -> Pipeline.builder("p").deadline(Duration.ZERO)).hasMessage("deadline must be > 0, was PT0S");
    assertThatThrownBy(() -> Pipeline.builder("p").attemptTimeout(Duration.ofMillis(-5)))
        .hasMessage("attemptTimeout must be > 0, was PT-0.005S");
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).hasMessage("maxAttempts must be >= 1, was 0");
    assertThatThrownBy(() -> RetryPolicy.builder().maxPushback(Duration.ofSeconds(-1)))
        .hasMessage("maxPushback must be >= 0, was PT-1S");
    assertThatThrownBy(() -> RetryPolicy.builder().retryOn(String.class))
        .hasMessage("retryOn takes exception types, was java.lang.String");
    assertThatThrownBy(() -> RetryPolicy.builder().abortOn()).hasMessage("abortOn needs at least one exception type, was none");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(2)))
        .hasMessage("multiplier must be finite and >= 1, was 0.5");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), 2, Duration.ofSeconds(1)))
        .hasMessage("max must be >= initial (PT2S), was PT1S");
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(-1))).hasMessage("delay must be >= 0, was PT-1S");
    assertThatThrownBy(() -> RetryBudget.tokenBucket(0, 0.1)).hasMessage("maxTokens must be in (0, 1000], was 0.0");
    assertThatThrownBy(() -> RetryBudget.tokenBucket(10, 2)).hasMessage("tokenRatio must be in (0, 1], was 2.0");
    assertThatThrownBy(() -> RetryBudget.percentOfRequests(0.2, Duration.ofMillis(10), 1))
        .hasMessage("window must be between 1s and 1h, was PT0.01S");
    assertThatThrownBy(() -> RetryBudget.percentOfRequests(-1, Duration.ofSeconds(10), 1))
        .hasMessage("percent must be in [0, 10], was -1.0");
    assertThatThrownBy(() -> RetryBudget.percentOfRequests(0.2, Duration.ofSeconds(10), -1))
        .hasMessage("minRetriesPerSecond must be >= 0, was -1");
    assertThatThrownBy(() -> HedgePolicy.afterDelay(Duration.ofMillis(10), 1))
        .hasMessage("maxAttempts must be in [2, 10], was 1");
    assertThatThrownBy(() -> HedgePolicy.atPercentile(100, Duration.ZERO, 2))
        .hasMessage("percentile must be in (0, 100), was 100.0");
    assertThatThrownBy(() -> HedgePolicy.afterDelay(Duration.ofMillis(-1), 2)).hasMessage("delay must be >= 0, was PT-0.001S");
    assertThatThrownBy(
            () -> AdaptiveLimit.aimd("l", 10, 20, 100, 0.9, Duration.ofSeconds(1), dev.steadfast.core.spi.TimeSource.system()))
        .hasMessage("initialLimit must be >= minLimit (20), was 10");
    assertThatThrownBy(
            () -> AdaptiveLimit.aimd("l", 10, 1, 100, 0.2, Duration.ofSeconds(1), dev.steadfast.core.spi.TimeSource.system()))
        .hasMessage("backoffRatio must be in [0.5, 1), was 0.2");
    assertThatThrownBy(
            () ->
                KeyedBulkhead.of(
                    "k", io.github.resilience4j.bulkhead.BulkheadConfig.ofDefaults(), 0, Duration.ofMinutes(1)))
        .hasMessage("maxKeys must be >= 1, was 0");
  }

  @Test
  void aBreakerFromTheUsersRegistryKeepsItsIdentityAndState() {
    CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
    CircuitBreaker breaker = registry.circuitBreaker("payments");
    breaker.transitionToForcedOpenState();
    Pipeline pipeline = Pipeline.builder("payments").circuitBreaker(breaker).build();

    assertThatThrownBy(() -> pipeline.execute(() -> "never"))
        .isInstanceOf(io.github.resilience4j.circuitbreaker.CallNotPermittedException.class);
    Pipeline rebuilt = pipeline.toBuilder().retry(RetryPolicy.ofDefaults()).build();
    assertThatThrownBy(() -> rebuilt.execute(() -> "never"))
        .isInstanceOf(io.github.resilience4j.circuitbreaker.CallNotPermittedException.class);
    assertThat(registry.circuitBreaker("payments").getState()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
  }
}
