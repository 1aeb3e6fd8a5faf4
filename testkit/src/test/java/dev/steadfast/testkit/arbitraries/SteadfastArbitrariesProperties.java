package dev.steadfast.testkit.arbitraries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.Backoff;
import dev.steadfast.core.Pipeline;
import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.RetryPolicy;
import dev.steadfast.core.spi.VirtualTime;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.Delivery;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.testkit.messaging.InMemoryBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class SteadfastArbitrariesProperties {

  private final VirtualTime time = new VirtualTime();

  @Property(tries = 200)
  void anyRetryPolicyMakesAtMostMaxAttemptsOnAnAlwaysFailingCall(@ForAll("retryPolicies") RetryPolicy policy) {
    AtomicInteger attempts = new AtomicInteger();
    Pipeline pipeline = Pipeline.builder("failing").timeSource(time).retry(policy).build();

    assertThatThrownBy(() -> pipeline.execute(() -> fail(attempts))).isInstanceOf(IllegalStateException.class);

    // Nothing else limits the retries here, so the policy makes exactly its attempts.
    assertThat(attempts).hasValue(policy.maxAttempts());
  }

  @Property(tries = 100)
  void anyRetryBudgetOnlyEverTakesRetriesAway(
      @ForAll("retryPolicies") RetryPolicy policy, @ForAll("retryBudgets") RetryBudget budget) {
    Pipeline pipeline = Pipeline.builder("budgeted").timeSource(time).retryBudget(budget).retry(policy).build();
    for (int call = 0; call < 20; call++) {
      AtomicInteger attempts = new AtomicInteger();
      assertThatThrownBy(() -> pipeline.execute(() -> fail(attempts))).isInstanceOf(IllegalStateException.class);
      assertThat(attempts.get()).isBetween(1, policy.maxAttempts());
    }
  }

  @Property
  void anyBackoffStaysWithinItsMaximum(
      @ForAll("backoffs") Backoff backoff, @ForAll @IntRange(min = 1, max = 30) int retry, @ForAll long seed) {
    long delay = backoff.delayNanos(retry, backoff.max().toNanos(), new SplittableRandom(seed));
    assertThat(delay).isBetween(0L, backoff.max().toNanos());
  }

  // tag::roundTrip[]
  @Property(tries = 200)
  void anyMessageSurvivesARoundTripThroughTheInMemoryBroker(@ForAll("outboxMessages") OutboxMessage message) {
    List<Delivery> received = new ArrayList<>();
    try (InMemoryBroker broker = InMemoryBroker.builder().executor(Runnable::run).build()) {
      List<PublishOutcome> outcomes = broker.publisher().publish(List.of(message)).toCompletableFuture().join();
      broker.subscriber(message.destination()).start(delivery -> {
        received.add(delivery);
        delivery.ack();
      });

      assertThat(outcomes).singleElement().matches(PublishOutcome::isConfirmed);
      assertThat(received).singleElement().satisfies(delivery -> {
        assertThat(delivery.message().id()).isEqualTo(message.id());
        assertThat(delivery.message().payload()).isEqualTo(message.payload());
        assertThat(delivery.message().headers()).isEqualTo(message.headers());
        assertThat(delivery.message()).isEqualTo(message);
      });
    }
  }
  // end::roundTrip[]

  @Provide
  Arbitrary<RetryPolicy> retryPolicies() {
    return SteadfastArbitraries.retryPolicies();
  }

  @Provide
  Arbitrary<RetryBudget> retryBudgets() {
    return SteadfastArbitraries.retryBudgets(time);
  }

  @Provide
  Arbitrary<Backoff> backoffs() {
    return SteadfastArbitraries.backoffs();
  }

  @Provide
  Arbitrary<OutboxMessage> outboxMessages() {
    return SteadfastArbitraries.outboxMessages();
  }

  private static String fail(AtomicInteger attempts) {
    attempts.incrementAndGet();
    throw new IllegalStateException("always fails");
  }
}
