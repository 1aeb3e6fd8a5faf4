package dev.steadfast.testkit.chaos;

import dev.steadfast.core.CheckedSupplier;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.PipelineBuilder;
import dev.steadfast.core.spi.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A thread-safe injector of chaos into calls (build it once and share it): latency, then a fault or a substitute
 * result, into a seeded share of the calls, while a switch is on. Steadfast's counterpart of Simmy's chaos
 * strategies for Polly.
 *
 * <p>Per call, when {@link Builder#enabledWhen(BooleanSupplier) the switch} is on, one draw from the seeded
 * random generator decides whether this call is injected ({@code injectionRate} of the calls are). An injected
 * call first waits the {@link Builder#latency(Duration) latency}, if set, on the policy's {@link TimeSource} (so
 * under {@code VirtualTime} it takes no real time, and the pipeline's attempt timeout fires in the middle of it);
 * then it throws the {@link Builder#fault() fault} or returns the {@link Builder#outcome(Supplier) outcome}, if
 * set, without calling; otherwise it calls. A call that is not injected is made unchanged. The same seed and the
 * same sequence of calls give the same injections. For different rates of latency and faults, nest two policies.
 *
 * <p>Wrap a single call with {@link #execute(Supplier)} and its siblings, or put the policy {@link
 * #inside(Pipeline) inside a pipeline}, where every attempt goes through it, so that the pipeline's retry,
 * breaker and timeouts see what it injects:
 *
 * <pre>{@code
 * ChaosPolicy chaos = ChaosPolicy.builder().injectionRate(0.3).fault().seed(42).build();
 * Pipeline payments = chaos.inside(Pipeline.builder("payments").retry(RetryPolicy.ofDefaults()).build());
 * payments.execute(() -> client.charge(order)); // 30% of the attempts fail, the retry absorbs them
 * }</pre>
 *
 * <p>Faults are thrown as they are, also checked ones from {@link #execute(Supplier)} (as an undeclared
 * exception); an asynchronous call gets them as its failed stage. A synchronous latency interrupted (by the
 * pipeline's attempt timeout, say) ends with {@link InterruptedException} and the thread's interrupt status set.
 *
 * @since 0.1.0
 */
public final class ChaosPolicy {

  private static final long NOT_INJECTED = -1;

  private final double injectionRate;
  private final long minLatencyNanos;
  private final long maxLatencyNanos;
  private final @Nullable Supplier<? extends Throwable> fault;
  private final @Nullable Supplier<?> outcome;
  private final BooleanSupplier enabled;
  private final TimeSource time;
  private final LongAdder injections = new LongAdder();

  // Draws are made under the lock: a RandomGenerator need not be thread-safe, and a fixed draw order per call
  // keeps seeded runs reproducible.
  private final ReentrantLock lock = new ReentrantLock();
  // @GuardedBy("lock")
  private final RandomGenerator random;

  private ChaosPolicy(Builder builder, RandomGenerator random) {
    this.injectionRate = builder.injectionRate;
    this.minLatencyNanos = builder.minLatencyNanos;
    this.maxLatencyNanos = builder.maxLatencyNanos;
    this.fault = builder.fault;
    this.outcome = builder.outcome;
    this.enabled = builder.enabled;
    this.time = builder.time;
    this.random = random;
  }

  /** A builder; see its methods for the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Calls {@code call}, or injects chaos into it. */
  public <T> T execute(Supplier<T> call) {
    Objects.requireNonNull(call, "call");
    long latency = decide();
    if (latency == NOT_INJECTED) {
      return call.get();
    }
    return inject(latency, call::get);
  }

  /** Calls {@code call}, or injects chaos into it; its checked exceptions pass through. */
  public <T> T call(CheckedSupplier<T> call) throws Exception {
    Objects.requireNonNull(call, "call");
    long latency = decide();
    if (latency == NOT_INJECTED) {
      return call.get();
    }
    return inject(latency, call);
  }

  /** Runs {@code call}, or injects chaos into it; an injected outcome skips the call. */
  public void run(Runnable call) {
    Objects.requireNonNull(call, "call");
    long latency = decide();
    if (latency == NOT_INJECTED) {
      call.run();
      return;
    }
    inject(
        latency,
        () -> {
          call.run();
          return Boolean.TRUE; // no result: any non-null value will do
        });
  }

  /**
   * Calls {@code call}, or injects chaos into it without blocking: the latency is a task scheduled on the time
   * source (which then makes the call on the time source's thread), a fault fails the returned stage. Cancelling
   * the returned stage during the latency cancels the call.
   */
  public <T> CompletionStage<T> executeAsync(Supplier<? extends CompletionStage<T>> call) {
    Objects.requireNonNull(call, "call");
    long latency = decide();
    if (latency == NOT_INJECTED) {
      return call.get();
    }
    if (latency == 0) {
      return injectAsync(call);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    TimeSource.Cancellable pending =
        time.schedule(
            () -> {
              if (result.isDone()) {
                return;
              }
              try {
                injectAsync(call)
                    .whenComplete(
                        (value, failure) -> {
                          if (failure != null) {
                            result.completeExceptionally(failure);
                          } else {
                            result.complete(value);
                          }
                        });
              } catch (RuntimeException | Error failure) {
                result.completeExceptionally(failure);
              }
            },
            latency);
    var unused =
        result.whenComplete(
            (value, failure) -> {
              if (result.isCancelled()) {
                pending.cancel();
              }
            });
    return result;
  }

  /** {@code call} with this policy around it. */
  public <T> Supplier<T> wrap(Supplier<T> call) {
    Objects.requireNonNull(call, "call");
    return () -> execute(call);
  }

  /** {@code call} with this policy around it, for asynchronous calls. */
  public <T> Supplier<CompletionStage<T>> wrapAsync(Supplier<? extends CompletionStage<T>> call) {
    Objects.requireNonNull(call, "call");
    return () -> executeAsync(call);
  }

  /**
   * {@code pipeline} with this policy inside it, around the call: every attempt (each retry, each hedge) goes
   * through the policy, so the pipeline's retry, breaker, limits and timeouts see the injected faults and
   * latency. {@link Pipeline#withKey(String)} keeps the policy inside; {@link Pipeline#toBuilder()} is the
   * pipeline's own, and builds pipelines without chaos.
   */
  public Pipeline inside(Pipeline pipeline) {
    return new ChaosInsidePipeline(Objects.requireNonNull(pipeline, "pipeline"), this);
  }

  /** How many calls were injected so far (latency, fault or outcome). */
  public long injections() {
    return injections.sum();
  }

  @Override
  public String toString() {
    return "ChaosPolicy[injectionRate=" + injectionRate
        + (maxLatencyNanos > 0
            ? ", latency=" + Duration.ofNanos(minLatencyNanos)
                + (maxLatencyNanos != minLatencyNanos ? ".." + Duration.ofNanos(maxLatencyNanos) : "")
            : "")
        + (fault != null ? ", fault" : "") + (outcome != null ? ", outcome" : "") + "]";
  }

  /** The latency to inject into this call (0 for none), or {@link #NOT_INJECTED}. */
  private long decide() {
    if (!enabled.getAsBoolean()) {
      return NOT_INJECTED;
    }
    lock.lock();
    try {
      if (!(random.nextDouble() < injectionRate)) {
        return NOT_INJECTED;
      }
      injections.increment();
      return maxLatencyNanos == minLatencyNanos
          ? minLatencyNanos
          : random.nextLong(minLatencyNanos, maxLatencyNanos + 1);
    } finally {
      lock.unlock();
    }
  }

  @SuppressWarnings("unchecked") // the outcome is the call's result by the user's word; see Builder.outcome
  private <T> T inject(long latencyNanos, CheckedSupplier<T> call) {
    try {
      time.sleepNanos(latencyNanos);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw sneaky(interrupted);
    }
    Supplier<? extends Throwable> injectedFault = fault;
    if (injectedFault != null) {
      throw sneaky(injectedFault.get());
    }
    Supplier<?> injectedOutcome = outcome;
    if (injectedOutcome != null) {
      return (T) injectedOutcome.get();
    }
    try {
      return call.get();
    } catch (Exception failure) {
      throw sneaky(failure);
    }
  }

  @SuppressWarnings("unchecked") // as inject
  private <T> CompletionStage<T> injectAsync(Supplier<? extends CompletionStage<T>> call) {
    Supplier<? extends Throwable> injectedFault = fault;
    if (injectedFault != null) {
      return CompletableFuture.failedFuture(injectedFault.get());
    }
    Supplier<?> injectedOutcome = outcome;
    if (injectedOutcome != null) {
      return CompletableFuture.completedFuture((T) injectedOutcome.get());
    }
    return call.get();
  }

  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  private static <E extends Throwable> E sneaky(Throwable failure) throws E {
    throw (E) failure;
  }

  /** A pipeline with a chaos policy between it and every call. */
  private static final class ChaosInsidePipeline implements Pipeline {
    private final Pipeline pipeline;
    private final ChaosPolicy chaos;

    ChaosInsidePipeline(Pipeline pipeline, ChaosPolicy chaos) {
      this.pipeline = pipeline;
      this.chaos = chaos;
    }

    @Override
    public String name() {
      return pipeline.name();
    }

    @Override
    public <T> T execute(Supplier<T> call) {
      return pipeline.execute(chaos.wrap(call));
    }

    @Override
    public <T> T execute(Supplier<T> call, Function<? super Throwable, ? extends T> fallback) {
      return pipeline.execute(chaos.wrap(call), fallback);
    }

    @Override
    public void run(Runnable call) {
      Objects.requireNonNull(call, "call");
      pipeline.run(() -> chaos.run(call));
    }

    @Override
    public <T> T call(CheckedSupplier<T> call) throws Exception {
      Objects.requireNonNull(call, "call");
      return pipeline.call(() -> chaos.call(call));
    }

    @Override
    public <T> CompletionStage<T> executeAsync(Supplier<? extends CompletionStage<T>> call) {
      return pipeline.executeAsync(chaos.wrapAsync(call));
    }

    @Override
    public <T> CompletionStage<T> executeAsync(
        Supplier<? extends CompletionStage<T>> call, Function<? super Throwable, ? extends T> fallback) {
      return pipeline.executeAsync(chaos.wrapAsync(call), fallback);
    }

    @Override
    public Pipeline withKey(String key) {
      return new ChaosInsidePipeline(pipeline.withKey(key), chaos);
    }

    @Override
    public PipelineBuilder toBuilder() {
      return pipeline.toBuilder();
    }

    @Override
    public String toString() {
      return pipeline + " with " + chaos + " inside";
    }
  }

  /**
   * Builds a {@link ChaosPolicy}. Not thread-safe. {@link #build()} copies the settings, so the builder can build
   * again. Set an {@link #injectionRate(double) injection rate} and at least one of latency, fault and outcome.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private double injectionRate = Double.NaN;
    private long minLatencyNanos;
    private long maxLatencyNanos;
    private @Nullable Supplier<? extends Throwable> fault;
    private @Nullable Supplier<?> outcome;
    private BooleanSupplier enabled = () -> true;
    private TimeSource time = TimeSource.system();
    private Supplier<RandomGenerator> random = () -> new SplittableRandom(0);

    private Builder() {}

    /**
     * The share of calls injected, from 0 (none) to 1 (all). Required.
     *
     * @throws IllegalArgumentException if not in [0, 1]
     */
    public Builder injectionRate(double injectionRate) {
      if (!(injectionRate >= 0 && injectionRate <= 1)) {
        throw new IllegalArgumentException("injectionRate must be in [0, 1], was " + injectionRate);
      }
      this.injectionRate = injectionRate;
      return this;
    }

    /**
     * Injected calls wait {@code latency} first.
     *
     * @throws IllegalArgumentException if {@code latency} is not positive
     */
    public Builder latency(Duration latency) {
      long nanos = positive("latency", latency);
      this.minLatencyNanos = nanos;
      this.maxLatencyNanos = nanos;
      return this;
    }

    /**
     * Injected calls wait a latency drawn uniformly from {@code [min, max]} first.
     *
     * @throws IllegalArgumentException if {@code min} is not positive or {@code max < min}
     */
    public Builder latency(Duration min, Duration max) {
      long minNanos = positive("latency min", min);
      long maxNanos = positive("latency max", max);
      if (maxNanos < minNanos) {
        throw new IllegalArgumentException("latency max must be >= min (" + min + "), was " + max);
      }
      this.minLatencyNanos = minNanos;
      this.maxLatencyNanos = maxNanos;
      return this;
    }

    /** Injected calls fail with a new {@link InjectedFaultException}. */
    public Builder fault() {
      return fault(() -> new InjectedFaultException("fault injected by chaos"));
    }

    /**
     * Injected calls fail with what {@code fault} supplies (a new exception per call is best), without being made.
     */
    public Builder fault(Supplier<? extends Throwable> fault) {
      this.fault = Objects.requireNonNull(fault, "fault");
      return this;
    }

    /**
     * Injected calls return what {@code outcome} supplies (an HTTP 503 response, say), without being made. The
     * result is handed back unchecked as the call's own type: use a policy with an outcome only for calls of a
     * type it fits, or the caller gets a {@link ClassCastException}. Runnables are skipped.
     */
    public Builder outcome(Supplier<?> outcome) {
      this.outcome = Objects.requireNonNull(outcome, "outcome");
      return this;
    }

    /**
     * Injects only into calls for which {@code enabled} is true when they start: a {@link ChaosSwitch}, or a
     * test of the current tenant or test phase. Default: always.
     */
    public Builder enabledWhen(BooleanSupplier enabled) {
      this.enabled = Objects.requireNonNull(enabled, "enabledWhen");
      return this;
    }

    /** Where latency is waited; default {@link TimeSource#system()}. Use the pipeline's. */
    public Builder timeSource(TimeSource time) {
      this.time = Objects.requireNonNull(time, "timeSource");
      return this;
    }

    /** A {@link SplittableRandom} seeded with {@code seed} decides the injections; default seed 0. */
    public Builder seed(long seed) {
      this.random = () -> new SplittableRandom(seed);
      return this;
    }

    /**
     * {@code random} decides the injections, used under the policy's lock (and shared by every policy this
     * builder builds).
     */
    public Builder random(RandomGenerator random) {
      Objects.requireNonNull(random, "random");
      this.random = () -> random;
      return this;
    }

    /**
     * The policy; this builder is unchanged and may build again (a seeded one then starts from the seed again).
     *
     * @throws IllegalStateException if no injection rate is set, nothing to inject is set, or both a fault and an
     *     outcome are
     */
    public ChaosPolicy build() {
      if (Double.isNaN(injectionRate)) {
        throw new IllegalStateException("injectionRate must be set, was not set");
      }
      if (maxLatencyNanos == 0 && fault == null && outcome == null) {
        throw new IllegalStateException(
            "nothing to inject: set latency, fault or outcome (or several), was none");
      }
      if (fault != null && outcome != null) {
        throw new IllegalStateException(
            "fault and outcome are both set, but an injected call can only get one of them: build a policy for"
                + " each and nest them");
      }
      return new ChaosPolicy(this, random.get());
    }

    private static long positive(String setting, Duration value) {
      Objects.requireNonNull(value, setting);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(setting + " must be > 0, was " + value);
      }
      return TimeSource.toNanosSaturated(value);
    }
  }
}
