package dev.steadfast.examples.demo;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The demo: a downstream that fails its first calls, and a call that survives it by retrying with backoff.
 *
 * <p>Run it with {@code ./mvnw -q -Pdemo -pl examples -am package -DskipTests}.
 */
public final class Demo {

  private Demo() {}

  public static void main(String[] args) {
    FlakyInventory inventory = new FlakyInventory(2);
    Retry retry =
        Retry.of(
            "inventory",
            RetryConfig.custom()
                .maxAttempts(4)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(20), 2.0))
                .build());
    retry
        .getEventPublisher()
        .onRetry(
            event ->
                System.out.printf(
                    "  attempt %d failed (%s), next try in %d ms%n",
                    event.getNumberOfRetryAttempts(),
                    event.getLastThrowable() == null ? "?" : event.getLastThrowable().getMessage(),
                    event.getWaitInterval().toMillis()));

    System.out.println("Steadfast demo: calling a downstream that fails its first 2 calls");
    Supplier<Integer> call = Retry.decorateSupplier(retry, () -> inventory.stockOf("sku-42"));
    int stock = call.get();
    System.out.printf("  stock of sku-42 = %d after %d calls to the downstream%n", stock, inventory.calls());
  }

  /** A downstream that fails its first {@code failures} calls with an exception, then answers. */
  static final class FlakyInventory {
    private final int failures;
    private final AtomicInteger calls = new AtomicInteger();

    FlakyInventory(int failures) {
      this.failures = failures;
    }

    int stockOf(String sku) {
      int call = calls.incrementAndGet();
      if (call <= failures) {
        throw new IllegalStateException("inventory unavailable (call " + call + ")");
      }
      return sku.length() * 7;
    }

    int calls() {
      return calls.get();
    }
  }
}
