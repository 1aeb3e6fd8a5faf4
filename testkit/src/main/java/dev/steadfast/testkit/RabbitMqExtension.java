package dev.steadfast.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.steadfast.testkit.internal.ClassScope;
import dev.steadfast.testkit.internal.DatabaseNames;
import dev.steadfast.testkit.internal.HostPort;
import dev.steadfast.testkit.internal.RabbitMqServer;
import dev.steadfast.testkit.internal.Settings;
import dev.steadfast.testkit.internal.SharedServers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe JUnit extension that gives tests an AMQP 0-9-1 broker, the real RabbitMQ when there is one, with queue
 * and exchange names no other test uses, deleted after the test; tests of the class may use it in parallel.
 *
 * <p>Which broker: the one named by {@value #URI_PROPERTY} (or {@code STEADFAST_RABBITMQ_URI}) as
 * {@code amqp://user:password@host:port/vhost}; else the local RabbitMQ at {@value #DEFAULT_PROBE} (overridable by
 * {@value #PROBE_PROPERTY}) as guest/guest if it answers; else an embedded Apache Qpid Broker-J (AMQP 0-9-1,
 * in-memory store, a free loopback port) started once for the run. The choice and its reason are logged once per run.
 * Qpid is not RabbitMQ (no quorum queues or {@code x-queue-type}, an unroutable mandatory message is nacked rather
 * than acked): tests that need RabbitMQ itself call {@link #requireRealRabbitMq()}.
 *
 * <p>Names from {@link #queueName} and {@link #exchangeName}, and connections from {@link #newConnection()}, are
 * deleted and closed after the test that made them (with test methods running in parallel: once none is running).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RabbitMqExtension RABBITMQ = RabbitMqExtension.create();
 *
 * @Test
 * void relaysAMessage() throws Exception {
 *   Connection connection = RABBITMQ.newConnection();
 *   String queue = RABBITMQ.queueName("orders");
 *   ...
 * }
 * }</pre>
 *
 * <p>Needs {@code com.rabbitmq:amqp-client} on the test class path, and for the fallback
 * {@code org.apache.qpid:qpid-broker-core}, {@code qpid-broker-plugins-amqp-0-8-protocol} and
 * {@code qpid-broker-plugins-memory-store}.
 *
 * @since 0.1.0
 */
public final class RabbitMqExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  /** System property with the AMQP URI of the broker to use; no fallback when it is set. */
  public static final String URI_PROPERTY = "steadfast.rabbitmq.uri";

  /** System property with the {@code host:port} where the local RabbitMQ is looked for. */
  public static final String PROBE_PROPERTY = "steadfast.rabbitmq.probe";

  /** Where the local RabbitMQ is looked for unless {@value #PROBE_PROPERTY} says otherwise. */
  public static final String DEFAULT_PROBE = "127.0.0.1:5672";

  private static final Logger LOG = LoggerFactory.getLogger(RabbitMqExtension.class);
  private static final int MAX_BASE_LENGTH = 200;

  private final @Nullable String uri;
  private final HostPort probe;
  private final ClassScope<ClassBroker> scope = new ClassScope<>("RabbitMqExtension");

  private RabbitMqExtension(@Nullable String uri, HostPort probe) {
    this.uri = uri;
    this.probe = probe;
  }

  /** An extension configured from system properties and environment variables only. */
  public static RabbitMqExtension create() {
    return builder().build();
  }

  /** A builder that starts from the system properties and environment variables. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    scope.enter(
        context.getRequiredTestClass(),
        () ->
            new ClassBroker(
                SharedServers.get(
                    Arrays.asList(RabbitMqServer.class, uri, probe),
                    RabbitMqServer.class,
                    () -> RabbitMqServer.resolve(uri, probe, URI_PROPERTY))));
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    scope.get().running.incrementAndGet();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ClassBroker broker = scope.get();
    if (broker.running.decrementAndGet() == 0) {
      broker.cleanUp();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    scope.exit();
  }

  /** A new connection factory for the broker (automatic recovery off); change it freely. */
  public ConnectionFactory connectionFactory() {
    return scope.get().server.connectionFactory();
  }

  /** Opens a connection to the broker, closed after the test. */
  public Connection newConnection() throws IOException, TimeoutException {
    ClassBroker broker = scope.get();
    Connection connection = broker.server.connectionFactory().newConnection("steadfast-testkit");
    broker.connections.add(connection);
    return connection;
  }

  /**
   * A queue name no other test uses, starting with {@code base}; a queue of that name is deleted after the test.
   *
   * @throws IllegalArgumentException when {@code base} is blank or longer than 200 characters
   */
  public String queueName(String base) {
    ClassBroker broker = scope.get();
    String name = broker.uniqueName("queue", base);
    broker.queues.add(name);
    return name;
  }

  /**
   * An exchange name no other test uses, starting with {@code base}; an exchange of that name is deleted after the
   * test.
   *
   * @throws IllegalArgumentException when {@code base} is blank or longer than 200 characters
   */
  public String exchangeName(String base) {
    ClassBroker broker = scope.get();
    String name = broker.uniqueName("exchange", base);
    broker.exchanges.add(name);
    return name;
  }

  /** Whether the broker is RabbitMQ itself (it says so in its {@code product} property). */
  public boolean isRealRabbitMq() {
    return scope.get().server.realRabbitMq();
  }

  /** Whether the broker is the embedded Qpid Broker-J. */
  public boolean isEmbedded() {
    return scope.get().server.embedded();
  }

  /**
   * Skips the calling test (a JUnit assumption) unless the broker is RabbitMQ itself; for tests of quorum queues and
   * other RabbitMQ-only features.
   *
   * @throws org.opentest4j.TestAbortedException naming the broker in use, when it is not RabbitMQ
   */
  public void requireRealRabbitMq() {
    RabbitMqServer server = scope.get().server;
    Assumptions.assumeTrue(
        server.realRabbitMq(), () -> "needs a real RabbitMQ, but the broker is " + server.description());
  }

  /** The broker's host. */
  public String host() {
    return scope.get().server.host();
  }

  /** The broker's AMQP port. */
  public int port() {
    return scope.get().server.port();
  }

  /** Which broker is used and why, as logged. */
  public String serverDescription() {
    return scope.get().server.description();
  }

  /** What one test class uses: the shared broker, and what its tests made. */
  private static final class ClassBroker implements AutoCloseable {
    final RabbitMqServer server;
    final String prefix = DatabaseNames.randomSuffix();
    final AtomicLong counter = new AtomicLong();
    final AtomicInteger running = new AtomicInteger();
    final ConcurrentLinkedQueue<String> queues = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> exchanges = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Connection> connections = new ConcurrentLinkedQueue<>();

    ClassBroker(RabbitMqServer server) {
      this.server = server;
    }

    String uniqueName(String kind, String base) {
      Objects.requireNonNull(base, "base");
      if (base.isBlank() || base.length() > MAX_BASE_LENGTH) {
        throw new IllegalArgumentException(
            kind + " base name must be 1 to " + MAX_BASE_LENGTH + " characters, was '" + base + "'");
      }
      return base + "-" + prefix + "-" + counter.incrementAndGet();
    }

    /** Closes the tests' connections, then deletes their queues and exchanges; failures are logged, not thrown. */
    void cleanUp() {
      for (Connection connection = connections.poll(); connection != null; connection = connections.poll()) {
        if (connection.isOpen()) {
          try {
            connection.close();
          } catch (IOException | RuntimeException e) {
            LOG.debug("closing a test's connection failed", e);
          }
        }
      }
      List<String> queueNames = drain(queues);
      List<String> exchangeNames = drain(exchanges);
      if (queueNames.isEmpty() && exchangeNames.isEmpty()) {
        return;
      }
      try (Connection admin = server.connectionFactory().newConnection("steadfast-testkit-cleanup")) {
        for (String queue : queueNames) {
          delete(admin, queue, true);
        }
        for (String exchange : exchangeNames) {
          delete(admin, exchange, false);
        }
      } catch (IOException | TimeoutException | RuntimeException e) {
        LOG.warn("could not delete the queues {} and exchanges {} of a test: {}", queueNames, exchangeNames, e);
      }
    }

    private static void delete(Connection admin, String name, boolean queue) {
      // A fresh channel per name: a broker that answers "not found" with a channel error closes the channel.
      try (Channel channel = admin.createChannel()) {
        if (queue) {
          channel.queueDelete(name);
        } else {
          channel.exchangeDelete(name);
        }
      } catch (IOException | TimeoutException | RuntimeException e) {
        LOG.debug("deleting {} {} failed (it may never have been declared): {}", queue ? "queue" : "exchange",
            name, e.toString());
      }
    }

    private static List<String> drain(ConcurrentLinkedQueue<String> names) {
      List<String> drained = new ArrayList<>();
      for (String name = names.poll(); name != null; name = names.poll()) {
        drained.add(name);
      }
      return drained;
    }

    @Override
    public void close() {
      cleanUp();
    }
  }

  /**
   * Configures a {@link RabbitMqExtension}; starts from the system properties and environment variables, which
   * explicit calls override. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String uri;
    private HostPort probe;

    private Builder() {
      uri = Settings.lookup(URI_PROPERTY);
      String probeSetting = Settings.lookup(PROBE_PROPERTY);
      probe = HostPort.parse(PROBE_PROPERTY, probeSetting == null ? DEFAULT_PROBE : probeSetting);
    }

    /**
     * Uses the broker at this URI ({@code amqp://user:password@host:port/vhost}), with no fallback.
     *
     * @throws IllegalArgumentException when it is not an {@code amqp://} or {@code amqps://} URI
     */
    public Builder uri(String amqpUri) {
      if (!amqpUri.startsWith("amqp://") && !amqpUri.startsWith("amqps://")) {
        throw new IllegalArgumentException("uri must start with amqp:// or amqps://");
      }
      this.uri = amqpUri;
      return this;
    }

    /**
     * Where the local RabbitMQ is looked for, as {@code host:port}; point it at a closed port to force the embedded
     * Qpid Broker-J.
     *
     * @throws IllegalArgumentException when it is not {@code host:port}
     */
    public Builder probe(String hostPort) {
      this.probe = HostPort.parse("probe", hostPort);
      return this;
    }

    /** The extension; the builder may be changed and used again. */
    public RabbitMqExtension build() {
      return new RabbitMqExtension(uri, probe);
    }
  }
}
