package dev.steadfast.core;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A named chain of resilience policies that a service wraps around every call to one downstream. Immutable and
 * thread-safe: build it once and share it.
 *
 * <pre>{@code
 * Pipeline payments = Pipeline.builder("payments")
 *     .deadline(Duration.ofSeconds(2))
 *     .retryBudget(paymentsBudget)                  // shared by every pipeline calling payments
 *     .retry(RetryPolicy.builder().maxAttempts(3).build())
 *     .circuitBreaker(registry.circuitBreaker("payments"))
 *     .bulkhead(Bulkhead.of("payments", BulkheadConfig.ofDefaults()))
 *     .attemptTimeout(Duration.ofMillis(500))
 *     .build();
 *
 * Receipt receipt = payments.execute(() -> client.charge(order));
 * }</pre>
 *
 * <h2>The order is fixed</h2>
 *
 * Policies are added outermost first, in this order, and the builder rejects any other (and any policy added
 * twice) with the reason:
 *
 * <ol>
 *   <li><b>fallback</b> (per call: {@link #execute(Supplier, Function)}) sees the final outcome, after everything
 *       else gave up;
 *   <li><b>deadline</b> bounds the whole call, every retry, hedge and backoff wait included;
 *   <li><b>retryBudget</b> sees every original request and every retry or hedge, so it can bound them;
 *   <li><b>retry</b>: each retry is a fresh attempt through everything below;
 *   <li><b>hedge</b>: each hedge is one more attempt through everything below;
 *   <li><b>circuitBreaker</b> records each attempt exactly once (a breaker outside the retry would record one
 *       outcome for several failed attempts; a second retry or breaker would count failures twice);
 *   <li><b>keyedBulkhead, bulkhead, adaptiveLimit</b> count only attempts the breaker let through;
 *   <li><b>keyedRateLimiter, rateLimiter</b> charge only attempts that will really be sent;
 *   <li><b>attemptTimeout</b> bounds the call itself, not the wait for a permit: its timeout is {@code
 *       min(attemptTimeout, time left before the deadline)}.
 * </ol>
 *
 * <p>A call's deadline is the earlier of the pipeline's {@code deadline} and the one already {@link
 * Deadline#current() current} on the calling thread (an incoming request's), so deadlines propagate through
 * nested calls. Timeouts cancel the work: a synchronous attempt is interrupted, an asynchronous one's future
 * cancelled.
 *
 * <p>Failures are reported as they happened: the last attempt's own exception, or Resilience4j's {@code
 * CallNotPermittedException}, {@code BulkheadFullException} and {@code RequestNotPermitted} for local
 * rejections, {@link LimitExceededException}, {@link AttemptTimeoutException} and {@link
 * DeadlineExceededException}.
 *
 * @since 0.1.0
 */
public interface Pipeline {

  /** A builder for a pipeline named {@code name} (used in metrics, logs and exception messages). */
  static PipelineBuilder builder(String name) {
    return new PipelineBuilder(name);
  }

  /** The pipeline's name. */
  String name();

  /** Calls {@code call} through the pipeline and returns its result. */
  <T> T execute(Supplier<T> call);

  /**
   * Calls {@code call} through the pipeline; when it fails in the end (every attempt, rejection or timeout
   * included), returns {@code fallback}'s answer to the failure instead.
   */
  <T> T execute(Supplier<T> call, Function<? super Throwable, ? extends T> fallback);

  /** Runs {@code call} through the pipeline. */
  void run(Runnable call);

  /** Calls {@code call} through the pipeline; its checked exceptions pass through unchanged. */
  <T> T call(CheckedSupplier<T> call) throws Exception;

  /**
   * Calls {@code call} through the pipeline without blocking: retries and hedges are scheduled on the
   * pipeline's time source, timeouts cancel the attempt's future.
   */
  <T> CompletionStage<T> executeAsync(Supplier<? extends CompletionStage<T>> call);

  /** {@link #executeAsync(Supplier)} with a fallback for the final failure. */
  <T> CompletionStage<T> executeAsync(
      Supplier<? extends CompletionStage<T>> call, Function<? super Throwable, ? extends T> fallback);

  /**
   * This pipeline for calls on behalf of {@code key} (a tenant, a user): the keyed bulkhead and keyed rate
   * limiter use {@code key}'s share. A pipeline with keyed policies must be called through this.
   */
  Pipeline withKey(String key);

  /**
   * A builder that starts from this pipeline, sharing its policy instances (and so its breaker's state), in
   * {@link PipelineBuilder#asVariant() variant} mode: policies can be replaced or added.
   */
  PipelineBuilder toBuilder();
}
