package dev.steadfast.messaging.rabbitmq;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@link RabbitMqAdapter}. Immutable; {@link #toBuilder()} derives a variant.
 *
 * <p>The URI may hold a password: it is never logged and never part of {@link #toString()} or of an exception
 * message.
 *
 * @since 0.1.0
 */
public final class RabbitMqConfig {

  private static final Duration MAX_DURATION = Duration.ofHours(1);
  private static final int MAX_CHANNELS = 64;

  private final String name;
  private final @Nullable String uri;
  private final List<Address> addresses;
  private final Consumer<ConnectionFactory> connectionFactoryCustomizer;
  private final Duration confirmTimeout;
  private final Duration recoveryInterval;
  private final Duration connectionTimeout;
  private final Duration heartbeat;
  private final Duration drainTimeout;
  private final int publisherChannels;
  private final int prefetch;
  private final int consumerConcurrency;
  private final ConsumerFailurePolicy failurePolicy;
  private final MeterRegistry meterRegistry;
  private final @Nullable ExecutorService executor;
  private final @Nullable ScheduledExecutorService scheduler;

  private RabbitMqConfig(Builder builder) {
    name = builder.name;
    uri = builder.uri;
    addresses = List.copyOf(builder.addresses);
    connectionFactoryCustomizer = builder.connectionFactoryCustomizer;
    confirmTimeout = builder.confirmTimeout;
    recoveryInterval = builder.recoveryInterval;
    connectionTimeout = builder.connectionTimeout;
    heartbeat = builder.heartbeat;
    drainTimeout = builder.drainTimeout;
    publisherChannels = builder.publisherChannels;
    prefetch = builder.prefetch;
    consumerConcurrency = builder.consumerConcurrency;
    failurePolicy = builder.failurePolicy;
    MeterRegistry registry = builder.meterRegistry;
    meterRegistry = registry == null ? new SimpleMeterRegistry() : registry;
    executor = builder.executor;
    scheduler = builder.scheduler;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The adapter's name: the {@code adapter} tag of its meters and the prefix of its connection names. */
  public String name() {
    return name;
  }

  /** The broker addresses tried in turn (shuffled) when connecting and recovering; from the URI when empty. */
  public List<Address> addresses() {
    return addresses;
  }

  /** How long a published message may wait for its confirm before it is reported failed; default 10 s. */
  public Duration confirmTimeout() {
    return confirmTimeout;
  }

  /** How long to wait between attempts to reconnect (and to resubscribe); default 1 s. */
  public Duration recoveryInterval() {
    return recoveryInterval;
  }

  /** TCP connect and AMQP handshake timeout; default 5 s. */
  public Duration connectionTimeout() {
    return connectionTimeout;
  }

  /** The AMQP heartbeat requested; default 10 s. */
  public Duration heartbeat() {
    return heartbeat;
  }

  /** How long {@code MessageSubscriber.close()} waits for deliveries being handled to settle; default 10 s. */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /** How many channels the publisher spreads batches over; default 1 (one channel keeps order per key). */
  public int publisherChannels() {
    return publisherChannels;
  }

  /** Unacknowledged deliveries per consumer channel (basic.qos); default 250. */
  public int prefetch() {
    return prefetch;
  }

  /** Consumer channels per subscriber, each handling one delivery at a time; default 1 (keeps order per key). */
  public int consumerConcurrency() {
    return consumerConcurrency;
  }

  /** What a subscriber does when its handler throws; default {@code requeue(1 s)}. */
  public ConsumerFailurePolicy failurePolicy() {
    return failurePolicy;
  }

  /** Where the adapter's meters go; a private {@link SimpleMeterRegistry} unless one was set. */
  public MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  /** The executor for publishing and for handler calls, or null for the adapter's own (closed with it). */
  public @Nullable ExecutorService executor() {
    return executor;
  }

  /** The scheduler for confirm timeouts, requeue delays and retries, or null for the adapter's own. */
  public @Nullable ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /**
   * A new connection factory with these settings: URI, automatic recovery (connection, channels, consumers, qos)
   * every {@link #recoveryInterval()}, timeouts and heartbeat, then the customizer.
   */
  public ConnectionFactory newConnectionFactory() {
    ConnectionFactory factory = new ConnectionFactory();
    if (uri != null) {
      applyUri(factory, uri);
    }
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(recoveryInterval.toMillis());
    factory.setConnectionTimeout(Math.toIntExact(connectionTimeout.toMillis()));
    factory.setHandshakeTimeout(Math.toIntExact(connectionTimeout.toMillis()));
    factory.setRequestedHeartbeat(Math.toIntExact(heartbeat.toSeconds()));
    connectionFactoryCustomizer.accept(factory);
    return factory;
  }

  /** The addresses to connect to: {@link #addresses()}, else the factory's host and port. */
  public List<Address> effectiveAddresses(ConnectionFactory factory) {
    return addresses.isEmpty() ? List.of(new Address(factory.getHost(), factory.getPort())) : addresses;
  }

  @Override
  public String toString() {
    // Never the URI: it may hold a password.
    return "RabbitMqConfig[name=" + name + ", uri=" + (uri == null ? "none" : "(set, not shown)")
        + ", addresses=" + addresses + ", confirmTimeout=" + confirmTimeout + ", recoveryInterval="
        + recoveryInterval + ", connectionTimeout=" + connectionTimeout + ", heartbeat=" + heartbeat
        + ", drainTimeout=" + drainTimeout + ", publisherChannels=" + publisherChannels + ", prefetch=" + prefetch
        + ", consumerConcurrency=" + consumerConcurrency + ", failurePolicy=" + failurePolicy + "]";
  }

  private static void applyUri(ConnectionFactory factory, String uri) {
    try {
      factory.setUri(uri);
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      // Neither the URI nor the cause's message: both may hold the password.
      throw new IllegalArgumentException(
          "uri must be amqp://user:password@host:port/vhost or amqps://..., it was not ("
              + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Collects the settings of a {@link RabbitMqConfig}; each setter checks its argument and names it in the
   * exception. Not thread-safe.
   */
  public static final class Builder {
    private String name = "default";
    private @Nullable String uri;
    private List<Address> addresses = List.of();
    private Consumer<ConnectionFactory> connectionFactoryCustomizer = factory -> {};
    private Duration confirmTimeout = Duration.ofSeconds(10);
    private Duration recoveryInterval = Duration.ofSeconds(1);
    private Duration connectionTimeout = Duration.ofSeconds(5);
    private Duration heartbeat = Duration.ofSeconds(10);
    private Duration drainTimeout = Duration.ofSeconds(10);
    private int publisherChannels = 1;
    private int prefetch = 250;
    private int consumerConcurrency = 1;
    private ConsumerFailurePolicy failurePolicy = ConsumerFailurePolicy.requeue(Duration.ofSeconds(1));
    private @Nullable MeterRegistry meterRegistry;
    private @Nullable ExecutorService executor;
    private @Nullable ScheduledExecutorService scheduler;

    private Builder() {}

    private Builder(RabbitMqConfig config) {
      name = config.name;
      uri = config.uri;
      addresses = config.addresses;
      connectionFactoryCustomizer = config.connectionFactoryCustomizer;
      confirmTimeout = config.confirmTimeout;
      recoveryInterval = config.recoveryInterval;
      connectionTimeout = config.connectionTimeout;
      heartbeat = config.heartbeat;
      drainTimeout = config.drainTimeout;
      publisherChannels = config.publisherChannels;
      prefetch = config.prefetch;
      consumerConcurrency = config.consumerConcurrency;
      failurePolicy = config.failurePolicy;
      meterRegistry = config.meterRegistry;
      executor = config.executor;
      scheduler = config.scheduler;
    }

    /**
     * The adapter's name (meter tag, connection names); default {@code "default"}.
     *
     * @throws IllegalArgumentException when blank
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * The broker: {@code amqp://user:password@host:port/vhost} (or {@code amqps://}); default {@code
     * amqp://guest:guest@localhost:5672/%2F} (virtual host {@code /}; note that a bare trailing slash means the
     * empty virtual host). {@link #addresses} replaces its host and port.
     *
     * @throws IllegalArgumentException when it is not an AMQP URI (the message does not repeat it)
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      applyUri(new ConnectionFactory(), uri);
      this.uri = uri;
      return this;
    }

    /**
     * Several broker nodes ({@code host:port} or {@code host}), for failover: connecting and recovering try them in
     * turn. Replaces the URI's host and port; credentials and virtual host still come from the URI.
     *
     * @throws IllegalArgumentException naming the address when one is blank or its port is not in 1..65535
     */
    public Builder addresses(List<String> addresses) {
      Objects.requireNonNull(addresses, "addresses");
      List<Address> parsed = new ArrayList<>();
      for (int i = 0; i < addresses.size(); i++) {
        String address = Objects.requireNonNull(addresses.get(i), "addresses[" + i + "]");
        Address candidate;
        try {
          candidate = Address.parseAddress(address.strip());
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("addresses[" + i + "] must be host:port, was '" + address + "'");
        }
        int port = candidate.getPort();
        if (address.isBlank() || candidate.getHost().isBlank() || (port != -1 && (port < 1 || port > 65535))) {
          throw new IllegalArgumentException("addresses[" + i + "] must be host:port, was '" + address + "'");
        }
        parsed.add(port == -1 ? new Address(candidate.getHost(), ConnectionFactory.DEFAULT_AMQP_PORT) : candidate);
      }
      this.addresses = List.copyOf(parsed);
      return this;
    }

    /** Called last on every connection factory the adapter makes (TLS, OAuth2, client properties, ...). */
    public Builder connectionFactoryCustomizer(Consumer<ConnectionFactory> customizer) {
      this.connectionFactoryCustomizer = Objects.requireNonNull(customizer, "connectionFactoryCustomizer");
      return this;
    }

    /**
     * See {@link RabbitMqConfig#confirmTimeout()}.
     *
     * @throws IllegalArgumentException when not in (0, 1 h]
     */
    public Builder confirmTimeout(Duration timeout) {
      this.confirmTimeout = positive("confirmTimeout", timeout);
      return this;
    }

    /**
     * See {@link RabbitMqConfig#recoveryInterval()}.
     *
     * @throws IllegalArgumentException when not in (0, 1 h]
     */
    public Builder recoveryInterval(Duration interval) {
      this.recoveryInterval = positive("recoveryInterval", interval);
      return this;
    }

    /**
     * See {@link RabbitMqConfig#connectionTimeout()}.
     *
     * @throws IllegalArgumentException when not in (0, 1 h]
     */
    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = positive("connectionTimeout", timeout);
      return this;
    }

    /**
     * See {@link RabbitMqConfig#heartbeat()}; whole seconds, at least one.
     *
     * @throws IllegalArgumentException when under a second or over an hour
     */
    public Builder heartbeat(Duration heartbeat) {
      positive("heartbeat", heartbeat);
      if (heartbeat.toSeconds() < 1) {
        throw new IllegalArgumentException("heartbeat must be >= 1 s, was " + heartbeat);
      }
      this.heartbeat = heartbeat;
      return this;
    }

    /**
     * See {@link RabbitMqConfig#drainTimeout()}; {@link Duration#ZERO} to not wait.
     *
     * @throws IllegalArgumentException when negative or over an hour
     */
    public Builder drainTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "drainTimeout");
      if (timeout.isNegative() || timeout.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException("drainTimeout must be in 0..PT1H, was " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /**
     * See {@link RabbitMqConfig#publisherChannels()}.
     *
     * @throws IllegalArgumentException when not in 1..64
     */
    public Builder publisherChannels(int channels) {
      this.publisherChannels = inRange("publisherChannels", channels, 1, MAX_CHANNELS);
      return this;
    }

    /**
     * See {@link RabbitMqConfig#prefetch()}.
     *
     * @throws IllegalArgumentException when not in 1..65535
     */
    public Builder prefetch(int prefetch) {
      this.prefetch = inRange("prefetch", prefetch, 1, 65535);
      return this;
    }

    /**
     * See {@link RabbitMqConfig#consumerConcurrency()}.
     *
     * @throws IllegalArgumentException when not in 1..64
     */
    public Builder consumerConcurrency(int channels) {
      this.consumerConcurrency = inRange("consumerConcurrency", channels, 1, MAX_CHANNELS);
      return this;
    }

    /** See {@link RabbitMqConfig#failurePolicy()}. */
    public Builder failurePolicy(ConsumerFailurePolicy policy) {
      this.failurePolicy = Objects.requireNonNull(policy, "failurePolicy");
      return this;
    }

    /** See {@link RabbitMqConfig#meterRegistry()}. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /**
     * The executor for publishing batches and calling handlers; the caller keeps ownership (the adapter does not
     * shut it down). Handlers block it while they run, so size it for the consumers' concurrency.
     */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** The scheduler for timeouts, delays and retries; the caller keeps ownership. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The settings; the builder is not changed and can build again. */
    public RabbitMqConfig build() {
      return new RabbitMqConfig(this);
    }

    private static Duration positive(String setting, Duration value) {
      Objects.requireNonNull(value, setting);
      if (value.isNegative() || value.isZero() || value.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(setting + " must be in (0, PT1H], was " + value);
      }
      return value;
    }

    private static int inRange(String setting, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(setting + " must be in " + min + ".." + max + ", was " + value);
      }
      return value;
    }
  }
}
