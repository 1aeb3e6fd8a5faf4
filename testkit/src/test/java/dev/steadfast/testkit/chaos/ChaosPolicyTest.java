package dev.steadfast.testkit.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.AttemptTimeoutException;
import dev.steadfast.core.Backoff;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.VirtualTime;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChaosPolicyTest {

  private final VirtualTime time = new VirtualTime();
  private final AtomicInteger calls = new AtomicInteger();

  // tag::retry[]
  @Test
  void aPipelineWithRetryRecoversFromInjectedFaults() {
    ChaosPolicy chaos =
        ChaosPolicy.builder().injectionRate(0.5).fault().seed(42).timeSource(time).build();
    Pipeline payments =
        chaos.inside(
            Pipeline.builder("payments")
                .timeSource(time)
                .retry(
                    RetryPolicy.builder()
                        .maxAttempts(10)
                        .backoff(Backoff.fixed(Duration.ofMillis(100)))
                        .build())
                .build());

    for (int i = 0; i < 100; i++) {
      assertThat(payments.execute(this::charge)).isEqualTo("receipt");
    }

    assertThat(chaos.injections()).isBetween(70L, 130L); // about half of some 200 attempts
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(100).multipliedBy(chaos.injections()));
  }
  // end::retry[]

  @Test
  void aBreakerOpensUnderInjectedFaults() {
    ChaosPolicy chaos = ChaosPolicy.builder().injectionRate(1).fault().build();
    Pipeline pipeline =
        chaos.inside(
            Pipeline.builder("inventory")
                .timeSource(time)
                .circuitBreaker(
                    CircuitBreakerConfig.custom()
                        .slidingWindowSize(10)
                        .minimumNumberOfCalls(10)
                        .failureRateThreshold(50)
                        .build())
                .build());

    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> pipeline.execute(this::charge)).isInstanceOf(InjectedFaultException.class);
    }

    assertThatThrownBy(() -> pipeline.execute(this::charge)).isInstanceOf(CallNotPermittedException.class);
    assertThat(calls).hasValue(0);
    assertThat(chaos.injections()).isEqualTo(10);
  }

  @Test
  void injectedLatencyTripsTheAttemptTimeoutInVirtualTime() {
    ChaosPolicy chaos =
        ChaosPolicy.builder().injectionRate(1).latency(Duration.ofSeconds(2)).timeSource(time).build();
    Pipeline pipeline =
        chaos.inside(
            Pipeline.builder("search").timeSource(time).attemptTimeout(Duration.ofMillis(500)).build());

    assertThatThrownBy(() -> pipeline.execute(this::charge))
        .isInstanceOf(AttemptTimeoutException.class)
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(500));
    assertThat(calls).hasValue(0);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void injectedLatencyDelaysAsynchronousCallsInVirtualTime() {
    ChaosPolicy chaos =
        ChaosPolicy.builder().injectionRate(1).latency(Duration.ofSeconds(2)).timeSource(time).build();
    Pipeline pipeline = chaos.inside(Pipeline.builder("search").timeSource(time).build());

    CompletableFuture<String> slow =
        pipeline.executeAsync(() -> CompletableFuture.completedFuture(charge())).toCompletableFuture();
    time.advance(Duration.ofMillis(1999));
    assertThat(slow).isNotDone();
    time.advance(Duration.ofMillis(1));
    assertThat(slow).isCompletedWithValue("receipt");

    Pipeline bounded =
        chaos.inside(
            Pipeline.builder("search").timeSource(time).attemptTimeout(Duration.ofMillis(500)).build());
    CompletableFuture<String> timedOut =
        bounded.executeAsync(() -> CompletableFuture.completedFuture(charge())).toCompletableFuture();
    time.advance(Duration.ofSeconds(3));
    assertThatThrownBy(timedOut::join).hasCauseInstanceOf(AttemptTimeoutException.class);
    assertThat(calls).hasValue(1);
    assertThat(time.pendingTasks()).isZero(); // the cancelled latency's call was never made
  }

  @Test
  void theSeedMakesRunsReproducible() {
    assertThat(injectedCalls(42)).isEqualTo(injectedCalls(42)).isNotEqualTo(injectedCalls(43));
  }

  @Test
  void theSwitchTurnsChaosOffAndOn() {
    ChaosSwitch chaosSwitch = ChaosSwitch.off();
    ChaosPolicy chaos = ChaosPolicy.builder().injectionRate(1).fault().enabledWhen(chaosSwitch).build();

    assertThat(chaos.execute(this::charge)).isEqualTo("receipt");
    chaosSwitch.turnOn();
    assertThatThrownBy(() -> chaos.execute(this::charge)).isInstanceOf(InjectedFaultException.class);
    chaosSwitch.turnOff();
    assertThat(chaos.execute(this::charge)).isEqualTo("receipt");
    assertThat(chaos.injections()).isEqualTo(1);
  }

  @Test
  void chaosCanBeLimitedToOneTenant() {
    ThreadLocal<String> tenant = new ThreadLocal<>();
    ChaosPolicy chaos =
        ChaosPolicy.builder().injectionRate(1).fault().enabledWhen(() -> "canary".equals(tenant.get())).build();
    Pipeline pipeline = chaos.inside(Pipeline.builder("orders").build());

    tenant.set("acme");
    assertThat(pipeline.execute(this::charge)).isEqualTo("receipt");
    tenant.set("canary");
    assertThatThrownBy(() -> pipeline.execute(this::charge)).isInstanceOf(InjectedFaultException.class);
  }

  @Test
  void aSubstituteOutcomeIsSeenByRetryOnResult() {
    ChaosPolicy chaos = ChaosPolicy.builder().injectionRate(1).outcome(() -> "503").build();
    Pipeline pipeline =
        chaos.inside(
            Pipeline.builder("orders")
                .timeSource(time)
                .retry(
                    RetryPolicy.builder()
                        .maxAttempts(3)
                        .backoff(Backoff.none())
                        .retryOnResult("503"::equals)
                        .build())
                .build());

    assertThat(pipeline.execute(this::charge)).isEqualTo("503");
    assertThat(chaos.injections()).isEqualTo(3);
    assertThat(calls).hasValue(0);
  }

  @Test
  void checkedFaultsPassThroughCallUnchanged() {
    ChaosPolicy chaos =
        ChaosPolicy.builder().injectionRate(1).fault(() -> new IOException("connection reset")).build();
    Pipeline pipeline = chaos.inside(Pipeline.builder("orders").build());

    assertThatThrownBy(() -> pipeline.call(this::charge))
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset");
    assertThatThrownBy(() -> chaos.executeAsync(() -> CompletableFuture.completedFuture(charge())).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void wrappedCallsAndKeyedPipelinesKeepTheChaos() {
    ChaosPolicy chaos = ChaosPolicy.builder().injectionRate(1).fault().build();
    assertThatThrownBy(() -> chaos.wrap(this::charge).get()).isInstanceOf(InjectedFaultException.class);
    assertThatThrownBy(() -> chaos.inside(Pipeline.builder("orders").build()).withKey("tenant-1").run(this::charge))
        .isInstanceOf(InjectedFaultException.class);
    assertThat(calls).hasValue(0);
  }

  @Test
  void theBuilderNamesTheSettingAndTheBadValue() {
    assertThatThrownBy(() -> ChaosPolicy.builder().injectionRate(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("injectionRate must be in [0, 1], was 1.5");
    assertThatThrownBy(() -> ChaosPolicy.builder().injectionRate(Double.NaN))
        .hasMessage("injectionRate must be in [0, 1], was NaN");
    assertThatThrownBy(() -> ChaosPolicy.builder().latency(Duration.ZERO))
        .hasMessage("latency must be > 0, was PT0S");
    assertThatThrownBy(() -> ChaosPolicy.builder().latency(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("latency max must be >= min (PT2S), was PT1S");
    assertThatThrownBy(() -> ChaosPolicy.builder().fault().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("injectionRate must be set, was not set");
    assertThatThrownBy(() -> ChaosPolicy.builder().injectionRate(0.1).build())
        .hasMessageStartingWith("nothing to inject");
    assertThatThrownBy(() -> ChaosPolicy.builder().injectionRate(0.1).fault().outcome(() -> "x").build())
        .hasMessageStartingWith("fault and outcome are both set");
  }

  private List<Integer> injectedCalls(long seed) {
    ChaosPolicy chaos = ChaosPolicy.builder().injectionRate(0.3).fault().seed(seed).build();
    List<Integer> injected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      try {
        chaos.execute(this::charge);
      } catch (InjectedFaultException expected) {
        injected.add(i);
      }
    }
    return injected;
  }

  private String charge() {
    calls.incrementAndGet();
    return "receipt";
  }
}
