package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults as amqp-client sees them, through the proxy, against RabbitMQ (or Qpid Broker-J in the fallback run). */
class TcpFaultProxyRabbitMqIT {

  @RegisterExtension static final RabbitMqExtension RABBITMQ = RabbitMqExtension.create();

  private TcpFaultProxy proxy;
  private Connection connection;
  private final AtomicReference<ShutdownSignalException> shutdown = new AtomicReference<>();

  @BeforeEach
  void connectThroughProxy() throws Exception {
    proxy = TcpFaultProxy.start(RABBITMQ.host(), RABBITMQ.port());
    ConnectionFactory factory = RABBITMQ.connectionFactory();
    factory.setHost(proxy.host());
    factory.setPort(proxy.port());
    connection = factory.newConnection("through-proxy");
    connection.addShutdownListener(shutdown::set);
  }

  @AfterEach
  void stop() {
    connection.abort();
    proxy.close();
  }

  @Test
  void resetShowsAsAShutdownSignalTheApplicationDidNotInitiate() {
    assertThat(proxy.resetConnections()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(10)).until(() -> shutdown.get() != null);
    assertThat(shutdown.get().isHardError()).isTrue();
    assertThat(shutdown.get().isInitiatedByApplication()).isFalse();
    assertThat(connection.isOpen()).isFalse();
  }

  @Test
  void closeAfterBytesShutsTheConnectionDownMidPublish() throws Exception {
    Channel channel = connection.createChannel();
    String queue = RABBITMQ.queueName("cut");
    channel.queueDeclare(queue, false, false, false, null);
    proxy.closeAfterBytes(30_000);
    byte[] body = new byte[10_000];

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              if (channel.isOpen()) {
                try {
                  channel.basicPublish("", queue, null, body);
                } catch (RuntimeException | java.io.IOException e) {
                  // the connection is going down: the listener tells how
                }
              }
              return shutdown.get() != null;
            });
    assertThat(shutdown.get().isInitiatedByApplication()).isFalse();
    assertThat(connection.isOpen()).isFalse();
  }

  @Test
  void latencyDelaysPublisherConfirms() throws Exception {
    Channel channel = connection.createChannel();
    String queue = RABBITMQ.queueName("slow");
    channel.queueDeclare(queue, false, false, false, null);
    channel.confirmSelect();
    proxy.latency(Duration.ofMillis(150));

    long start = System.nanoTime();
    channel.basicPublish("", queue, null, new byte[100]);
    channel.waitForConfirmsOrDie(10_000);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(280));
  }
}
