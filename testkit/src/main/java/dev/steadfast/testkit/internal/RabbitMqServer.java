package dev.steadfast.testkit.internal;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.Closeable;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe handle on the AMQP 0-9-1 broker a test run uses: the configured one, else the local RabbitMQ if it
 * answers, else an embedded Qpid Broker-J started for the run and stopped by {@link #close()}.
 */
public final class RabbitMqServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RabbitMqServer.class);
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final String virtualHost;
  private final boolean embedded;
  private final boolean realRabbitMq;
  private final String description;
  private final @Nullable Closeable stopper;

  private RabbitMqServer(
      ConnectionFactory factory,
      boolean embedded,
      boolean realRabbitMq,
      String description,
      @Nullable Closeable stopper) {
    this.host = factory.getHost();
    this.port = factory.getPort();
    this.user = factory.getUsername();
    this.password = factory.getPassword();
    this.virtualHost = factory.getVirtualHost();
    this.embedded = embedded;
    this.realRabbitMq = realRabbitMq;
    this.description = description;
    this.stopper = stopper;
  }

  /**
   * Finds the broker and logs which one it is and why.
   *
   * @param uri the configured {@code amqp://user:password@host:port/vhost}, or null to probe
   * @throws IllegalStateException when a configured broker cannot be reached (no fallback then: it was asked for)
   * @throws IllegalArgumentException when {@code uri} is not an AMQP URI
   */
  public static RabbitMqServer resolve(@Nullable String uri, HostPort probe, String settingName) {
    RabbitMqServer server;
    if (uri != null) {
      ConnectionFactory factory = newFactory();
      try {
        factory.setUri(uri);
      } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
        // Neither the message nor the cause: both may quote the URI with its password.
        throw new IllegalArgumentException(
            settingName + " must be amqp://user:password@host:port/vhost; it was not (" + e.getClass().getSimpleName()
                + ")");
      }
      String where = factory.getHost() + ":" + factory.getPort() + " vhost " + factory.getVirtualHost();
      try {
        server = connect(factory, false, "configured broker at " + where + " (from " + settingName + ")", null);
      } catch (IOException | TimeoutException e) {
        throw new IllegalStateException(
            "the AMQP broker configured by " + settingName + " (" + where + ") did not accept a connection: "
                + e.getMessage(),
            e);
      }
    } else {
      server = local(probe);
    }
    LOG.info("RabbitMQ for tests: {}", server.description);
    return server;
  }

  private static RabbitMqServer local(HostPort probe) {
    Optional<String> unreachable = Probe.unreachable(probe);
    String reason;
    if (unreachable.isEmpty()) {
      ConnectionFactory factory = newFactory();
      factory.setHost(probe.host());
      factory.setPort(probe.port());
      try {
        return connect(factory, false, "real server at " + probe, null);
      } catch (IOException | TimeoutException e) {
        reason = "the broker at " + probe + " refused guest: " + e;
      }
    } else {
      reason = unreachable.get();
    }
    EmbeddedQpidBroker.Running running;
    try {
      running = EmbeddedQpidBroker.start();
    } catch (NoClassDefFoundError e) {
      throw new IllegalStateException(
          "no RabbitMQ to use ("
              + reason
              + ") and the embedded fallback is not on the class path: add org.apache.qpid:qpid-broker-core,"
              + " qpid-broker-plugins-amqp-0-8-protocol and qpid-broker-plugins-memory-store (test scope)",
          e);
    }
    ConnectionFactory factory = newFactory();
    factory.setHost("127.0.0.1");
    factory.setPort(running.port());
    try {
      return connect(
          factory,
          true,
          "embedded Qpid Broker-J " + running.version() + " at 127.0.0.1:" + running.port() + ": " + reason,
          running.stopper());
    } catch (IOException | TimeoutException | RuntimeException e) {
      try {
        running.stopper().close();
      } catch (IOException stopFailure) {
        e.addSuppressed(stopFailure);
      }
      throw new IllegalStateException("the embedded Qpid Broker-J did not accept a connection: " + e, e);
    }
  }

  private static RabbitMqServer connect(
      ConnectionFactory factory, boolean embedded, String origin, @Nullable Closeable stopper)
      throws IOException, TimeoutException {
    try (Connection connection = factory.newConnection("steadfast-testkit-probe")) {
      Map<String, Object> properties = connection.getServerProperties();
      String product = String.valueOf(properties.get("product"));
      String version = String.valueOf(properties.get("version"));
      boolean rabbit = product.contains("RabbitMQ");
      String description =
          embedded ? origin : origin + " (" + product + " " + version + ", user " + factory.getUsername() + ")";
      return new RabbitMqServer(factory, embedded, rabbit, description, stopper);
    }
  }

  private static ConnectionFactory newFactory() {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
    factory.setAutomaticRecoveryEnabled(false);
    return factory;
  }

  /** A new factory for this broker, with automatic recovery off; callers may change it freely. */
  public ConnectionFactory connectionFactory() {
    ConnectionFactory factory = newFactory();
    factory.setHost(host);
    factory.setPort(port);
    factory.setUsername(user);
    factory.setPassword(password);
    factory.setVirtualHost(virtualHost);
    return factory;
  }

  /** The broker's host. */
  public String host() {
    return host;
  }

  /** The broker's AMQP port. */
  public int port() {
    return port;
  }

  /** The virtual host tests use. */
  public String virtualHost() {
    return virtualHost;
  }

  /** Whether the broker is the embedded fallback. */
  public boolean embedded() {
    return embedded;
  }

  /** Whether the broker says it is RabbitMQ (its {@code product} server property). */
  public boolean realRabbitMq() {
    return realRabbitMq;
  }

  /** Which broker this is and why, without secrets. */
  public String description() {
    return description;
  }

  @Override
  public void close() throws IOException {
    if (stopper != null) {
      stopper.close();
    }
  }
}
