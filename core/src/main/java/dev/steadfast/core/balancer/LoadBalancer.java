package dev.steadfast.core.balancer;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A thread-safe client-side load balancer in front of one service's replicas: build one per downstream and
 * share it. It picks an endpoint; the caller makes the call with its own transport (HTTP client, gRPC stub,
 * JDBC replica) and reports the outcome and latency on the {@link Lease}, or lets the balancer wrap the call
 * ({@link #call(Function)}).
 *
 * <pre>{@code
 * LoadBalancer replicas = LoadBalancer.builder("inventory")
 *     .endpoints(List.of(Endpoint.of("10.0.0.1:8080"), Endpoint.of("10.0.0.2:8080")))
 *     .strategy(Strategy.peakEwma())
 *     .outlierDetection(OutlierDetection.defaults())
 *     .build();
 *
 * Lease lease = replicas.pick();
 * long start = System.nanoTime();
 * try {
 *   Response r = http.get(lease.endpoint().address(), "/stock");
 *   lease.success(System.nanoTime() - start);
 * } catch (IOException e) {
 *   lease.failure(System.nanoTime() - start);
 *   throw e;
 * }
 * }</pre>
 *
 * <p>With a {@link dev.steadfast.core.Pipeline}, pass {@link #attempts(Function)} as the call: every retry and
 * hedge picks again, avoiding the endpoint the previous attempt went to, within the pipeline's retry budget and
 * deadline.
 *
 * <p>Picks choose among the <em>candidates</em>: the endpoints not ejected by outlier detection nor failing the
 * active health check, or all of them while the healthy share is below the panic threshold; within those, the
 * local zone's while it has enough healthy endpoints. Membership changes ({@link #update(Collection)},
 * discovery) are applied atomically; a lease on an endpoint that has left completes normally.
 *
 * @since 0.1.0
 */
public interface LoadBalancer extends AutoCloseable {

  /** A builder for a balancer named {@code name} (used in metrics, logs and exception messages). */
  static LoadBalancerBuilder builder(String name) {
    return new LoadBalancerBuilder(name);
  }

  /** The balancer's name. */
  String name();

  /**
   * Picks an endpoint by the strategy. Affinity strategies fall back to round robin.
   *
   * @throws NoEndpointAvailableException if there are no endpoints
   */
  Lease pick();

  /**
   * Picks an endpoint for {@code key}: affinity strategies send equal keys to the same endpoint; the others
   * ignore the key.
   *
   * @throws NoEndpointAvailableException if there are no endpoints
   */
  Lease pick(CharSequence key);

  /**
   * Picks an endpoint other than {@code avoid} when another candidate exists (a retry after {@code avoid}
   * failed, a hedge while {@code avoid} is slow); {@code avoid} null is {@link #pick()}.
   *
   * @throws NoEndpointAvailableException if there are no endpoints
   */
  Lease pickOther(@Nullable Endpoint avoid);

  /** {@link #pick(CharSequence)} avoiding {@code avoid} when another candidate exists. */
  Lease pickOther(CharSequence key, @Nullable Endpoint avoid);

  /**
   * Picks an endpoint, calls {@code call} with it, and reports the outcome and latency: success when it returns,
   * failure when it throws (the exception is rethrown unchanged).
   */
  <T> T call(Function<? super Endpoint, ? extends T> call);

  /**
   * The call for a {@link dev.steadfast.core.Pipeline}: each {@code get()} is one attempt that picks an
   * endpoint, avoiding the previous attempt's (so a retry or hedge goes elsewhere when it can), and reports on
   * it. Create one per pipeline call: {@code pipeline.execute(balancer.attempts(ep -> client.get(ep)))}.
   */
  <T> Supplier<T> attempts(Function<? super Endpoint, ? extends T> call);

  /**
   * {@link #attempts(Function)} for {@link dev.steadfast.core.Pipeline#executeAsync(Supplier)}: an attempt is
   * reported when its stage completes; a cancelled attempt (a losing hedge) is released, neither credited nor
   * blamed.
   */
  <T> Supplier<CompletionStage<T>> asyncAttempts(
      Function<? super Endpoint, ? extends CompletionStage<T>> call);

  /**
   * Replaces the endpoint set atomically. Endpoints equal to current ones keep their load and health; new ones
   * enter slow start (when configured).
   *
   * @throws IllegalArgumentException if {@code endpoints} is empty or holds two endpoints with one address
   */
  void update(Collection<Endpoint> endpoints);

  /** The current endpoints, in the order given. */
  List<Endpoint> endpoints();

  /** The endpoints currently ejected by outlier detection or failing the active health check. */
  List<Endpoint> unhealthy();

  /** Whether the healthy share is below the panic threshold, so picks go to all endpoints. */
  boolean inPanic();

  /** Stops discovery refreshes, health checks and outlier detection; picks keep working. */
  @Override
  void close();
}
