package dev.steadfast.core;

import dev.steadfast.core.internal.PipelineEngine;
import dev.steadfast.core.internal.PipelineSettings;
import dev.steadfast.core.internal.Stage;
import dev.steadfast.core.spi.TimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Pipeline}. Not thread-safe. Policies are added outermost first in the fixed order documented
 * on {@link Pipeline}; an out-of-order or repeated policy is rejected at once with the reason. {@link #build()}
 * copies everything, so later changes to the builder never reach a built pipeline, and the builder can build
 * again.
 *
 * @since 0.1.0
 */
public final class PipelineBuilder {

  private final String name;
  private TimeSource time = TimeSource.system();
  private @Nullable RandomGenerator random;
  private @Nullable MeterRegistry meterRegistry;
  private @Nullable Duration deadline;
  private @Nullable RetryBudget retryBudget;
  private @Nullable RetryPolicy retry;
  private @Nullable HedgePolicy hedge;
  private @Nullable CircuitBreaker circuitBreaker;
  private @Nullable CircuitBreakerConfig circuitBreakerConfig;
  private @Nullable KeyedBulkhead keyedBulkhead;
  private @Nullable Bulkhead bulkhead;
  private @Nullable AdaptiveLimit adaptiveLimit;
  private @Nullable KeyedRateLimiter keyedRateLimiter;
  private @Nullable RateLimiter rateLimiter;
  private @Nullable Duration attemptTimeout;

  private final Set<Stage> added = EnumSet.noneOf(Stage.class);
  private @Nullable Stage last;
  private boolean variant;

  PipelineBuilder(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
    }
    this.name = name;
  }

  /**
   * Switches this builder to deriving a variant: from now on, setting a policy that is already set replaces it,
   * and policies may be added in any call order (they still compose in the fixed order). {@link
   * Pipeline#toBuilder()} returns builders in this mode.
   */
  public PipelineBuilder asVariant() {
    this.variant = true;
    return this;
  }

  /** Where the pipeline reads time, waits and schedules; default {@link TimeSource#system()}. */
  public PipelineBuilder timeSource(TimeSource time) {
    this.time = Objects.requireNonNull(time, "timeSource");
    return this;
  }

  /** The source of jitter; default {@link java.util.concurrent.ThreadLocalRandom} of the calling thread. */
  public PipelineBuilder random(RandomGenerator random) {
    this.random = Objects.requireNonNull(random, "random");
    return this;
  }

  /** Publishes the pipeline's meters (and those of the breaker it creates) to {@code registry}. */
  public PipelineBuilder meterRegistry(MeterRegistry registry) {
    this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
    return this;
  }

  /**
   * Bounds every call, retries and waits included, to {@code deadline} (or less, if the caller's current
   * deadline is earlier).
   *
   * @throws IllegalArgumentException if not positive
   */
  public PipelineBuilder deadline(Duration deadline) {
    var value = positive("deadline", deadline);
    place(Stage.DEADLINE);
    this.deadline = value;
    return this;
  }

  /** Caps retries and hedges with {@code budget}; share one budget among the pipelines of one downstream. */
  public PipelineBuilder retryBudget(RetryBudget budget) {
    var value = Objects.requireNonNull(budget, "retryBudget");
    place(Stage.RETRY_BUDGET);
    this.retryBudget = value;
    return this;
  }

  /** Retries failed attempts as {@code policy} says. */
  public PipelineBuilder retry(RetryPolicy policy) {
    var value = Objects.requireNonNull(policy, "retry");
    place(Stage.RETRY);
    this.retry = value;
    return this;
  }

  /** Hedges slow attempts as {@code policy} says. */
  public PipelineBuilder hedge(HedgePolicy policy) {
    var value = Objects.requireNonNull(policy, "hedge");
    place(Stage.HEDGE);
    this.hedge = value;
    return this;
  }

  /**
   * Guards attempts with {@code breaker}, for example one from your own {@code CircuitBreakerRegistry}: its
   * state and metrics stay where they are.
   */
  public PipelineBuilder circuitBreaker(CircuitBreaker breaker) {
    var value = Objects.requireNonNull(breaker, "circuitBreaker");
    place(Stage.CIRCUIT_BREAKER);
    this.circuitBreaker = value;
    this.circuitBreakerConfig = null;
    return this;
  }

  /**
   * Guards attempts with a new breaker named after the pipeline, built from {@code config} on the pipeline's
   * time source (so it opens, waits and half-opens in virtual time in tests).
   */
  public PipelineBuilder circuitBreaker(CircuitBreakerConfig config) {
    var value = Objects.requireNonNull(config, "circuitBreaker");
    place(Stage.CIRCUIT_BREAKER);
    this.circuitBreakerConfig = value;
    this.circuitBreaker = null;
    return this;
  }

  /** Limits each key's concurrent attempts; call through {@link Pipeline#withKey(String)}. */
  public PipelineBuilder keyedBulkhead(KeyedBulkhead bulkhead) {
    var value = Objects.requireNonNull(bulkhead, "keyedBulkhead");
    place(Stage.KEYED_BULKHEAD);
    this.keyedBulkhead = value;
    return this;
  }

  /** Limits concurrent attempts with a Resilience4j semaphore {@code bulkhead}. */
  public PipelineBuilder bulkhead(Bulkhead bulkhead) {
    var value = Objects.requireNonNull(bulkhead, "bulkhead");
    place(Stage.BULKHEAD);
    this.bulkhead = value;
    return this;
  }

  /** Limits concurrent attempts with an adaptive limit. */
  public PipelineBuilder adaptiveLimit(AdaptiveLimit limit) {
    var value = Objects.requireNonNull(limit, "adaptiveLimit");
    place(Stage.ADAPTIVE_LIMIT);
    this.adaptiveLimit = value;
    return this;
  }

  /** Limits each key's rate of attempts; call through {@link Pipeline#withKey(String)}. */
  public PipelineBuilder keyedRateLimiter(KeyedRateLimiter limiter) {
    var value = Objects.requireNonNull(limiter, "keyedRateLimiter");
    place(Stage.KEYED_RATE_LIMITER);
    this.keyedRateLimiter = value;
    return this;
  }

  /** Limits the rate of attempts with a Resilience4j {@code limiter}. */
  public PipelineBuilder rateLimiter(RateLimiter limiter) {
    var value = Objects.requireNonNull(limiter, "rateLimiter");
    place(Stage.RATE_LIMITER);
    this.rateLimiter = value;
    return this;
  }

  /**
   * Cancels an attempt that runs longer than {@code timeout} (interrupting a synchronous one).
   *
   * @throws IllegalArgumentException if not positive
   */
  public PipelineBuilder attemptTimeout(Duration timeout) {
    var value = positive("attemptTimeout", timeout);
    place(Stage.ATTEMPT_TIMEOUT);
    this.attemptTimeout = value;
    return this;
  }

  /**
   * Builds the pipeline; this builder is unchanged and may build again (sharing the same policy instances).
   *
   * @throws IllegalStateException when the settings contradict each other, saying which
   */
  public Pipeline build() {
    if (retryBudget != null && retry == null && hedge == null) {
      throw new IllegalStateException(
          "pipeline '" + name + "': retryBudget is set but neither retry nor hedge is, so it would never be"
              + " consulted");
    }
    if (attemptTimeout != null && deadline != null && attemptTimeout.compareTo(deadline) > 0) {
      throw new IllegalStateException(
          "pipeline '" + name + "': attemptTimeout (" + attemptTimeout + ") is longer than deadline ("
              + deadline + "), so it could never fire");
    }
    CircuitBreaker breaker = circuitBreaker;
    CircuitBreakerConfig config = circuitBreakerConfig;
    if (breaker == null && config != null) {
      TimeSource source = time;
      CircuitBreakerConfig onTimeSource =
          CircuitBreakerConfig.from(config)
              .clock(source.clock())
              .currentTimestampFunction(clock -> source.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS)
              .build();
      breaker = CircuitBreaker.of(name, onTimeSource);
    }
    return new PipelineEngine(
        new PipelineSettings(
            name,
            time,
            random,
            meterRegistry,
            deadline,
            retryBudget,
            retry,
            hedge,
            breaker,
            keyedBulkhead,
            bulkhead,
            adaptiveLimit,
            keyedRateLimiter,
            rateLimiter,
            attemptTimeout),
        null);
  }

  private void place(Stage stage) {
    if (variant) {
      added.add(stage);
      return;
    }
    if (added.contains(stage)) {
      throw new IllegalStateException(
          "pipeline '" + name + "': " + stage.setting() + " is already set; a second one would count every"
              + " attempt twice (or multiply the attempts). Use one " + stage.setting() + " per pipeline.");
    }
    Stage previous = last;
    if (previous != null && stage.compareTo(previous) < 0) {
      throw new IllegalStateException(
          "pipeline '" + name + "': " + stage.setting() + " cannot be added after " + previous.setting()
              + ". Policies are added outermost first in the fixed order " + Stage.order() + ". "
              + previous.setting() + " sits inside " + stage.setting() + " because " + previous.reason() + ".");
    }
    added.add(stage);
    last = stage;
  }

  private static Duration positive(String setting, Duration value) {
    Objects.requireNonNull(value, setting);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(setting + " must be > 0, was " + value);
    }
    return value;
  }
}
