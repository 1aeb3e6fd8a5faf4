package dev.steadfast.testkit.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.spi.VirtualTime;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.Delivery;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.testkit.chaos.InjectedFaultException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-memory broker's faults and records, on the calling thread and in virtual time: no waiting. */
class InMemoryBrokerTest {

  private final VirtualTime time = new VirtualTime();
  private final InMemoryBroker broker =
      InMemoryBroker.builder().executor(Runnable::run).timeSource(time).seed(1).build();
  private final List<Delivery> received = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeBroker() {
    broker.close();
  }

  // tag::consumer[]
  @Test
  void anIdempotentConsumerProcessesADuplicatedMessageOnce() {
    InMemoryBroker broker = InMemoryBroker.builder().executor(Runnable::run).build(); // handlers on this thread
    Set<UUID> inbox = new HashSet<>();
    List<String> shipped = new ArrayList<>();
    broker.subscriber("orders").start(delivery -> {
      if (inbox.add(delivery.message().id())) { // the consumer deduplicates by message id
        shipped.add(new String(delivery.message().payload(), StandardCharsets.UTF_8));
      }
      delivery.ack();
    });

    broker.duplicateDeliveries(1.0); // every message stored twice, as after a lost confirm
    broker.publisher().publish(List.of(OutboxMessage.of("orders", "order-17".getBytes(StandardCharsets.UTF_8))));

    assertThat(broker.acknowledged()).hasSize(2);
    assertThat(shipped).containsExactly("order-17");
  }
  // end::consumer[]

  @Test
  void publishConfirmsAndKeepsMessagesUntilAcknowledged() {
    OutboxMessage message = message("orders", "customer-1");
    assertThat(publish(message)).allMatch(PublishOutcome::isConfirmed);
    assertThat(broker.pending("orders")).isEqualTo(1);

    MessageSubscriber subscriber = subscribe("orders", false);
    assertThat(received).extracting(Delivery::message).containsExactly(message);
    assertThat(broker.pending("orders")).isEqualTo(1); // in flight, not acknowledged

    received.get(0).ack();
    assertThat(broker.pending("orders")).isZero();
    assertThat(broker.acknowledged()).containsExactly(message.id());
    assertThat(broker.published()).containsExactly(message);
    subscriber.close();
  }

  @Test
  void aDeliveryCannotBeSettledTwice() {
    publish(message("orders", null));
    subscribe("orders", true);
    assertThatThrownBy(() -> received.get(0).reject(true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already settled");
  }

  @Test
  void anUnsettledDeliveryComesBackWhenItsSubscriberCloses() {
    OutboxMessage message = message("orders", null);
    publish(message);
    MessageSubscriber first = subscribe("orders", false);
    first.close();

    assertThatThrownBy(() -> received.get(0).ack())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("will be delivered again");
    subscribe("orders", true);
    assertThat(received).hasSize(2);
    assertThat(received.get(1).deliveryCount()).isEqualTo(2);
    assertThat(broker.acknowledgedCount(message.id())).isEqualTo(1);
  }

  @Test
  void aDeliveryRejectedWithoutRequeueIsDeadLettered() {
    OutboxMessage message = message("orders", null);
    publish(message);
    subscribe("orders", false);
    received.get(0).reject(false);
    assertThat(broker.deadLettered()).containsExactly(message.id());
    assertThat(broker.pending("orders")).isZero();
    assertThat(received).hasSize(1);
  }

  @Test
  void aHandlerThatThrowsIsRecordedAndItsMessageComesBack() {
    OutboxMessage message = message("orders", null);
    publish(message);
    broker
        .subscriber("orders")
        .start(
            delivery -> {
              received.add(delivery);
              if (received.size() == 1) {
                throw new IllegalStateException("crash");
              }
              delivery.ack();
            });
    assertThat(broker.handlerFailures()).singleElement().hasFieldOrPropertyWithValue("message", "crash");
    assertThat(broker.deliveries(message.id())).isEqualTo(2);
    assertThat(broker.acknowledged()).containsExactly(message.id());
  }

  @Test
  void failedPublishesAreNotStoredAndLostConfirmsAre() {
    OutboxMessage failed = message("orders", null);
    OutboxMessage unconfirmed = message("orders", null);
    OutboxMessage fine = message("orders", null);
    broker.failNextPublishes(1);
    broker.loseNextConfirms(1);

    List<PublishOutcome> outcomes = publish(failed, unconfirmed, fine);

    assertThat(outcomes).extracting(PublishOutcome::isConfirmed).containsExactly(false, false, true);
    assertThat(outcomes.get(0).failure()).isInstanceOf(InjectedFaultException.class).hasMessageContaining("failed");
    assertThat(outcomes.get(1).failure()).hasMessageContaining("the broker has it");
    assertThat(broker.published()).containsExactly(unconfirmed, fine);
    subscribe("orders", true);
    assertThat(received).extracting(d -> d.message().id()).containsExactly(unconfirmed.id(), fine.id());
  }

  @Test
  void duplicatedMessagesAreDeliveredTwiceWithTheSameId() {
    broker.duplicateDeliveries(1.0);
    OutboxMessage message = message("orders", null);
    publish(message);
    subscribe("orders", true);
    assertThat(received).extracting(Delivery::message).containsExactly(message, message);
    assertThat(broker.acknowledgedCount(message.id())).isEqualTo(2);
  }

  @Test
  void delayedMessagesAreDeliveredWhenVirtualTimeReachesTheDelay() {
    broker.delayDeliveries(Duration.ofSeconds(5));
    subscribe("orders", true);
    publish(message("orders", null));

    time.advance(Duration.ofMillis(4999));
    assertThat(received).isEmpty();
    assertThat(broker.pending("orders")).isEqualTo(1);
    time.advance(Duration.ofMillis(1));
    assertThat(received).hasSize(1);
  }

  @Test
  void lostDeliveriesComeAgainWithAHigherCount() {
    broker.failNextDeliveries(2);
    publish(message("orders", null));
    subscribe("orders", true);
    assertThat(received).singleElement().extracting(Delivery::deliveryCount).isEqualTo(3);
  }

  @Test
  void aLostAckMakesTheMessageComeAgain() {
    broker.loseNextAcks(1);
    OutboxMessage message = message("orders", null);
    publish(message);
    subscribe("orders", true);
    assertThat(received).hasSize(2);
    assertThat(broker.acknowledged()).containsExactly(message.id());
  }

  @Test
  void droppedConsumerConnectionsRedeliverToTheSameSubscriber() {
    publish(message("orders", null));
    subscribe("orders", false);
    broker.dropConsumerConnections();
    assertThat(received).hasSize(2);
    assertThat(received.get(1).deliveryCount()).isEqualTo(2);
  }

  @Test
  void sameKeyMessagesAreHandedOutInOrderEvenWhenReordering() {
    broker.reorderDeliveries(true);
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      messages.add(message("orders", "key-" + (i % 4)));
    }
    publish(messages.toArray(OutboxMessage[]::new));
    subscribe("orders", true);

    List<OutboxMessage> order = received.stream().map(Delivery::message).toList();
    assertThat(order).containsExactlyInAnyOrderElementsOf(messages).isNotEqualTo(messages);
    for (int key = 0; key < 4; key++) {
      String name = "key-" + key;
      assertThat(order.stream().filter(m -> name.equals(m.key())).toList())
          .isEqualTo(messages.stream().filter(m -> name.equals(m.key())).toList());
    }
  }

  @Test
  void reorderingIsReproducibleWithTheSameSeed() {
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      messages.add(message("orders", null));
    }
    assertThat(reorderedWithSeed(42, messages))
        .isEqualTo(reorderedWithSeed(42, messages))
        .isNotEqualTo(reorderedWithSeed(43, messages));
  }

  @Test
  void aClosedBrokerFailsPublishes() {
    broker.close();
    assertThat(publish(message("orders", null))).noneMatch(PublishOutcome::isConfirmed);
  }

  @Test
  void faultSettingsNameTheSettingAndTheBadValue() {
    assertThatThrownBy(() -> broker.duplicateDeliveries(1.5))
        .hasMessage("duplicateDeliveries rate must be in [0, 1], was 1.5");
    assertThatThrownBy(() -> broker.failNextPublishes(-1)).hasMessage("failNextPublishes must be >= 0, was -1");
    assertThatThrownBy(() -> broker.delayDeliveries(Duration.ofSeconds(-1)))
        .hasMessage("delayDeliveries must be >= 0, was PT-1S");
    assertThatThrownBy(() -> broker.subscriber(" ")).hasMessage("destination must not be blank, was ' '");
  }

  @Test
  void handlersRunOnTheBrokersOwnThreadsByDefault() throws Exception {
    try (InMemoryBroker threaded = InMemoryBroker.create()) {
      Set<String> threads = ConcurrentHashMap.newKeySet();
      threaded.subscriber("orders").start(delivery -> {
        threads.add(Thread.currentThread().getName());
        delivery.ack();
      });
      OutboxMessage message = message("orders", null);
      threaded.publisher().publish(List.of(message)).toCompletableFuture().get();
      org.awaitility.Awaitility.await().until(() -> threaded.acknowledgedCount(message.id()) == 1);
      assertThat(threads).singleElement().asString().startsWith("steadfast-in-memory-broker-");
    }
  }

  private List<UUID> reorderedWithSeed(long seed, List<OutboxMessage> messages) {
    List<UUID> order = new ArrayList<>();
    try (InMemoryBroker seeded = InMemoryBroker.builder().executor(Runnable::run).seed(seed).build()) {
      seeded.reorderDeliveries(true);
      seeded.publisher().publish(messages);
      seeded.subscriber("orders").start(delivery -> {
        order.add(delivery.message().id());
        delivery.ack();
      });
    }
    return order;
  }

  private List<PublishOutcome> publish(OutboxMessage... messages) {
    return broker.publisher().publish(List.of(messages)).toCompletableFuture().join();
  }

  private MessageSubscriber subscribe(String destination, boolean ack) {
    MessageSubscriber subscriber = broker.subscriber(destination);
    subscriber.start(
        delivery -> {
          received.add(delivery);
          if (ack) {
            delivery.ack();
          }
        });
    return subscriber;
  }

  private static OutboxMessage message(String destination, String key) {
    UUID id = UUID.randomUUID();
    return new OutboxMessage(
        id, destination, key, id.toString().getBytes(StandardCharsets.UTF_8), Map.of("trace", id.toString()));
  }
}
