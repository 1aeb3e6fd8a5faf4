package dev.steadfast.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.steadfast.core.Pipeline;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.spi.VirtualTime;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PipelineRegistryTest {

  private static final String ORDERS = "steadfast.pipeline.orders.";

  private final VirtualTime time = new VirtualTime();

  /** orders: one attempt per call, and a breaker that opens after 2 failures in 4 calls for 10 s. */
  private static Map<String, String> orders(String... overrides) {
    Map<String, String> properties = new HashMap<>();
    properties.put(ORDERS + "retry.max-attempts", "1");
    properties.put(ORDERS + "retry.backoff", "none");
    properties.put(ORDERS + "circuit-breaker.sliding-window-size", "4");
    properties.put(ORDERS + "circuit-breaker.minimum-number-of-calls", "4");
    properties.put(ORDERS + "circuit-breaker.failure-rate-threshold", "50");
    properties.put(ORDERS + "circuit-breaker.wait-in-open", "10s");
    for (int i = 0; i < overrides.length; i += 2) {
      properties.put(overrides[i], overrides[i + 1]);
    }
    return properties;
  }

  /** orders: {@code attempts} attempts per call, no backoff, no breaker. */
  private static Map<String, String> retrying(int attempts) {
    return Map.of(ORDERS + "retry.max-attempts", Integer.toString(attempts), ORDERS + "retry.backoff", "none");
  }

  private PipelineRegistry registry(Map<String, String> properties) {
    return PipelineRegistry.builder().timeSource(time).build(PipelineProperties.of(properties));
  }

  /** How many attempts one failing call through {@code pipeline} makes. */
  private static int attemptsOfAFailingCall(Pipeline pipeline) {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(
            () ->
                pipeline.execute(
                    () -> {
                      attempts.incrementAndGet();
                      throw new IllegalStateException("down");
                    }))
        .isInstanceOf(IllegalStateException.class);
    return attempts.get();
  }

  private static void openTheBreaker(Pipeline pipeline) {
    for (int i = 0; i < 4; i++) {
      attemptsOfAFailingCall(pipeline);
    }
  }

  private static CircuitBreaker breakerOf(PipelineRegistry registry, String pipeline) {
    return registry.circuitBreaker(pipeline).orElseThrow();
  }

  @Test
  void theHandleDelegatesToTheNewVersionAfterAReload() {
    PipelineRegistry registry = registry(retrying(2));
    Pipeline handle = registry.pipeline("orders");
    assertThat(attemptsOfAFailingCall(handle)).isEqualTo(2);

    registry.reload(PipelineProperties.of(retrying(4)));

    assertThat(registry.pipeline("orders")).isSameAs(handle);
    assertThat(attemptsOfAFailingCall(handle)).isEqualTo(4);
    assertThat(handle.name()).isEqualTo("orders");
  }

  @Test
  void reloadingUnrelatedSettingsKeepsTheOpenBreakerWithItsMetrics() {
    PipelineRegistry registry = registry(orders());
    Pipeline handle = registry.pipeline("orders");
    openTheBreaker(handle);
    CircuitBreaker before = breakerOf(registry, "orders");
    assertThat(before.getState()).isEqualTo(State.OPEN);

    registry.reload(PipelineProperties.of(orders(ORDERS + "retry.max-attempts", "2", ORDERS + "deadline", "5s")));

    assertThat(breakerOf(registry, "orders")).isSameAs(before);
    assertThat(before.getState()).isEqualTo(State.OPEN);
    assertThat(before.getMetrics().getNumberOfFailedCalls()).isEqualTo(4);
    assertThatThrownBy(() -> handle.execute(() -> "ok")).isInstanceOf(CallNotPermittedException.class);
  }

  @Test
  void changedBreakerSettingsGiveANewBreakerThatStartsOpenAndWaitsItsNewWait() {
    PipelineRegistry registry = registry(orders());
    Pipeline handle = registry.pipeline("orders");
    openTheBreaker(handle);
    CircuitBreaker before = breakerOf(registry, "orders");

    registry.reload(PipelineProperties.of(orders(ORDERS + "circuit-breaker.wait-in-open", "20s")));

    CircuitBreaker after = breakerOf(registry, "orders");
    assertThat(after).isNotSameAs(before);
    assertThat(after.getState()).isEqualTo(State.OPEN);
    assertThat(after.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(20_000L);
    time.advance(Duration.ofSeconds(19));
    assertThatThrownBy(() -> handle.execute(() -> "ok")).isInstanceOf(CallNotPermittedException.class);
    time.advance(Duration.ofMillis(1_001));
    assertThat(handle.execute(() -> "ok")).isEqualTo("ok");
    assertThat(after.getState()).isEqualTo(State.HALF_OPEN);
    assertThat(before.getState()).isEqualTo(State.OPEN); // the old one is left alone
  }

  @ParameterizedTest
  @EnumSource(State.class)
  void aNewBreakerStartsInTheStateOfTheOneItReplaces(State state) {
    CircuitBreaker from = CircuitBreaker.ofDefaults("old");
    switch (state) {
      case OPEN -> from.transitionToOpenState();
      case HALF_OPEN -> {
        from.transitionToOpenState();
        from.transitionToHalfOpenState();
      }
      case FORCED_OPEN -> from.transitionToForcedOpenState();
      case DISABLED -> from.transitionToDisabledState();
      case METRICS_ONLY -> from.transitionToMetricsOnlyState();
      case CLOSED -> {}
    }
    CircuitBreaker to = CircuitBreaker.ofDefaults("new");

    PipelineRegistry.carryStateOver(from, to);

    assertThat(to.getState()).isEqualTo(state);
  }

  @Test
  void aReloadThatFailsChangesNothing() {
    Map<String, String> original = orders();
    original.put("steadfast.pipeline.search.retry.max-attempts", "2");
    PipelineRegistry registry = registry(original);
    Pipeline orders = registry.pipeline("orders");
    registry.pipeline("search");
    openTheBreaker(orders);
    PipelineRegistry.Version before = registry.version("orders");

    // search is in use and cannot be removed; the change to orders must not happen either
    InvalidConfigException thrown =
        catchThrowableOfType(
            InvalidConfigException.class,
            () ->
                registry.reload(
                    PipelineProperties.of(
                        orders(ORDERS + "retry.max-attempts", "3", ORDERS + "circuit-breaker.wait-in-open", "1m"))));

    assertThat(thrown.problems())
        .singleElement()
        .asString()
        .startsWith("steadfast.pipeline.search cannot be removed: the pipeline is in use");
    assertThat(registry.version("orders")).isSameAs(before);
    assertThat(registry.properties()).isEqualTo(PipelineProperties.of(original));
    assertThat(registry.names()).containsExactly("orders", "search");
    assertThatThrownBy(() -> orders.execute(() -> "ok")).isInstanceOf(CallNotPermittedException.class);
    time.advance(Duration.ofMillis(10_001)); // the old wait, not the minute the failed reload asked for
    assertThat(orders.execute(() -> "ok")).isEqualTo("ok");
  }

  @Test
  void badConfigurationIsRejectedBeforeTheRegistrySeesIt() {
    PipelineRegistry registry = registry(orders());
    PipelineRegistry.Version before = registry.version("orders");

    assertThatThrownBy(
            () -> registry.reload(PipelineProperties.of(orders(ORDERS + "retry.max-attempts", "zero"))))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage("steadfast.pipeline.orders.retry.max-attempts must be an integer >= 1, was 'zero'");
    assertThat(registry.version("orders")).isSameAs(before);
  }

  @Test
  void aPipelineNobodyAskedForCanBeRemoved() {
    Map<String, String> original = orders();
    original.put("steadfast.pipeline.search.retry.max-attempts", "2");
    PipelineRegistry registry = registry(original);
    registry.pipeline("orders");

    registry.reload(PipelineProperties.of(orders()));

    assertThat(registry.names()).containsExactly("orders");
    assertThatThrownBy(() -> registry.pipeline("search"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no pipeline 'search' is configured (configured: orders)");
  }

  @Test
  void aPipelineAddedByAReloadCanBeAskedFor() {
    PipelineRegistry registry = registry(orders());
    Map<String, String> more = orders();
    more.put("steadfast.pipeline.search.retry.max-attempts", "2");
    more.put("steadfast.pipeline.search.retry.backoff", "none");

    registry.reload(PipelineProperties.of(more));

    assertThat(attemptsOfAFailingCall(registry.pipeline("search"))).isEqualTo(2);
  }

  @Test
  void aReloadWithTheSameSettingsKeepsEveryVersion() {
    PipelineRegistry registry = registry(orders());
    PipelineRegistry.Version before = registry.version("orders");

    Map<String, String> respelled = new HashMap<>();
    orders().forEach((key, value) -> respelled.put(key.replace("max-attempts", "maxAttempts"), value));
    registry.reload(PipelineProperties.of(respelled));

    assertThat(registry.version("orders")).isSameAs(before);
  }

  @Test
  void callsInFlightFinishOnTheVersionTheyStartedOn() {
    PipelineRegistry registry = registry(retrying(3));
    Pipeline handle = registry.pipeline("orders");
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                handle.execute(
                    () -> {
                      if (attempts.incrementAndGet() == 1) {
                        registry.reload(PipelineProperties.of(retrying(1)));
                      }
                      throw new IllegalStateException("down");
                    }))
        .isInstanceOf(IllegalStateException.class);

    assertThat(attempts).hasValue(3);
    assertThat(attemptsOfAFailingCall(handle)).isEqualTo(1);
  }

  @Test
  void aKeyedHandleFollowsReloadsToo() {
    PipelineRegistry registry = registry(retrying(2));
    Pipeline forTenant = registry.pipeline("orders").withKey("tenant-1");
    assertThat(attemptsOfAFailingCall(forTenant)).isEqualTo(2);

    registry.reload(PipelineProperties.of(retrying(3)));

    assertThat(attemptsOfAFailingCall(forTenant)).isEqualTo(3);
    assertThat(attemptsOfAFailingCall(forTenant.withKey("tenant-2"))).isEqualTo(3);
    assertThat(forTenant.name()).isEqualTo("orders");
  }

  @Test
  void aNameWithDashesAndWithoutIsOnePipeline() {
    PipelineRegistry registry =
        registry(Map.of("steadfast.pipeline.order-service.retry.max-attempts", "2"));

    assertThat(registry.pipeline("order-service")).isSameAs(registry.pipeline("orderservice"));
    assertThat(registry.pipeline("order-service").name()).isEqualTo("orderservice");
    assertThat(registry.names()).containsExactly("orderservice");
  }

  @Test
  void pipelinesNamingOneBudgetShareOneInstanceKeptWhileItsSettingsStay() {
    Map<String, String> properties = new HashMap<>();
    properties.put("steadfast.budget.orders-api.type", "token-bucket");
    properties.put("steadfast.budget.orders-api.max-tokens", "10");
    properties.put(ORDERS + "retry.max-attempts", "2");
    properties.put(ORDERS + "retry-budget", "orders-api");
    properties.put("steadfast.pipeline.checkout.retry.max-attempts", "2");
    properties.put("steadfast.pipeline.checkout.retry-budget", "ordersapi");
    PipelineRegistry registry = registry(properties);
    RetryBudget budget = registry.retryBudget("orders-api").orElseThrow();
    assertThat(registry.version("orders").budget()).isSameAs(budget);
    assertThat(registry.version("checkout").budget()).isSameAs(budget);

    properties.put(ORDERS + "retry.max-attempts", "3");
    registry.reload(PipelineProperties.of(properties));
    assertThat(registry.version("orders").budget()).isSameAs(budget);

    PipelineRegistry.Version checkout = registry.version("checkout");
    properties.put("steadfast.budget.orders-api.max-tokens", "20");
    registry.reload(PipelineProperties.of(properties));
    RetryBudget changed = registry.retryBudget("ordersapi").orElseThrow();
    assertThat(changed).isNotSameAs(budget);
    assertThat(registry.version("orders").budget()).isSameAs(changed);
    assertThat(registry.version("checkout").budget()).isSameAs(changed);
    assertThat(registry.version("checkout")).isNotSameAs(checkout);
  }

  @Test
  void policiesWhoseSettingsDidNotChangeKeepTheirInstances() {
    Map<String, String> properties = orders();
    properties.put(ORDERS + "hedge.percentile", "90");
    properties.put(ORDERS + "hedge.min-delay", "10ms");
    properties.put(ORDERS + "bulkhead.max-concurrent-calls", "10");
    properties.put(ORDERS + "adaptive-limit.algorithm", "gradient");
    properties.put(ORDERS + "rate-limiter.limit-for-period", "100");
    properties.put(ORDERS + "rate-limiter.period", "1s");
    PipelineRegistry registry = registry(properties);
    PipelineRegistry.Version before = registry.version("orders");

    properties.put(ORDERS + "deadline", "5s");
    properties.put(ORDERS + "bulkhead.max-concurrent-calls", "20");
    registry.reload(PipelineProperties.of(properties));

    PipelineRegistry.Version after = registry.version("orders");
    assertThat(after).isNotSameAs(before);
    assertThat(after.pipeline()).isNotSameAs(before.pipeline());
    assertThat(after.hedge()).isSameAs(before.hedge());
    assertThat(after.breaker()).isSameAs(before.breaker());
    assertThat(after.adaptiveLimit()).isSameAs(before.adaptiveLimit());
    assertThat(after.rateLimiter()).isSameAs(before.rateLimiter());
    assertThat(after.bulkhead()).isNotSameAs(before.bulkhead());
    assertThat(after.bulkhead().getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(20);
  }

  @Test
  void removingTheBreakerSettingsRemovesTheBreaker() {
    PipelineRegistry registry = registry(orders());

    registry.reload(PipelineProperties.of(Map.of(ORDERS + "retry.max-attempts", "2")));

    assertThat(registry.circuitBreaker("orders")).isEmpty();
  }

  @Test
  void everySettingReachesThePolicyItConfigures() {
    PipelineRegistry registry = registry(PipelinePropertiesTest.everySetting());
    PipelineRegistry.Version orders = registry.version("orders");

    var breaker = orders.breaker().getCircuitBreakerConfig();
    assertThat(breaker.getFailureRateThreshold()).isEqualTo(25.5f);
    assertThat(breaker.getSlidingWindowSize()).isEqualTo(20);
    assertThat(breaker.getMinimumNumberOfCalls()).isEqualTo(10);
    assertThat(breaker.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(15_000L);
    assertThat(breaker.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(2);
    assertThat(breaker.getSlowCallDurationThreshold()).isEqualTo(Duration.ofMillis(800));
    assertThat(breaker.getSlowCallRateThreshold()).isEqualTo(80f);
    assertThat(orders.bulkhead().getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(16);
    assertThat(orders.bulkhead().getBulkheadConfig().getMaxWaitDuration()).isEqualTo(Duration.ofMillis(5));
    assertThat(orders.rateLimiter().getRateLimiterConfig().getLimitForPeriod()).isEqualTo(100);
    assertThat(orders.rateLimiter().getRateLimiterConfig().getLimitRefreshPeriod()).isEqualTo(Duration.ofSeconds(1));
    assertThat(orders.rateLimiter().getRateLimiterConfig().getTimeoutDuration()).isEqualTo(Duration.ofMillis(10));
    assertThat(orders.adaptiveLimit().currentLimit()).isEqualTo(30);
    assertThat(orders.hedge().maxAttempts()).isEqualTo(3);
    assertThat(orders.hedge().delayNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
    assertThat(orders.budget()).isSameAs(registry.retryBudget("orders-api").orElseThrow());
    assertThat(registry.version("search").hedge().delayNanos()).isEqualTo(Duration.ofMillis(15).toNanos());
    assertThat(registry.version("search").adaptiveLimit().currentLimit()).isEqualTo(20);
  }

  @Test
  void breakersAreKeptInTheUsersRegistryUnderThePipelineName() {
    CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
    CircuitBreaker existing = breakers.circuitBreaker("orders");
    existing.transitionToForcedOpenState();
    PipelineRegistry registry =
        PipelineRegistry.builder()
            .timeSource(time)
            .circuitBreakerRegistry(breakers)
            .build(PipelineProperties.of(orders()));

    CircuitBreaker first = breakers.find("orders").orElseThrow();
    assertThat(first).isSameAs(breakerOf(registry, "orders")).isNotSameAs(existing);
    assertThat(first.getState()).isEqualTo(State.FORCED_OPEN);
    assertThat(first.getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(4);

    registry.reload(PipelineProperties.of(orders(ORDERS + "retry.max-attempts", "2")));
    assertThat(breakers.find("orders")).containsSame(first);

    registry.reload(PipelineProperties.of(orders(ORDERS + "circuit-breaker.sliding-window-size", "8")));
    CircuitBreaker second = breakers.find("orders").orElseThrow();
    assertThat(second).isSameAs(breakerOf(registry, "orders")).isNotSameAs(first);
    assertThat(second.getState()).isEqualTo(State.FORCED_OPEN);
  }

  @Test
  void breakerMetersReadTheNewBreakerAfterAReplacement() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    PipelineRegistry registry =
        PipelineRegistry.builder().timeSource(time).meterRegistry(meters).build(PipelineProperties.of(orders()));
    openTheBreaker(registry.pipeline("orders"));
    assertThat(openGauge(meters)).isEqualTo(1.0);

    registry.reload(PipelineProperties.of(orders(ORDERS + "circuit-breaker.wait-in-open", "1m")));
    breakerOf(registry, "orders").transitionToClosedState(); // the old breaker stays open

    assertThat(openGauge(meters)).isEqualTo(0.0);
    assertThat(meters.get("steadfast.pipeline.calls").tag("pipeline", "orders").tag("outcome", "failure").counter().count())
        .isEqualTo(4.0);
  }

  private static double openGauge(SimpleMeterRegistry meters) {
    return meters.get("resilience4j.circuitbreaker.state").tag("name", "orders").tag("state", "open").gauge().value();
  }

  @Test
  void theDocumentedExampleWorks() {
    // tag::example[]
    Map<String, String> properties =
        Map.of(
            "steadfast.pipeline.orders.deadline", "2s",
            "steadfast.pipeline.orders.retry.max-attempts", "3",
            "steadfast.pipeline.orders.retry-budget", "orders-api",
            "steadfast.pipeline.orders.circuit-breaker.failure-rate-threshold", "50",
            "steadfast.budget.orders-api.type", "token-bucket");
    PipelineRegistry pipelines =
        PipelineRegistry.builder()
            .timeSource(time) // omit for the system clock
            .build(PipelineProperties.of(properties));
    Pipeline orders = pipelines.pipeline("orders"); // keep it: it follows every reload

    String receipt = orders.execute(() -> "receipt");

    Map<String, String> changed = new HashMap<>(properties);
    changed.put("steadfast.pipeline.orders.retry.max-attempts", "5");
    pipelines.reload(PipelineProperties.of(changed)); // same breaker, same budget
    // end::example[]

    assertThat(receipt).isEqualTo("receipt");
    assertThat(pipelines.version("orders").spec().retry().maxAttempts()).isEqualTo(5);
  }

  @Test
  void aHandleDescribesItselfAndBuildsFromItsCurrentVersion() {
    PipelineRegistry registry = registry(orders());
    Pipeline handle = registry.pipeline("orders");

    assertThat(handle).hasToString("Pipeline[orders, configured]");
    assertThat(handle.toBuilder().build().execute(() -> "ok")).isEqualTo("ok");
    assertThat(registry.properties().pipelineNames()).containsExactly("orders");
    assertThat(registry.circuitBreaker("nothing")).isEmpty();
    assertThat(registry.retryBudget("nothing")).isEmpty();
  }
}
