package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.TestAbortedException;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RabbitMqExtensionIT {

  @RegisterExtension static final RabbitMqExtension RABBITMQ = RabbitMqExtension.create();

  private static final AtomicReference<String> firstQueue = new AtomicReference<>();
  private static final AtomicReference<String> firstExchange = new AtomicReference<>();
  private static final AtomicReference<Connection> firstConnection = new AtomicReference<>();

  @Test
  @Order(1)
  void publishesAndConsumesThroughNamesOfItsOwn() throws Exception {
    Connection connection = RABBITMQ.newConnection();
    Channel channel = connection.createChannel();
    String exchange = RABBITMQ.exchangeName("events");
    String queue = RABBITMQ.queueName("orders");
    channel.exchangeDeclare(exchange, "direct", true);
    channel.queueDeclare(queue, true, false, false, null);
    channel.queueBind(queue, exchange, "order.created");
    channel.confirmSelect();
    channel.basicPublish(exchange, "order.created", null, "hello".getBytes(StandardCharsets.UTF_8));
    channel.waitForConfirmsOrDie(10_000);

    AtomicReference<GetResponse> received = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              if (received.get() == null) {
                received.set(channel.basicGet(queue, true));
              }
              return received.get() != null;
            });
    assertThat(new String(received.get().getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");

    firstQueue.set(queue);
    firstExchange.set(exchange);
    firstConnection.set(connection);
  }

  @Test
  @Order(2)
  void deletesTheQueuesAndExchangesAndClosesTheConnectionsOfTheTestBefore() throws Exception {
    assertThat(firstConnection.get()).isNotNull();
    assertThat(firstConnection.get().isOpen()).isFalse();
    try (Connection connection = RABBITMQ.connectionFactory().newConnection()) {
      Channel forQueue = connection.createChannel();
      assertThatThrownBy(() -> forQueue.queueDeclarePassive(firstQueue.get())).isInstanceOf(IOException.class);
      Channel forExchange = connection.createChannel();
      assertThatThrownBy(() -> forExchange.exchangeDeclarePassive(firstExchange.get()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void namesAreUniqueAndStartWithTheirBase() {
    String one = RABBITMQ.queueName("orders");
    String two = RABBITMQ.queueName("orders");
    assertThat(one).startsWith("orders-").isNotEqualTo(two);
    assertThat(RABBITMQ.exchangeName("orders")).startsWith("orders-").isNotIn(one, two);
    assertThatThrownBy(() -> RABBITMQ.queueName(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queue base name must be 1 to 200 characters, was ' '");
  }

  @Test
  void usesTheRealRabbitMqUnlessNothingAnswersAtTheProbe() {
    assertThat(RABBITMQ.isEmbedded()).isEqualTo(Fallbacks.expected());
    assertThat(RABBITMQ.isRealRabbitMq()).isEqualTo(!Fallbacks.expected());
    if (Fallbacks.expected()) {
      assertThat(RABBITMQ.serverDescription())
          .startsWith("embedded Qpid Broker-J")
          .contains("nothing answered at 127.0.0.1:1");
    } else {
      assertThat(RABBITMQ.serverDescription()).startsWith("real server at " + RabbitMqExtension.DEFAULT_PROBE);
    }
  }

  @Test
  void declaresQuorumQueuesOnRealRabbitMq() throws Exception {
    RABBITMQ.requireRealRabbitMq();
    Channel channel = RABBITMQ.newConnection().createChannel();
    String queue = RABBITMQ.queueName("quorum");
    channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
    assertThat(channel.queueDeclarePassive(queue).getQueue()).isEqualTo(queue);
  }

  @Test
  void requireRealRabbitMqSkipsOnQpidNamingTheBroker() {
    assumeTrue(Fallbacks.expected(), "only the embedded-fallbacks run has Qpid Broker-J");
    assertThatThrownBy(RABBITMQ::requireRealRabbitMq)
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("needs a real RabbitMQ, but the broker is embedded Qpid Broker-J");
  }
}
