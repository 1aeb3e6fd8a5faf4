package dev.steadfast.testkit.messaging;

import static org.awaitility.Awaitility.await;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.BrokerAdapter;
import dev.steadfast.messaging.outbox.spi.Delivery;
import dev.steadfast.messaging.outbox.spi.MessageHandler;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What at-least-once publishing and consuming mean, as tests that every {@link BrokerAdapter} passes. Extend it
 * in the adapter's tests, supply the adapter and fresh destinations, and the fault hooks the adapter's test
 * setup can offer (with the testkit's TCP fault proxy, say); a fault case whose hook is absent is skipped with
 * the reason. {@code docs/testkit-messaging.md} shows a subclass.
 *
 * <p>The promises, one test each:
 *
 * <ul>
 *   <li>every confirmed message is delivered, with its id, key, payload and headers unchanged, also when it was
 *       published before anyone subscribed;
 *   <li>a message not confirmed is reported as failed, never as sent (with a lost confirm, and after close);
 *   <li>redeliveries carry the same message id, and count up;
 *   <li>a delivery rejected with requeue comes back;
 *   <li>a consumer that crashes before ack (its handler throws, it stops, or its connection is cut) gets the
 *       message again;
 *   <li>messages with the same key arrive in publish order, where the adapter says it preserves that order.
 * </ul>
 *
 * <p>JUnit creates an instance per test: {@link #createAdapter()} runs before each test and the adapter is closed
 * after it, with every subscriber the test started. Waiting uses Awaitility, up to {@link #timeout()}. Needs
 * JUnit Jupiter and Awaitility on the test class path.
 *
 * @since 0.1.0
 */
public abstract class BrokerAdapterConformance {

  private static final List<String> KEYS = List.of("customer-1", "customer-2", "customer-3");

  private @Nullable BrokerAdapter adapter;
  private final List<MessageSubscriber> subscribers = new CopyOnWriteArrayList<>();
  private final AtomicInteger messageNumber = new AtomicInteger();

  /** For subclasses. */
  protected BrokerAdapterConformance() {}

  /** A new adapter for one test; the suite closes it after the test. */
  protected abstract BrokerAdapter createAdapter() throws Exception;

  /**
   * A destination no other test uses, that exists and is empty, so that messages published to it are kept until
   * consumed (declare the queue, for example).
   */
  protected abstract String newDestination() throws Exception;

  /**
   * A hook that makes the broker receive the next publish but lose its confirm (the TCP fault proxy cutting the
   * connection after the publish went through), or empty to skip that case. The adapter must recover (reconnect)
   * for the publishes that follow. Default: empty.
   */
  protected Optional<Runnable> cutConnectionAfterPublishBeforeConfirm() {
    return Optional.empty();
  }

  /**
   * A hook that cuts the consumers' connection while a delivery is unacknowledged, or empty to skip that case.
   * The adapter must resubscribe on its own. Default: empty.
   */
  protected Optional<Runnable> cutConsumerConnectionBeforeAck() {
    return Optional.empty();
  }

  /**
   * How long to wait for a delivery or a confirm; default 30 s. A redelivery that a broker delays (an SQS
   * visibility timeout) must come within it.
   */
  protected Duration timeout() {
    return Duration.ofSeconds(30);
  }

  /** The adapter of the running test. */
  protected final BrokerAdapter adapter() {
    BrokerAdapter current = adapter;
    if (current == null) {
      throw new IllegalStateException("no adapter: createAdapter() runs before each test");
    }
    return current;
  }

  /** Creates the test's adapter. */
  @BeforeEach
  protected final void openAdapter() throws Exception {
    adapter = createAdapter();
  }

  /** Closes the test's subscribers and adapter. */
  @AfterEach
  protected final void closeAdapter() {
    subscribers.forEach(MessageSubscriber::close);
    subscribers.clear();
    BrokerAdapter current = adapter;
    adapter = null;
    if (current != null) {
      current.close();
    }
  }

  // ---- the promises

  /** Every confirmed message is delivered unchanged, also when published before anyone subscribed. */
  @Test
  public void everyConfirmedMessageIsDelivered() throws Exception {
    String destination = newDestination();
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      messages.add(message(destination, i % 4 == 3 ? null : KEYS.get(i % KEYS.size())));
    }

    List<PublishOutcome> outcomes = publish(messages);

    Assertions.assertEquals(ids(messages), outcomes.stream().map(PublishOutcome::messageId).toList(),
        "one outcome per message, in publish order");
    for (PublishOutcome outcome : outcomes) {
      Assertions.assertTrue(outcome.isConfirmed(), () -> "not confirmed: " + outcome);
    }
    Recorder received = subscribe(destination, ACK);
    eventually()
        .untilAsserted(
            () -> Assertions.assertEquals(byId(messages), received.firstDeliveries(), "messages delivered"));
  }

  /**
   * A message whose confirm is lost is reported as failed, never as sent; published again, it is delivered (maybe
   * twice), always with its own id.
   */
  @Test
  public void aMessageWhoseConfirmIsLostIsReportedAsFailed() throws Exception {
    Runnable cut = hook(cutConnectionAfterPublishBeforeConfirm(), "cutConnectionAfterPublishBeforeConfirm");
    String destination = newDestination();
    OutboxMessage message = message(destination, KEYS.get(0));

    cut.run();
    assertNoneConfirmed(message, "a publish whose confirm was lost");

    eventually().until(() -> publishOrFail(List.of(message)).get(0).isConfirmed());
    Recorder received = subscribe(destination, ACK);
    eventually().until(() -> !received.deliveries().isEmpty());
    for (Delivery delivery : received.deliveries()) {
      Assertions.assertEquals(message, delivery.message(), "every delivery is the message, with its id");
    }
  }

  /** A publish on a closed adapter is never reported as sent. */
  @Test
  public void aPublishAfterCloseIsNeverReportedAsSent() throws Exception {
    OutboxMessage message = message(newDestination(), null);
    adapter().close();
    assertNoneConfirmed(message, "a publish after close");
  }

  /** Every redelivery carries the message's id and content, and a delivery count above 1. */
  @Test
  public void redeliveriesCarryTheSameMessageId() throws Exception {
    String destination = newDestination();
    OutboxMessage message = message(destination, KEYS.get(0));
    publishConfirmed(message);

    Recorder received =
        subscribe(
            destination,
            (delivery, seen) -> {
              if (seen == 1) {
                delivery.reject(true);
              } else if (seen == 2) {
                throw new IllegalStateException("consumer crashed (on purpose)");
              } else {
                delivery.ack();
              }
            });

    eventually().until(() -> received.deliveries().size() >= 3);
    List<Delivery> deliveries = received.deliveries();
    // Only what the consumer saw again is surely a redelivery: the first it saw may follow a lost one.
    for (Delivery delivery : deliveries.subList(1, deliveries.size())) {
      Assertions.assertEquals(message, delivery.message(), "a redelivery is the message, with its id");
      Assertions.assertTrue(delivery.deliveryCount() >= 2, () -> "a redelivery counts > 1: " + delivery);
    }
  }

  /** A delivery rejected with requeue comes back. */
  @Test
  public void aDeliveryRejectedWithRequeueComesBack() throws Exception {
    String destination = newDestination();
    OutboxMessage message = message(destination, null);
    publishConfirmed(message);

    Recorder received =
        subscribe(
            destination,
            (delivery, seen) -> {
              if (seen == 1) {
                delivery.reject(true);
              } else {
                delivery.ack();
              }
            });

    eventually().until(() -> received.deliveries().size() >= 2);
    Assertions.assertEquals(message.id(), received.deliveries().get(1).message().id());
  }

  /** A consumer whose handler throws before ack gets the message again. */
  @Test
  public void aConsumerThatThrowsBeforeAckGetsTheMessageAgain() throws Exception {
    String destination = newDestination();
    OutboxMessage message = message(destination, null);
    publishConfirmed(message);

    Recorder received =
        subscribe(
            destination,
            (delivery, seen) -> {
              if (seen == 1) {
                throw new IllegalStateException("consumer crashed before ack (on purpose)");
              }
              delivery.ack();
            });

    eventually().until(() -> received.deliveries().size() >= 2);
    Assertions.assertEquals(message.id(), received.deliveries().get(1).message().id());
  }

  /** A consumer that stops before ack (a process crash closes its subscriber) leaves the message to the next. */
  @Test
  public void aConsumerThatStopsBeforeAckLeavesTheMessageToTheNext() throws Exception {
    String destination = newDestination();
    OutboxMessage message = message(destination, null);
    publishConfirmed(message);

    MessageSubscriber crashing = adapter().subscriber(destination);
    subscribers.add(crashing);
    Recorder crashed = new Recorder((delivery, seen) -> {}); // never settles
    crashing.start(crashed);
    eventually().until(() -> !crashed.deliveries().isEmpty());
    crashing.close();

    Recorder next = subscribe(destination, ACK);
    eventually().until(() -> !next.deliveries().isEmpty());
    Assertions.assertEquals(message, next.deliveries().get(0).message());
  }

  /** A consumer whose connection is cut before ack gets the message again once the adapter resubscribed. */
  @Test
  public void aConsumerWhoseConnectionIsCutBeforeAckGetsTheMessageAgain() throws Exception {
    Runnable cut = hook(cutConsumerConnectionBeforeAck(), "cutConsumerConnectionBeforeAck");
    String destination = newDestination();
    OutboxMessage message = message(destination, null);
    publishConfirmed(message);

    Recorder received =
        subscribe(
            destination,
            (delivery, seen) -> {
              if (seen > 1) {
                delivery.ack();
              }
            });
    eventually().until(() -> !received.deliveries().isEmpty());
    cut.run();

    eventually().until(() -> received.deliveries().size() >= 2);
    Assertions.assertEquals(message, received.deliveries().get(1).message());
  }

  /** Messages with the same key are first delivered in publish order, where the adapter preserves it. */
  @Test
  public void messagesWithTheSameKeyArriveInPublishOrder() throws Exception {
    Assumptions.assumeTrue(
        adapter().preservesOrderPerKey(),
        "the adapter says it does not preserve order per key (preservesOrderPerKey() is false)");
    String destination = newDestination();
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      messages.add(message(destination, KEYS.get(i % KEYS.size())));
    }
    // Two publishes, one after the other, as a relay sends two batches.
    publishConfirmed(messages.subList(0, 15).toArray(OutboxMessage[]::new));
    publishConfirmed(messages.subList(15, 30).toArray(OutboxMessage[]::new));

    Recorder received = subscribe(destination, ACK);
    eventually().until(() -> received.firstDeliveries().size() == messages.size());
    for (String key : KEYS) {
      Assertions.assertEquals(
          idsWithKey(messages, key),
          idsWithKey(new ArrayList<>(received.firstDeliveries().values()), key),
          "order of the messages with key " + key);
    }
  }

  // ---- helpers for these tests and for subclasses' own

  /** A new message to {@code destination} with a unique payload and a header, and an optional key. */
  protected final OutboxMessage message(String destination, @Nullable String key) {
    int number = messageNumber.incrementAndGet();
    return new OutboxMessage(
        UUID.randomUUID(),
        destination,
        key,
        ("message " + number).getBytes(StandardCharsets.UTF_8),
        Map.of("number", Integer.toString(number), "trace-id", "trace-" + number));
  }

  /** Publishes and waits for the outcomes, up to {@link #timeout()}. */
  protected final List<PublishOutcome> publish(List<OutboxMessage> messages) throws Exception {
    try {
      return adapter()
          .publisher()
          .publish(messages)
          .toCompletableFuture()
          .get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException failed) {
      throw new AssertionError("publish completed exceptionally instead of reporting outcomes", failed.getCause());
    } catch (TimeoutException timedOut) {
      throw new AssertionError("publish did not complete within " + timeout(), timedOut);
    }
  }

  /** Publishes and checks that every message was confirmed. */
  protected final void publishConfirmed(OutboxMessage... messages) throws Exception {
    for (PublishOutcome outcome : publish(Arrays.asList(messages))) {
      Assertions.assertTrue(outcome.isConfirmed(), () -> "not confirmed: " + outcome);
    }
  }

  /** Starts a subscriber of {@code destination} that records each delivery, then hands it to {@code then}. */
  protected final Recorder subscribe(String destination, TestConsumer then) {
    MessageSubscriber subscriber = adapter().subscriber(destination);
    subscribers.add(subscriber);
    Recorder recorder = new Recorder(then);
    subscriber.start(recorder);
    return recorder;
  }

  /** Awaitility, up to {@link #timeout()}, polling every 10 ms. */
  protected final ConditionFactory eventually() {
    return await().atMost(timeout()).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
  }

  /** What a test's consumer does with a delivery. */
  @FunctionalInterface
  protected interface TestConsumer {
    /**
     * Handles {@code delivery}, the {@code seen}-th delivery of its message that this consumer saw (counted by the
     * suite, since brokers count redeliveries differently).
     */
    void handle(Delivery delivery, int seen) throws Exception;
  }

  /** A consumer that acknowledges every delivery. */
  protected static final TestConsumer ACK = (delivery, seen) -> delivery.ack();

  /**
   * A thread-safe handler (as handlers must be) that records deliveries in the order they arrive, then hands each
   * to a {@link TestConsumer}.
   */
  protected static final class Recorder implements MessageHandler {
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Map<UUID, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final TestConsumer then;

    Recorder(TestConsumer then) {
      this.then = then;
    }

    @Override
    public void handle(Delivery delivery) throws Exception {
      deliveries.add(delivery);
      int count = seen.computeIfAbsent(delivery.message().id(), id -> new AtomicInteger()).incrementAndGet();
      then.handle(delivery, count);
    }

    /** Every delivery so far, in arrival order. */
    public List<Delivery> deliveries() {
      return List.copyOf(deliveries);
    }

    /** The message of each id's first delivery, in arrival order. */
    public Map<UUID, OutboxMessage> firstDeliveries() {
      Map<UUID, OutboxMessage> first = new LinkedHashMap<>();
      for (Delivery delivery : deliveries) {
        first.putIfAbsent(delivery.message().id(), delivery.message());
      }
      return first;
    }
  }

  // ---- private

  private static Runnable hook(Optional<Runnable> hook, String name) {
    Assumptions.assumeTrue(
        hook.isPresent(), "no fault hook: the subclass does not override " + name + "() for this adapter");
    return hook.orElseThrow();
  }

  private void assertNoneConfirmed(OutboxMessage message, String what) {
    List<PublishOutcome> outcomes;
    try {
      outcomes = publishOrFail(List.of(message));
    } catch (RuntimeException rejected) {
      return; // refused outright: nothing reported as sent
    }
    Assertions.assertEquals(1, outcomes.size(), "one outcome per message");
    PublishOutcome outcome = outcomes.get(0);
    Assertions.assertFalse(outcome.isConfirmed(), () -> what + " was reported as sent: " + outcome);
    Assertions.assertNotNull(outcome.failure(), "a failed outcome names its cause");
  }

  /**
   * Publishes; a stage that completes exceptionally counts as every message failed, as the SPI says.
   *
   * @throws RuntimeException if {@code publish} itself throws
   */
  private List<PublishOutcome> publishOrFail(List<OutboxMessage> messages) {
    try {
      return adapter()
          .publisher()
          .publish(messages)
          .toCompletableFuture()
          .get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException failed) {
      List<PublishOutcome> failedOutcomes = new ArrayList<>();
      for (OutboxMessage message : messages) {
        failedOutcomes.add(PublishOutcome.failed(message.id(), failed));
      }
      return failedOutcomes;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing", interrupted);
    }
  }

  private static List<UUID> ids(List<OutboxMessage> messages) {
    return messages.stream().map(OutboxMessage::id).toList();
  }

  private static Map<UUID, OutboxMessage> byId(List<OutboxMessage> messages) {
    Map<UUID, OutboxMessage> map = new LinkedHashMap<>();
    messages.forEach(message -> map.put(message.id(), message));
    return map;
  }

  private static List<UUID> idsWithKey(List<OutboxMessage> messages, String key) {
    return messages.stream().filter(message -> key.equals(message.key())).map(OutboxMessage::id).toList();
  }
}
