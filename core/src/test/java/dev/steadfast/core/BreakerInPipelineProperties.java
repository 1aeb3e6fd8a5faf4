package dev.steadfast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.core.internal.PipelineEngine;
import dev.steadfast.core.spi.VirtualTime;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * Model-based test of a circuit breaker as composed in a pipeline (retry of 2 attempts outside the breaker), in
 * virtual time: random sequences of succeeding calls, failing calls and time passing; after every step the
 * pipeline's outcome, the number of downstream invocations and the breaker's state match a small model of the
 * breaker (count-based window, failure-rate threshold, open wait, half-open trial calls).
 */
class BreakerInPipelineProperties {

  private static final int WINDOW = 4;
  private static final int HALF_OPEN_CALLS = 2;
  private static final long WAIT_NANOS = Duration.ofSeconds(10).toNanos();
  private static final int ATTEMPTS = 2;

  @Property(tries = 200)
  void pipelineBreakerBehavesLikeTheModel(@ForAll("chains") ActionChain<Harness> chain) {
    chain.run();
  }

  @Provide
  Arbitrary<ActionChain<Harness>> chains() {
    return ActionChain.startWith(Harness::new)
        .withAction(new CallAction(true))
        .withAction(new CallAction(false))
        .withAction(new AdvanceAction())
        .withMaxTransformations(60);
  }

  enum Outcome {
    SUCCESS,
    FAILURE,
    REJECTED
  }

  /** The system under test and the model, side by side. */
  static final class Harness {
    final VirtualTime time = new VirtualTime();
    final Pipeline pipeline =
        Pipeline.builder("model")
            .timeSource(time)
            .retry(RetryPolicy.builder().maxAttempts(ATTEMPTS).backoff(Backoff.none()).build())
            .circuitBreaker(
                CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(WINDOW)
                    .minimumNumberOfCalls(WINDOW)
                    .failureRateThreshold(50)
                    .waitDurationInOpenState(Duration.ofNanos(WAIT_NANOS))
                    .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_CALLS)
                    .build())
            .build();
    final CircuitBreaker breaker = ((PipelineEngine) pipeline).circuitBreaker();
    final Model model = new Model();

    void call(boolean succeeds) {
      AtomicInteger invocations = new AtomicInteger();
      Outcome actual;
      try {
        pipeline.execute(
            () -> {
              invocations.incrementAndGet();
              if (!succeeds) {
                throw new IllegalStateException("down");
              }
              return "ok";
            });
        actual = Outcome.SUCCESS;
      } catch (CallNotPermittedException e) {
        actual = Outcome.REJECTED;
      } catch (IllegalStateException e) {
        actual = Outcome.FAILURE;
      }

      int expectedInvocations = 0;
      Outcome expected = Outcome.REJECTED;
      for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        if (!model.permit(time.nanoTime())) {
          expected = Outcome.REJECTED;
          break;
        }
        expectedInvocations++;
        model.record(!succeeds, time.nanoTime());
        expected = succeeds ? Outcome.SUCCESS : Outcome.FAILURE;
        if (succeeds) {
          break;
        }
      }

      assertThat(actual).as("outcome").isEqualTo(expected);
      assertThat(invocations.get()).as("downstream invocations").isEqualTo(expectedInvocations);
      assertThat(breaker.getState()).as("breaker state").isEqualTo(model.state);
    }
  }

  /** The breaker as a specification: what Resilience4j documents for these settings. */
  static final class Model {
    CircuitBreaker.State state = CircuitBreaker.State.CLOSED;
    final Deque<Boolean> window = new ArrayDeque<>();
    long openUntil;
    int halfOpenPermits;
    int halfOpenFailures;
    int halfOpenRecorded;

    boolean permit(long now) {
      switch (state) {
        case OPEN:
          if (now - openUntil > 0) { // strictly after the wait
            state = CircuitBreaker.State.HALF_OPEN;
            halfOpenPermits = HALF_OPEN_CALLS;
            halfOpenFailures = 0;
            halfOpenRecorded = 0;
            return permit(now);
          }
          return false;
        case HALF_OPEN:
          if (halfOpenPermits == 0) {
            return false;
          }
          halfOpenPermits--;
          return true;
        default:
          return true;
      }
    }

    void record(boolean failed, long now) {
      if (state == CircuitBreaker.State.HALF_OPEN) {
        halfOpenRecorded++;
        if (failed) {
          halfOpenFailures++;
        }
        if (halfOpenRecorded == HALF_OPEN_CALLS) {
          if (halfOpenFailures * 100 >= 50 * HALF_OPEN_CALLS) {
            open(now);
          } else {
            state = CircuitBreaker.State.CLOSED;
            window.clear();
          }
        }
        return;
      }
      window.addLast(failed);
      if (window.size() > WINDOW) {
        window.removeFirst();
      }
      long failures = window.stream().filter(f -> f).count();
      if (window.size() >= WINDOW && failures * 100 >= 50L * window.size()) {
        open(now);
      }
    }

    private void open(long now) {
      state = CircuitBreaker.State.OPEN;
      openUntil = now + WAIT_NANOS;
      window.clear();
    }
  }

  static final class CallAction implements Action.Independent<Harness> {
    private final boolean succeeds;

    CallAction(boolean succeeds) {
      this.succeeds = succeeds;
    }

    @Override
    public Arbitrary<Transformer<Harness>> transformer() {
      return Arbitraries.just(
          Transformer.mutate(succeeds ? "succeeding call" : "failing call", harness -> harness.call(succeeds)));
    }
  }

  static final class AdvanceAction implements Action.Independent<Harness> {
    @Override
    public Arbitrary<Transformer<Harness>> transformer() {
      return Arbitraries.longs()
          .between(1, 2 * WAIT_NANOS)
          .map(
              nanos ->
                  Transformer.mutate(
                      "advance " + Duration.ofNanos(nanos), harness -> harness.time.advance(Duration.ofNanos(nanos))));
    }
  }
}
