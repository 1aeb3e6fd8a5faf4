package dev.steadfast.core.config;

import dev.steadfast.core.AdaptiveLimit;
import dev.steadfast.core.CheckedSupplier;
import dev.steadfast.core.HedgePolicy;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.PipelineBuilder;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.spi.TimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread-safe registry of the named pipelines of a {@link PipelineProperties}, reloadable while they are in use:
 * any thread may call a pipeline, look one up or reload, and reloads are serialised.
 *
 * <pre>{@code
 * PipelineRegistry pipelines = PipelineRegistry.builder()
 *     .meterRegistry(meters)
 *     .build(PipelineProperties.of(properties));
 * Pipeline orders = pipelines.pipeline("orders");        // keep it: it follows every reload
 * ...
 * pipelines.reload(PipelineProperties.of(newProperties)); // on a config change
 * }</pre>
 *
 * <h2>Handles</h2>
 *
 * {@link #pipeline(String)} returns a handle that stays valid across reloads: each call through it runs on the
 * version of the pipeline that is current when the call starts, from start to end, so calls in flight during a
 * reload finish on the old version and calls started after it use the new one.
 *
 * <h2>What a reload keeps</h2>
 *
 * A reload first validates everything and builds every pipeline that changed; if anything is wrong it throws
 * {@link InvalidConfigException} listing every problem and changes nothing. Then it switches the changed
 * pipelines over, one after the other, each atomically. Policy instances whose settings did not change are kept,
 * with their state:
 *
 * <ul>
 *   <li>a pipeline whose settings (and budget) did not change keeps its version entirely;
 *   <li>a circuit breaker whose settings did not change is the same instance, state and metrics included, even
 *       when other settings of its pipeline changed. A breaker whose settings changed is replaced by a new one
 *       that starts in the old one's state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code
 *       DISABLED}, {@code METRICS_ONLY} or {@code FORCED_OPEN}); its failure counts start empty, and an {@code
 *       OPEN} one waits its full {@code wait-in-open} from the reload;
 *   <li>a retry budget whose settings did not change is the same instance, still shared by every pipeline naming
 *       it; a changed one starts full;
 *   <li>a hedge policy (with its learned latencies), bulkhead, rate limiter and adaptive limit whose settings did
 *       not change are the same instance. A changed bulkhead or limit is a new one, so for the moment that calls
 *       in flight hold permits of the old one, the two together may admit more calls than either.
 * </ul>
 *
 * <p>A pipeline may be removed from the configuration as long as no one asked for it: a reload that removes a
 * pipeline whose handle {@link #pipeline(String) was handed out} is rejected, naming the pipeline, because code
 * running in this process still calls it and would fail at once. Remove such a pipeline with the code that calls
 * it, at the next restart.
 *
 * <h2>Circuit breakers in your registry</h2>
 *
 * With {@link Builder#circuitBreakerRegistry(CircuitBreakerRegistry)}, each pipeline's breaker is kept in that
 * registry under the pipeline's name: when a pipeline gets a new breaker (the first time, or because its settings
 * changed) the registry entry of that name is added or replaced, and the new breaker starts in the state of the
 * one it replaces. Breakers are never removed from your registry.
 *
 * @since 0.1.0
 */
public final class PipelineRegistry {

  /*
   * Design. The registry's whole state is one immutable Snapshot: the properties, one Version per pipeline (the
   * built Pipeline and the policy instances in it) and one instance per budget. A reload builds the next Snapshot
   * from the current one without touching anything shared (each changed pipeline is built once without meters, so
   * that the core's checks run first), then commits it under the lock: it carries breaker state over, updates the
   * user's breaker registry, drops the meters of replaced breakers and builds the changed pipelines with meters,
   * publishes the snapshot and points every handle at its new version. Handles are created under the same lock,
   * so none can miss a reload. Calls never lock: a handle call is one volatile read and a delegation.
   */

  private static final Logger LOG = LoggerFactory.getLogger(PipelineRegistry.class);

  private final TimeSource time;
  private final @Nullable MeterRegistry meterRegistry;
  private final @Nullable CircuitBreakerRegistry breakerRegistry;

  private final ReentrantLock lock = new ReentrantLock();

  // Written under lock, read without it.
  private volatile Snapshot snapshot;

  // Written under lock (so that a new handle starts on the current version), read without it.
  private final Map<String, Handle> handles = new ConcurrentHashMap<>();

  /**
   * A pipeline's built version and the policy instances in it, so that a reload can keep them. {@code pipeline}
   * is null only while the version is being assembled.
   */
  record Version(
      PipelineSpec spec,
      @Nullable Pipeline pipeline,
      @Nullable RetryBudget budget,
      @Nullable HedgePolicy hedge,
      @Nullable CircuitBreaker breaker,
      @Nullable Bulkhead bulkhead,
      @Nullable AdaptiveLimit adaptiveLimit,
      @Nullable RateLimiter rateLimiter) {

    Version with(Pipeline built) {
      return new Version(spec, built, budget, hedge, breaker, bulkhead, adaptiveLimit, rateLimiter);
    }

    /** The built pipeline. */
    Pipeline built() {
      return Objects.requireNonNull(pipeline, "pipeline not built yet");
    }
  }

  /** A budget's settings and its one shared instance. */
  record Budget(BudgetSpec spec, RetryBudget budget) {}

  /** Everything the registry holds at one time. */
  private record Snapshot(
      PipelineProperties properties, Map<String, Version> pipelines, Map<String, Budget> budgets) {}

  private PipelineRegistry(Builder builder, PipelineProperties properties) {
    this.time = builder.time;
    this.meterRegistry = builder.meterRegistry;
    this.breakerRegistry = builder.breakerRegistry;
    this.snapshot = new Snapshot(PipelineProperties.empty(), Map.of(), Map.of());
    reload(properties);
  }

  /** A builder on the system time, without metrics or a breaker registry. Not thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The pipeline {@code name} (in property or canonical form: {@code order-service} and {@code orderservice} are
   * one), as a handle that always delegates to its current version. The same handle is returned every time.
   *
   * @throws IllegalArgumentException if no pipeline of that name is configured
   */
  public Pipeline pipeline(String name) {
    Objects.requireNonNull(name, "name");
    String canonical = Setting.canonical(name);
    Handle handle = handles.get(canonical);
    if (handle != null) {
      return handle;
    }
    lock.lock();
    try {
      Handle existing = handles.get(canonical);
      if (existing != null) {
        return existing;
      }
      Version version = snapshot.pipelines().get(canonical);
      if (version == null) {
        throw new IllegalArgumentException(
            "no pipeline '" + name + "' is configured (configured: " + String.join(", ", names()) + ")");
      }
      Handle created = new Handle(canonical, version.built());
      handles.put(canonical, created);
      return created;
    } finally {
      lock.unlock();
    }
  }

  /** The names of the configured pipelines, in canonical form, sorted. */
  public Set<String> names() {
    return snapshot.properties().pipelineNames();
  }

  /** The configuration in use: the last one built or reloaded successfully. */
  public PipelineProperties properties() {
    return snapshot.properties();
  }

  /** The circuit breaker pipeline {@code name} uses now, if it has one (for health checks and operators). */
  public Optional<CircuitBreaker> circuitBreaker(String name) {
    Version version = snapshot.pipelines().get(Setting.canonical(Objects.requireNonNull(name, "name")));
    return version == null ? Optional.empty() : Optional.ofNullable(version.breaker());
  }

  /** The retry budget {@code name} in use now, if it is configured. */
  public Optional<RetryBudget> retryBudget(String name) {
    Budget budget = snapshot.budgets().get(Setting.canonical(Objects.requireNonNull(name, "name")));
    return budget == null ? Optional.empty() : Optional.of(budget.budget());
  }

  /**
   * Switches to {@code properties}: builds the pipelines whose settings changed, keeping every policy instance
   * whose settings did not (see the class description), and points their handles at the new versions. Does
   * nothing if {@code properties} equals the configuration in use.
   *
   * @throws InvalidConfigException listing every problem (a policy the core rejects, a pipeline in use that
   *     {@code properties} removes); nothing is changed then
   */
  public void reload(PipelineProperties properties) {
    Objects.requireNonNull(properties, "properties");
    lock.lock();
    try {
      Snapshot current = snapshot;
      if (current.properties().equals(properties)) {
        return;
      }
      List<String> problems = new ArrayList<>();
      for (String name : current.pipelines().keySet()) {
        if (!properties.pipelines().containsKey(name) && handles.containsKey(name)) {
          problems.add(
              "steadfast.pipeline." + name + " cannot be removed: the pipeline is in use (pipeline(\"" + name
                  + "\") was called), and its callers would fail. Remove it with the code that calls it, at the"
                  + " next restart");
        }
      }
      Snapshot next = assemble(properties, current, problems);
      if (!problems.isEmpty()) {
        throw new InvalidConfigException(problems);
      }
      commit(current, next);
    } finally {
      lock.unlock();
    }
  }

  /** The version of pipeline {@code name} in use now, or null; for tests. */
  @Nullable Version version(String name) {
    return snapshot.pipelines().get(Setting.canonical(name));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Building (nothing shared is touched) and committing (under the lock)

  private Snapshot assemble(PipelineProperties properties, Snapshot current, List<String> problems) {
    Map<String, Budget> budgets = new TreeMap<>();
    for (BudgetSpec spec : properties.budgets().values()) {
      Budget old = current.budgets().get(spec.name());
      try {
        budgets.put(
            spec.name(),
            old != null && old.spec().equals(spec) ? old : new Budget(spec, Policies.retryBudget(spec, time)));
      } catch (IllegalArgumentException | IllegalStateException rejected) {
        problems.add("steadfast.budget." + spec.name() + ": " + rejected.getMessage());
      }
    }
    Map<String, Version> pipelines = new TreeMap<>();
    for (PipelineSpec spec : properties.pipelines().values()) {
      try {
        pipelines.put(spec.name(), version(spec, current.pipelines().get(spec.name()), budgets));
      } catch (IllegalArgumentException | IllegalStateException rejected) {
        problems.add("steadfast.pipeline." + spec.name() + ": " + rejected.getMessage());
      }
    }
    return new Snapshot(properties, Map.copyOf(pipelines), Map.copyOf(budgets));
  }

  private Version version(PipelineSpec spec, @Nullable Version previous, Map<String, Budget> budgets) {
    String budgetName = spec.retryBudget();
    Budget budgetEntry = budgetName == null ? null : budgets.get(budgetName);
    if (budgetName != null && budgetEntry == null) {
      throw new IllegalStateException("the retry budget '" + budgetName + "' could not be built");
    }
    RetryBudget budget = budgetEntry == null ? null : budgetEntry.budget();
    if (previous != null && previous.spec().equals(spec) && previous.budget() == budget) {
      return previous;
    }
    String name = spec.name();
    PipelineSpec old = previous == null ? null : previous.spec();
    HedgePolicy hedge =
        keep(spec.hedge(), old == null ? null : old.hedge(), previous == null ? null : previous.hedge(), Policies::hedge);
    CircuitBreaker breaker =
        keep(
            spec.circuitBreaker(),
            old == null ? null : old.circuitBreaker(),
            previous == null ? null : previous.breaker(),
            settings -> Policies.circuitBreaker(name, settings, time));
    Bulkhead bulkhead =
        keep(
            spec.bulkhead(),
            old == null ? null : old.bulkhead(),
            previous == null ? null : previous.bulkhead(),
            settings -> Policies.bulkhead(name, settings));
    AdaptiveLimit adaptiveLimit =
        keep(
            spec.adaptiveLimit(),
            old == null ? null : old.adaptiveLimit(),
            previous == null ? null : previous.adaptiveLimit(),
            settings -> Policies.adaptiveLimit(name, settings, time));
    RateLimiter rateLimiter =
        keep(
            spec.rateLimiter(),
            old == null ? null : old.rateLimiter(),
            previous == null ? null : previous.rateLimiter(),
            settings -> Policies.rateLimiter(name, settings));

    Version parts = new Version(spec, null, budget, hedge, breaker, bulkhead, adaptiveLimit, rateLimiter);
    // Built now, without meters, so that the core's own checks run before anything is committed; commit builds it
    // again with meters, once the meters of a replaced breaker are gone.
    return parts.with(pipeline(parts, null));
  }

  /** The pipeline of {@code version}'s spec and policy instances, publishing its meters to {@code meters}. */
  private Pipeline pipeline(Version version, @Nullable MeterRegistry meters) {
    PipelineSpec spec = version.spec();
    // The builder places the policies in the pipeline's fixed order, outermost first.
    PipelineBuilder builder = Pipeline.builder(spec.name()).timeSource(time);
    if (meters != null) {
      builder.meterRegistry(meters);
    }
    if (spec.deadline() != null) {
      builder.deadline(spec.deadline());
    }
    RetryBudget budget = version.budget();
    if (budget != null) {
      builder.retryBudget(budget);
    }
    if (spec.retry() != null) {
      builder.retry(Policies.retry(spec.retry()));
    }
    HedgePolicy hedge = version.hedge();
    if (hedge != null) {
      builder.hedge(hedge);
    }
    CircuitBreaker breaker = version.breaker();
    if (breaker != null) {
      builder.circuitBreaker(breaker);
    }
    Bulkhead bulkhead = version.bulkhead();
    if (bulkhead != null) {
      builder.bulkhead(bulkhead);
    }
    AdaptiveLimit adaptiveLimit = version.adaptiveLimit();
    if (adaptiveLimit != null) {
      builder.adaptiveLimit(adaptiveLimit);
    }
    RateLimiter rateLimiter = version.rateLimiter();
    if (rateLimiter != null) {
      builder.rateLimiter(rateLimiter);
    }
    if (spec.attemptTimeout() != null) {
      builder.attemptTimeout(spec.attemptTimeout());
    }
    return builder.build();
  }

  /** The old policy instance if its settings did not change, a new one if they did, null if there are none. */
  private static <S, P> @Nullable P keep(
      @Nullable S settings, @Nullable S oldSettings, @Nullable P oldPolicy, Function<S, P> build) {
    if (settings == null) {
      return null;
    }
    if (oldPolicy != null && settings.equals(oldSettings)) {
      return oldPolicy;
    }
    return build.apply(settings);
  }

  @SuppressWarnings("ReferenceEquality") // a kept version is the same instance; an equal one would be rebuilt
  private void commit(Snapshot current, Snapshot assembled) {
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> replacedBreakers = new ArrayList<>();
    Map<String, Version> pipelines = new HashMap<>(assembled.pipelines());
    for (Version version : assembled.pipelines().values()) {
      String name = version.spec().name();
      Version old = current.pipelines().get(name);
      if (version == old) {
        continue;
      }
      (old == null ? added : changed).add(name);
      CircuitBreaker breaker = version.breaker();
      CircuitBreaker oldBreaker = old == null ? null : old.breaker();
      CircuitBreakerRegistry registry = breakerRegistry;
      if (breaker != null && breaker != oldBreaker) {
        CircuitBreaker replaced = oldBreaker;
        if (replaced == null && registry != null) {
          replaced = registry.find(name).orElse(null);
        }
        if (replaced != null) {
          carryStateOver(replaced, breaker);
          replacedBreakers.add(name + " (" + replaced.getState() + ")");
        }
        if (registry != null) {
          if (registry.find(name).isEmpty()) {
            registry.circuitBreaker(name, breaker.getCircuitBreakerConfig()); // a placeholder, replaced at once
          }
          registry.replace(name, breaker);
        }
      }
      MeterRegistry meters = meterRegistry;
      if (meters != null) {
        // A meter registry keeps the first gauge registered under an id (and warns about the second): drop the
        // breaker's meters so that the pipeline binds those of the breaker it uses now.
        removeBreakerMeters(name, meters);
        pipelines.put(name, version.with(pipeline(version, meters)));
      }
    }
    for (String name : current.pipelines().keySet()) {
      if (!assembled.pipelines().containsKey(name)) {
        removed.add(name);
      }
    }
    MeterRegistry meters = meterRegistry;
    if (meters != null) {
      for (String name : removed) {
        removeBreakerMeters(name, meters);
      }
    }
    Snapshot next = new Snapshot(assembled.properties(), Map.copyOf(pipelines), assembled.budgets());
    snapshot = next;
    for (Map.Entry<String, Handle> entry : handles.entrySet()) {
      Version version = next.pipelines().get(entry.getKey());
      if (version != null) { // a reload never removes a pipeline with a handle
        entry.getValue().current = version.built();
      }
    }
    if (!current.pipelines().isEmpty() || !current.budgets().isEmpty()) {
      LOG.atInfo()
          .setMessage("pipeline configuration reloaded")
          .addKeyValue("added", added)
          .addKeyValue("changed", changed)
          .addKeyValue("removed", removed)
          .addKeyValue("breakersReplaced", replacedBreakers)
          .log();
    }
  }

  /** Puts the new breaker {@code to} in {@code from}'s state; its counts start empty. */
  static void carryStateOver(CircuitBreaker from, CircuitBreaker to) {
    switch (from.getState()) {
      case OPEN -> to.transitionToOpenState();
      case HALF_OPEN -> {
        to.transitionToOpenState(); // a breaker half-opens only from open
        to.transitionToHalfOpenState();
      }
      case FORCED_OPEN -> to.transitionToForcedOpenState();
      case DISABLED -> to.transitionToDisabledState();
      case METRICS_ONLY -> to.transitionToMetricsOnlyState();
      case CLOSED -> {}
    }
  }

  /** Removes Resilience4j's meters of the breaker named {@code name} (a pipeline's breaker has its name). */
  private static void removeBreakerMeters(String name, MeterRegistry meters) {
    for (Meter meter : List.copyOf(meters.getMeters())) {
      Meter.Id id = meter.getId();
      if (id.getName().startsWith("resilience4j.circuitbreaker") && name.equals(id.getTag("name"))) {
        meters.remove(meter);
      }
    }
  }

  /**
   * Configures and builds a {@link PipelineRegistry}. Not thread-safe; {@link #build(PipelineProperties)} may be
   * called again for another registry.
   */
  public static final class Builder {
    private TimeSource time = TimeSource.system();
    private @Nullable MeterRegistry meterRegistry;
    private @Nullable CircuitBreakerRegistry breakerRegistry;

    private Builder() {}

    /** Where every pipeline, breaker, budget and limit reads time; default {@link TimeSource#system()}. */
    public Builder timeSource(TimeSource time) {
      this.time = Objects.requireNonNull(time, "timeSource");
      return this;
    }

    /** Publishes every pipeline's meters, and those of its breaker, to {@code registry}. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /**
     * Keeps each pipeline's breaker in {@code registry} under the pipeline's name (see "Circuit breakers in your
     * registry" on {@link PipelineRegistry}).
     */
    public Builder circuitBreakerRegistry(CircuitBreakerRegistry registry) {
      this.breakerRegistry = Objects.requireNonNull(registry, "circuitBreakerRegistry");
      return this;
    }

    /**
     * Builds every pipeline of {@code properties}.
     *
     * @throws InvalidConfigException listing every policy the core rejects
     */
    public PipelineRegistry build(PipelineProperties properties) {
      return new PipelineRegistry(this, Objects.requireNonNull(properties, "properties"));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Handles

  /** A configured pipeline as callers see it: each call runs on the version current when it starts. */
  private static final class Handle implements Pipeline {
    private final String name;
    volatile Pipeline current;

    Handle(String name, Pipeline current) {
      this.name = name;
      this.current = current;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public <T> T execute(Supplier<T> call) {
      return current.execute(call);
    }

    @Override
    public <T> T execute(Supplier<T> call, Function<? super Throwable, ? extends T> fallback) {
      return current.execute(call, fallback);
    }

    @Override
    public void run(Runnable call) {
      current.run(call);
    }

    @Override
    public <T> T call(CheckedSupplier<T> call) throws Exception {
      return current.call(call);
    }

    @Override
    public <T> CompletionStage<T> executeAsync(Supplier<? extends CompletionStage<T>> call) {
      return current.executeAsync(call);
    }

    @Override
    public <T> CompletionStage<T> executeAsync(
        Supplier<? extends CompletionStage<T>> call, Function<? super Throwable, ? extends T> fallback) {
      return current.executeAsync(call, fallback);
    }

    /** This pipeline for {@code key}, following reloads as this handle does. */
    @Override
    public Pipeline withKey(String key) {
      return new KeyedHandle(this, Objects.requireNonNull(key, "key"));
    }

    /** A builder that starts from the current version (a snapshot: it does not follow later reloads). */
    @Override
    public PipelineBuilder toBuilder() {
      return current.toBuilder();
    }

    @Override
    public String toString() {
      return "Pipeline[" + name + ", configured]";
    }
  }

  /** A handle for one key: re-keys the current version when a reload replaced it, and reuses it otherwise. */
  private static final class KeyedHandle implements Pipeline {
    private record Keyed(Pipeline version, Pipeline keyed) {}

    private final Handle handle;
    private final String key;
    private volatile @Nullable Keyed keyed;

    KeyedHandle(Handle handle, String key) {
      this.handle = handle;
      this.key = key;
    }

    private Pipeline current() {
      Pipeline version = handle.current;
      Keyed cached = keyed;
      if (cached == null || cached.version() != version) {
        // Racing threads may each key the version; any of them is right.
        cached = new Keyed(version, version.withKey(key));
        keyed = cached;
      }
      return cached.keyed();
    }

    @Override
    public String name() {
      return handle.name();
    }

    @Override
    public <T> T execute(Supplier<T> call) {
      return current().execute(call);
    }

    @Override
    public <T> T execute(Supplier<T> call, Function<? super Throwable, ? extends T> fallback) {
      return current().execute(call, fallback);
    }

    @Override
    public void run(Runnable call) {
      current().run(call);
    }

    @Override
    public <T> T call(CheckedSupplier<T> call) throws Exception {
      return current().call(call);
    }

    @Override
    public <T> CompletionStage<T> executeAsync(Supplier<? extends CompletionStage<T>> call) {
      return current().executeAsync(call);
    }

    @Override
    public <T> CompletionStage<T> executeAsync(
        Supplier<? extends CompletionStage<T>> call, Function<? super Throwable, ? extends T> fallback) {
      return current().executeAsync(call, fallback);
    }

    @Override
    public Pipeline withKey(String otherKey) {
      return handle.withKey(otherKey);
    }

    @Override
    public PipelineBuilder toBuilder() {
      return handle.toBuilder();
    }

    @Override
    public String toString() {
      return "Pipeline[" + handle.name() + ", configured, key=" + key + "]";
    }
  }
}
