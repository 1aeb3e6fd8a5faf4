package dev.steadfast.messaging.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.messaging.rabbitmq.RabbitMqPublishException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConfirmTrackerTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PublisherMeters meters = new PublisherMeters(registry, "test");
  private final ConfirmTracker tracker = new ConfirmTracker(meters);

  @Test
  void acksArrivingOutOfOrderConfirmExactlyTheirMessages() {
    PublishBatch batch = written(5, 1);

    tracker.confirm(4, false, true);
    tracker.confirm(2, false, true);
    assertThat(batch.future()).isNotDone();
    tracker.confirm(5, false, true);
    tracker.confirm(1, false, true);
    tracker.confirm(3, false, true);

    assertThat(batch.future().join()).allMatch(PublishOutcome::isConfirmed);
    assertThat(registry.counter("steadfast.rabbitmq.confirmed", "adapter", "test").count()).isEqualTo(5);
  }

  @Test
  void aMultipleAckConfirmsEveryMessageUpToItsSequenceNumberAndNoFurther() {
    PublishBatch batch = written(5, 1);

    tracker.confirm(3, true, true);

    assertThat(settled(batch)).containsExactly(true, true, true, false, false);
    tracker.confirm(5, true, true);
    assertThat(batch.future().join()).allMatch(PublishOutcome::isConfirmed);
  }

  @Test
  void aMultipleNackFailsEveryMessageUpToItsSequenceNumberAsNacked() {
    PublishBatch batch = written(4, 1);

    tracker.confirm(2, false, true);
    tracker.confirm(4, true, false);

    List<PublishOutcome> outcomes = batch.future().join();
    assertThat(outcomes.get(1).isConfirmed()).isTrue();
    assertThat(List.of(outcomes.get(0), outcomes.get(2), outcomes.get(3)))
        .allSatisfy(outcome -> assertThat(reason(outcome)).isEqualTo(RabbitMqPublishException.Reason.NACKED));
  }

  @Test
  void aReturnedMessageFailsEvenThoughTheBrokerAcksItAfterwards() {
    PublishBatch batch = written(2, 1);

    tracker.returned(batch.messages.get(0).id().toString(), 312, "NO_ROUTE");
    tracker.confirm(2, true, true);

    List<PublishOutcome> outcomes = batch.future().join();
    assertThat(reason(outcomes.get(0))).isEqualTo(RabbitMqPublishException.Reason.RETURNED);
    assertThat(outcomes.get(0).failure()).hasMessageContaining("312 NO_ROUTE");
    assertThat(outcomes.get(1).isConfirmed()).isTrue();
    assertThat(registry.counter("steadfast.rabbitmq.returned", "adapter", "test").count()).isEqualTo(1);
  }

  @Test
  void aDeadChannelFailsItsWaitingMessagesAndRefusesNewOnes() {
    PublishBatch batch = written(3, 1);
    tracker.confirm(1, false, true);

    tracker.kill(new RabbitMqPublishException(RabbitMqPublishException.Reason.CONNECTION_LOST, "reset", null));
    PublishBatch late = batch(1);
    boolean registered = tracker.register(new PendingConfirm(late, 0, 4, id(late, 0), 0, tracker));

    assertThat(registered).isFalse();
    List<PublishOutcome> outcomes = batch.future().join();
    assertThat(outcomes.get(0).isConfirmed()).isTrue();
    assertThat(reason(outcomes.get(1))).isEqualTo(RabbitMqPublishException.Reason.CONNECTION_LOST);
    assertThat(reason(outcomes.get(2))).isEqualTo(RabbitMqPublishException.Reason.CONNECTION_LOST);
  }

  @Test
  void anAckAfterTheTimeoutDoesNotChangeTheOutcome() {
    PublishBatch batch = written(1, 1);

    batch.timeOut("PT1S");
    tracker.confirm(1, false, true);

    assertThat(reason(batch.future().join().get(0))).isEqualTo(RabbitMqPublishException.Reason.CONFIRM_TIMEOUT);
    assertThat(registry.counter("steadfast.rabbitmq.confirmed", "adapter", "test").count()).isZero();
  }

  @Test
  void aConfirmForAnUnknownSequenceNumberIsIgnored() {
    PublishBatch batch = written(1, 7);

    tracker.confirm(3, false, true);
    tracker.confirm(6, true, false);

    assertThat(batch.future()).isNotDone();
  }

  // ---- helpers

  private PublishBatch written(int size, long firstSequenceNumber) {
    PublishBatch batch = batch(size);
    for (int i = 0; i < size; i++) {
      PendingConfirm confirm = new PendingConfirm(batch, i, firstSequenceNumber + i, id(batch, i), 0, tracker);
      batch.track(i, confirm);
      assertThat(tracker.register(confirm)).isTrue();
    }
    return batch;
  }

  private static PublishBatch batch(int size) {
    List<OutboxMessage> messages = new ArrayList<>();
    IntStream.range(0, size)
        .forEach(i -> messages.add(OutboxMessage.of("q", ("m" + i).getBytes(StandardCharsets.UTF_8))));
    return new PublishBatch(messages, Runnable::run);
  }

  private static String id(PublishBatch batch, int index) {
    return batch.messages.get(index).id().toString();
  }

  private static List<Boolean> settled(PublishBatch batch) {
    return IntStream.range(0, batch.size()).mapToObj(batch::isSettled).toList();
  }

  private static RabbitMqPublishException.Reason reason(PublishOutcome outcome) {
    return Optional.ofNullable(outcome.failure())
        .map(RabbitMqPublishException.class::cast)
        .map(RabbitMqPublishException::reason)
        .orElseThrow();
  }
}
