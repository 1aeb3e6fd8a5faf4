package dev.steadfast.messaging.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.testkit.RabbitMqExtension;
import dev.steadfast.testkit.TcpFaultProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Network and broker faults through the TCP fault proxy: a "broker restart" is every connection reset (and, while
 * it is down, new connections refused); nothing confirmed is lost, and the adapter recovers by itself.
 */
class RabbitMqAdapterFaultsIT {

  @RegisterExtension static final RabbitMqExtension RABBITMQ = RabbitMqExtension.create();

  private final List<AutoCloseable> resources = new ArrayList<>();
  private TcpFaultProxy proxy;

  @BeforeEach
  void startProxy() {
    proxy = TcpFaultProxy.start(RABBITMQ.host(), RABBITMQ.port());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    proxy.close();
  }

  @Test
  void publishingWhileTheConnectionRecoversFailsTheBatchAtOnceAndRecoversByItself() throws Exception {
    RabbitMqAdapter adapter = adapter(Brokers.through(RABBITMQ, proxy).confirmTimeout(Duration.ofSeconds(20)));
    String queue = classicQueue(adapter, "recovering");
    assertThat(publish(adapter, OutboxMessage.of(queue, bytes("before")))).allMatch(PublishOutcome::isConfirmed);

    proxy.resetNewConnections(true);
    proxy.resetConnections();
    long start = System.nanoTime();
    List<PublishOutcome> during = publish(adapter, OutboxMessage.of(queue, bytes("during")));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(during).noneMatch(PublishOutcome::isConfirmed);
    assertThat(((RabbitMqPublishException) during.get(0).failure()).reason())
        .isIn(RabbitMqPublishException.Reason.NOT_PUBLISHED, RabbitMqPublishException.Reason.CONNECTION_LOST);

    proxy.resetNewConnections(false);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> publish(adapter, OutboxMessage.of(queue, bytes("after"))).get(0).isConfirmed());
  }

  @Test
  void aConfirmLostWithTheConnectionFailsTheMessageThoughTheBrokerHasIt() throws Exception {
    RABBITMQ.requireRealRabbitMq(); // the cut watches the queue's message count, which Qpid reports late
    RabbitMqAdapter adapter = adapter(Brokers.through(RABBITMQ, proxy).confirmTimeout(Duration.ofSeconds(20)));
    String queue = classicQueue(adapter, "lost-confirm");
    assertThat(publish(adapter, OutboxMessage.of(queue, bytes("warm-up")))).allMatch(PublishOutcome::isConfirmed);

    Brokers.loseNextConfirm(RABBITMQ, proxy, queue);
    List<PublishOutcome> outcomes = publish(adapter, OutboxMessage.of(queue, bytes("stored, confirm lost")));

    assertThat(((RabbitMqPublishException) outcomes.get(0).failure()).reason())
        .isEqualTo(RabbitMqPublishException.Reason.CONNECTION_LOST);
    assertThat(RABBITMQ.newConnection().createChannel().queueDeclarePassive(queue).getMessageCount())
        .as("the broker has both messages: publishing the failed one again makes a duplicate")
        .isEqualTo(2);
  }

  @Test
  void aConfirmThatNeverComesTimesOutAsARetryableFailure() throws Exception {
    RabbitMqAdapter adapter = adapter(Brokers.through(RABBITMQ, proxy).confirmTimeout(Duration.ofMillis(500)));
    String queue = classicQueue(adapter, "blackholed");
    assertThat(publish(adapter, OutboxMessage.of(queue, bytes("warm-up")))).allMatch(PublishOutcome::isConfirmed);

    proxy.blackhole(true);
    List<PublishOutcome> outcomes = publish(adapter, OutboxMessage.of(queue, bytes("held")));
    proxy.blackhole(false);

    assertThat(((RabbitMqPublishException) outcomes.get(0).failure()).reason())
        .isEqualTo(RabbitMqPublishException.Reason.CONFIRM_TIMEOUT);
  }

  @Test
  void theAdapterFailsOverToTheNextAddressWhenANodeGoesAway() throws Exception {
    TcpFaultProxy second = TcpFaultProxy.start(RABBITMQ.host(), RABBITMQ.port());
    resources.add(second);
    RabbitMqAdapter adapter = adapter(Brokers.through(RABBITMQ, proxy, second));
    String queue = classicQueue(adapter, "failover");
    assertThat(publish(adapter, OutboxMessage.of(queue, bytes("first")))).allMatch(PublishOutcome::isConfirmed);
    TcpFaultProxy used = proxy.openConnections() > 0 ? proxy : second;
    TcpFaultProxy other = used == proxy ? second : proxy;
    long acceptedBefore = other.acceptedConnections();

    used.resetNewConnections(true); // that node is gone
    used.resetConnections();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> publish(adapter, OutboxMessage.of(queue, bytes("again"))).get(0).isConfirmed());
    assertThat(other.acceptedConnections()).isGreaterThan(acceptedBefore);
    used.resetNewConnections(false);
  }

  @Test
  void repeatedBrokerConnectionLossDuringBatchesLosesNoConfirmedMessageOnAClassicQueue() throws Exception {
    relayThroughRestarts(false);
  }

  @Test
  void repeatedBrokerConnectionLossDuringBatchesLosesNoConfirmedMessageOnAQuorumQueue() throws Exception {
    RABBITMQ.requireRealRabbitMq();
    relayThroughRestarts(true);
  }

  /**
   * A relay's loop (publish batches of 100, publish the failed ones again) and a consumer with an inbox, while the
   * "broker" restarts (every connection reset, refused for a moment) a few times: every message is delivered, a
   * duplicate only ever has an id seen before, and the inbox processes each id once.
   */
  private void relayThroughRestarts(boolean quorum) throws Exception {
    RabbitMqAdapter adapter = adapter(Brokers.through(RABBITMQ, proxy).confirmTimeout(Duration.ofSeconds(3)));
    String queue = RABBITMQ.queueName(quorum ? "restarts-quorum" : "restarts-classic");
    adapter.declare(
        quorum
            ? RabbitMqTopology.builder().quorumQueue(queue).build()
            : RabbitMqTopology.builder().classicQueue(queue).build());
    int total = 3_000;
    Set<UUID> sent = new HashSet<>();
    List<OutboxMessage> outbox = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      OutboxMessage message = new OutboxMessage(UUID.randomUUID(), queue, "k" + (i % 7), bytes("m" + i), Map.of());
      outbox.add(message);
      sent.add(message.id());
    }
    Set<UUID> inbox = ConcurrentHashMap.newKeySet();
    Map<UUID, Integer> deliveries = new ConcurrentHashMap<>();
    adapter.subscriber(queue).start(delivery -> {
      deliveries.merge(delivery.message().id(), 1, Integer::sum);
      inbox.add(delivery.message().id()); // the inbox: processed once per id
      delivery.ack();
    });

    AtomicBoolean done = new AtomicBoolean();
    Thread restarts = new Thread(() -> {
      for (int i = 0; i < 4 && !done.get(); i++) {
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        proxy.resetNewConnections(true);
        proxy.resetConnections();
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        proxy.resetNewConnections(false);
      }
    });
    restarts.start();
    int failures = 0;
    List<OutboxMessage> pending = new ArrayList<>(outbox);
    while (!pending.isEmpty()) {
      List<OutboxMessage> batch = new ArrayList<>(pending.subList(0, Math.min(100, pending.size())));
      List<PublishOutcome> outcomes = publish(adapter, batch.toArray(OutboxMessage[]::new));
      List<OutboxMessage> failed = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        assertThat(outcomes.get(i).messageId()).isEqualTo(batch.get(i).id());
        if (!outcomes.get(i).isConfirmed()) {
          failed.add(batch.get(i));
        }
      }
      failures += failed.size();
      if (failed.size() == batch.size()) {
        await().pollDelay(Duration.ofMillis(50)).until(() -> true); // the relay backs off while the broker is away
      }
      pending.subList(0, batch.size()).clear();
      pending.addAll(failed); // the relay publishes them again
    }
    done.set(true);
    restarts.join(TimeUnit.SECONDS.toMillis(30));

    await().atMost(Duration.ofSeconds(60)).until(() -> inbox.size() == total);
    assertThat(inbox).isEqualTo(sent);
    assertThat(deliveries.keySet()).isEqualTo(sent);
    System.out.printf(
        "%s: %d messages, %d failed publishes retried, %d duplicate deliveries dropped by the inbox%n",
        quorum ? "quorum" : "classic", total, failures,
        deliveries.values().stream().mapToInt(Integer::intValue).sum() - total);
  }

  // ---- helpers

  private RabbitMqAdapter adapter(RabbitMqConfig.Builder config) {
    RabbitMqAdapter adapter = RabbitMqAdapter.create(config.build());
    resources.add(adapter);
    return adapter;
  }

  private static String classicQueue(RabbitMqAdapter adapter, String base) {
    String queue = RABBITMQ.queueName(base);
    adapter.declare(RabbitMqTopology.builder().classicQueue(queue).build());
    return queue;
  }

  private static List<PublishOutcome> publish(RabbitMqAdapter adapter, OutboxMessage... messages) throws Exception {
    return adapter.publisher().publish(List.of(messages)).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
