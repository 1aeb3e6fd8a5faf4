package dev.steadfast.examples.core;

import dev.steadfast.core.Backoff;
import dev.steadfast.core.Deadline;
import dev.steadfast.core.HedgePolicy;
import dev.steadfast.core.Jitter;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.Pushback;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.TimeSource;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** The snippets of docs/core.md and README.md. Each region between tag markers is copied there verbatim. */
public final class PipelineGuide {

  private PipelineGuide() {}

  static Pipeline paymentsPipeline(CircuitBreakerRegistry breakers, MeterRegistry meters) {
    // tag::pipeline[]
    RetryBudget paymentsBudget = RetryBudget.percentOfRequests(0.2, Duration.ofSeconds(10), 5);

    Pipeline payments =
        Pipeline.builder("payments")
            .meterRegistry(meters)
            .deadline(Duration.ofSeconds(2)) // the whole call, retries included
            .retryBudget(paymentsBudget) // share it among all pipelines calling payments
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .backoff(
                        Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1))
                            .withJitter(Jitter.FULL))
                    .build())
            .circuitBreaker(breakers.circuitBreaker("payments")) // yours, from your registry
            .bulkhead(Bulkhead.of("payments", BulkheadConfig.custom().maxConcurrentCalls(50).build()))
            .attemptTimeout(Duration.ofMillis(500))
            .build();
    // end::pipeline[]
    return payments;
  }

  static String charge(Pipeline payments, PaymentsClient client) {
    // tag::execute[]
    String receipt = payments.execute(() -> client.charge("order-17"));
    String orCached = payments.execute(() -> client.charge("order-18"), failure -> "queued-for-retry");
    // end::execute[]
    return receipt + orCached;
  }

  static RetryPolicy honourRetryAfter(Clock clock) {
    // tag::pushback[]
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(4)
            .retryOnResult(result -> result instanceof HttpResponse<?> r && r.statusCode() == 503)
            .pushback(
                Pushback.onResult(
                    HttpResponse.class,
                    response ->
                        Pushback.parseRetryAfter(
                            response.headers().firstValue("Retry-After").orElse(null), clock)))
            .maxPushback(Duration.ofSeconds(30))
            .build();
    // end::pushback[]
    return policy;
  }

  static CompletionStage<HttpResponse<String>> hedgedSearch(HttpClient http, HttpRequest request) {
    // tag::hedge[]
    Pipeline search =
        Pipeline.builder("search")
            .retryBudget(RetryBudget.tokenBucket(100, 0.1))
            .hedge(HedgePolicy.atPercentile(95, Duration.ofMillis(20), 2))
            .build();
    CompletionStage<HttpResponse<String>> response =
        search.executeAsync(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    // end::hedge[]
    return response;
  }

  static String propagate(Pipeline inventory, String incomingHeader, TimeSource time) {
    // tag::deadline[]
    // At the edge: adopt the caller's deadline for everything this request does.
    Deadline incoming = Deadline.fromHeaderValue(incomingHeader, time).orElse(Deadline.after(Duration.ofSeconds(5)));
    // Every pipeline call within gets min(its own deadline, the time left).
    return incoming.within(
        () ->
            inventory.execute(
                () -> {
                  String header = Deadline.current().orElseThrow().toHeaderValue(); // send it on
                  return "GET /stock with " + Deadline.HEADER + ": " + header;
                }));
    // end::deadline[]
  }

  /** A stand-in for a client of a payments service. */
  public interface PaymentsClient {
    /** Charges an order and returns the receipt id. */
    String charge(String orderId);
  }
}
