package dev.steadfast.messaging.rabbitmq;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.steadfast.testkit.RabbitMqExtension;
import dev.steadfast.testkit.TcpFaultProxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Test settings: an adapter that reaches the test broker through fault proxies, with short intervals. */
final class Brokers {

  private Brokers() {}

  /** Settings for the extension's broker, reached through {@code proxies} (in turn, for failover). */
  static RabbitMqConfig.Builder through(RabbitMqExtension broker, TcpFaultProxy... proxies) {
    ConnectionFactory direct = broker.connectionFactory();
    String user = direct.getUsername();
    String password = direct.getPassword();
    String virtualHost = direct.getVirtualHost();
    return RabbitMqConfig.builder()
        .addresses(List.of(proxies).stream().map(proxy -> proxy.host() + ":" + proxy.port()).toList())
        .connectionFactoryCustomizer(
            factory -> {
              factory.setUsername(user);
              factory.setPassword(password);
              factory.setVirtualHost(virtualHost);
            })
        .recoveryInterval(Duration.ofMillis(200))
        .confirmTimeout(Duration.ofSeconds(5))
        .connectionTimeout(Duration.ofSeconds(2))
        .drainTimeout(Duration.ofSeconds(1))
        .failurePolicy(ConsumerFailurePolicy.requeue(Duration.ofMillis(50)));
  }

  /**
   * Makes the broker receive the next publish but lose its confirm: the proxy delays both directions, and as soon
   * as the message is in {@code queue} (seen on a direct connection), its connections are reset, with the confirm
   * still held in the proxy.
   */
  static void loseNextConfirm(RabbitMqExtension broker, TcpFaultProxy proxy, String queue) {
    proxy.latency(Duration.ofMillis(700));
    long before;
    Connection direct;
    Channel channel;
    try {
      direct = broker.newConnection();
      channel = direct.createChannel();
      before = channel.queueDeclarePassive(queue).getMessageCount();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    var unused =
        CompletableFuture.runAsync(
            () -> {
              try {
                await()
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> channel.queueDeclarePassive(queue).getMessageCount() > before);
              } finally {
                proxy.resetConnections();
                proxy.latency(Duration.ZERO);
              }
            });
  }
}
