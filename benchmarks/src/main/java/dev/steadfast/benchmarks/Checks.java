package dev.steadfast.benchmarks;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/** Fails a trial that left the success path, so a figure never silently measures something else. */
final class Checks {

  private Checks() {}

  static void onlySuccesses(CircuitBreaker breaker) {
    CircuitBreaker.Metrics metrics = breaker.getMetrics();
    if (breaker.getState() != CircuitBreaker.State.CLOSED
        || metrics.getNumberOfFailedCalls() != 0
        || metrics.getNumberOfSuccessfulCalls() == 0) {
      throw new IllegalStateException(
          "left the success path: breaker " + breaker.getName() + " is " + breaker.getState() + " after "
              + metrics.getNumberOfSuccessfulCalls() + " successful and " + metrics.getNumberOfFailedCalls()
              + " failed calls");
    }
  }

  static void onlySuccesses(dev.failsafe.CircuitBreaker<?> breaker) {
    if (!breaker.isClosed() || breaker.getFailureCount() != 0 || breaker.getSuccessCount() == 0) {
      throw new IllegalStateException(
          "left the success path: Failsafe breaker is " + breaker.getState() + " after "
              + breaker.getSuccessCount() + " successes and " + breaker.getFailureCount() + " failures");
    }
  }
}
