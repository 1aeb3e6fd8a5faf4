package dev.steadfast.messaging.outbox;

import dev.steadfast.messaging.outbox.internal.Identifiers;
import dev.steadfast.messaging.outbox.internal.OutboxStore;
import dev.steadfast.messaging.outbox.internal.RelaySignal;
import dev.steadfast.messaging.outbox.spi.OutboxDialect;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Thread-safe transactional outbox on one table: {@link #enqueue(Connection, OutboxMessage)} writes a message in
 * the caller's own transaction, and an {@link OutboxRelay} publishes committed messages to a broker afterwards,
 * at least once. A transaction that rolls back takes its messages with it: they are never sent.
 *
 * <pre>{@code
 * Outbox outbox = Outbox.builder(dataSource).build();
 * outbox.createSchemaIfMissing();
 * try (Connection connection = dataSource.getConnection()) {
 *   connection.setAutoCommit(false);
 *   insertOrder(connection, order);
 *   outbox.enqueue(connection, OutboxMessage.builder("orders").key(order.customerId()).payload(json).build());
 *   connection.commit();
 * }
 * }</pre>
 *
 * <p>The data source is used for the outbox's own work (the relay's claims, parked-message administration);
 * enqueue uses only the connection it is given, so it works under plain JDBC, Spring's transaction management,
 * jOOQ or JPA (hand it the transaction's connection).
 *
 * @since 0.1.0
 */
public final class Outbox {

  /** The header that carries the W3C trace context. */
  public static final String TRACEPARENT = "traceparent";

  private static final Pattern TRACEPARENT_FORMAT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final int MAX_DESTINATION = 1000;
  private static final int MAX_KEY = 500;

  private final DataSource dataSource;
  private final OutboxStore store;
  private final Clock clock;
  private final Supplier<@Nullable String> traceparent;
  private final MeterRegistry meterRegistry;
  private final boolean notifications;
  private final String channel;
  private final Duration retention;
  private final RelaySignal signal = new RelaySignal();
  private final Counter enqueued;

  private Outbox(Builder builder, OutboxDialect dialect) {
    this.dataSource = builder.dataSource;
    this.clock = builder.clock;
    this.traceparent = builder.traceparent;
    this.meterRegistry = builder.meterRegistry;
    this.notifications = builder.notifications && dialect.notifyOnCommit() != null;
    this.store = new OutboxStore(dataSource, dialect, builder.table, !builder.retention.isZero());
    this.retention = builder.retention;
    this.channel = "steadfast_" + builder.table.replace('.', '_').toLowerCase(Locale.ROOT);
    this.enqueued = Counter.builder("steadfast.outbox.enqueued")
        .description("Messages written to the outbox (counted when enqueued, also if the transaction rolls back)")
        .tag("table", builder.table)
        .register(meterRegistry);
  }

  /**
   * A builder for an outbox on {@code dataSource}.
   *
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Creates the outbox table and its indexes if they are missing. The same statements are in the jar as
   * {@code dev/steadfast/messaging/outbox/schema/<dialect>.sql} for migration tools.
   */
  public void createSchemaIfMissing() throws SQLException {
    store.createSchema();
  }

  /**
   * Writes {@code message} to the outbox on {@code connection}, as part of the transaction in progress there;
   * the relay publishes it once that transaction commits. Adds the current {@code traceparent} header, when the
   * builder was given a source for it and the message has none.
   *
   * @throws IllegalArgumentException naming the field if the destination is longer than 1000 characters or the
   *     key longer than 500
   * @throws SQLException as the database reports it; the caller's transaction decides what happens next
   */
  public void enqueue(Connection connection, OutboxMessage message) throws SQLException {
    enqueue(connection, List.of(message));
  }

  /**
   * Writes {@code messages} in one batch, in their order; see {@link #enqueue(Connection, OutboxMessage)}. Messages
   * with the same key are published in this order.
   */
  public void enqueue(Connection connection, List<OutboxMessage> messages) throws SQLException {
    Objects.requireNonNull(connection, "connection");
    if (messages.isEmpty()) {
      return;
    }
    List<OutboxMessage> prepared = new ArrayList<>(messages.size());
    for (OutboxMessage message : messages) {
      prepared.add(prepare(message));
    }
    store.insert(connection, prepared, clock.millis());
    String notify = store.dialect().notifyOnCommit();
    if (notifications && notify != null) {
      // Delivered by PostgreSQL only when (and if) the transaction commits: a relay wakes for committed work.
      try (PreparedStatement statement = connection.prepareStatement(notify)) {
        statement.setString(1, channel);
        statement.execute();
      }
    } else {
      signal.signal();
    }
    enqueued.increment(prepared.size());
  }

  private OutboxMessage prepare(OutboxMessage message) {
    if (message.destination().length() > MAX_DESTINATION) {
      throw new IllegalArgumentException("destination must be at most " + MAX_DESTINATION + " characters, was "
          + message.destination().length() + " ('" + message.destination().substring(0, 40) + "...')");
    }
    String key = message.key();
    if (key != null && key.length() > MAX_KEY) {
      throw new IllegalArgumentException("key must be at most " + MAX_KEY + " characters, was " + key.length()
          + " ('" + key.substring(0, 40) + "...')");
    }
    if (message.headers().containsKey(TRACEPARENT)) {
      return message;
    }
    String trace = traceparent.get();
    if (trace == null || !TRACEPARENT_FORMAT.matcher(trace).matches()) {
      return message;
    }
    Map<String, String> headers = new LinkedHashMap<>(message.headers());
    headers.put(TRACEPARENT, trace);
    return new OutboxMessage(message.id(), message.destination(), key, message.payload(), headers);
  }

  /**
   * Up to {@code limit} parked messages, oldest first.
   *
   * @throws IllegalArgumentException if {@code limit} is not positive
   */
  public List<ParkedMessage> parked(int limit) throws SQLException {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    return store.parked(limit);
  }

  /**
   * Makes parked message {@code id} pending again, with its attempts counted from zero; the relay publishes it
   * (before later messages of its key). Returns false if no parked message has that id.
   */
  public boolean replay(UUID id) throws SQLException {
    boolean replayed = store.replay(id, clock.millis());
    signal.signal();
    return replayed;
  }

  /** Replays every parked message; returns how many. */
  public int replayAllParked() throws SQLException {
    int replayed = store.replayAll(clock.millis());
    signal.signal();
    return replayed;
  }

  /** Deletes parked message {@code id} for good; returns false if no parked message has that id. */
  public boolean discard(UUID id) throws SQLException {
    return store.discard(id);
  }

  /**
   * Tells this JVM's relays that messages were committed, so they look at once rather than at their next poll.
   * Enqueue already does this (on PostgreSQL through NOTIFY after the commit; elsewhere when the message is
   * written, after which relays look again shortly); call it from an after-commit hook for the lowest latency
   * on databases without notifications.
   */
  public void wakeRelay() {
    signal.signal();
  }

  /** The outbox table's name. */
  public String table() {
    return store.table();
  }

  /** The dialect in use. */
  public OutboxDialect dialect() {
    return store.dialect();
  }

  // For OutboxRelay, in this package.
  DataSource dataSource() {
    return dataSource;
  }

  OutboxStore store() {
    return store;
  }

  Clock clock() {
    return clock;
  }

  RelaySignal signal() {
    return signal;
  }

  MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  boolean notifications() {
    return notifications;
  }

  String channel() {
    return channel;
  }

  Duration retention() {
    return retention;
  }

  /**
   * Builds an {@link Outbox}. Not thread-safe; {@link #build()} copies the settings, so the builder can be changed
   * and built again.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final DataSource dataSource;
    private String table = "steadfast_outbox";
    private @Nullable OutboxDialect dialect;
    private Clock clock = Clock.systemUTC();
    private Supplier<@Nullable String> traceparent = () -> null;
    private MeterRegistry meterRegistry = new CompositeMeterRegistry();
    private boolean notifications = true;
    private Duration retention = Duration.ZERO;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * The table, default {@code steadfast_outbox}; a plain identifier, optionally {@code schema.table}.
     *
     * @throws IllegalArgumentException naming the setting and value if it is not a plain identifier
     */
    public Builder table(String table) {
      this.table = Identifiers.requireTableName("table", Objects.requireNonNull(table, "table"));
      return this;
    }

    /** The database dialect; default: detected from the data source when {@link #build()} runs. */
    public Builder dialect(OutboxDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /** The wall clock for timestamps, leases and backoff; default the system's UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where enqueue finds the current W3C {@code traceparent}, or null when there is none; default: none. With
     * OpenTelemetry, hand in a supplier that formats {@code Span.current().getSpanContext()}. A value that is not
     * a well-formed traceparent is ignored.
     */
    public Builder traceparent(Supplier<@Nullable String> traceparent) {
      this.traceparent = Objects.requireNonNull(traceparent, "traceparent");
      return this;
    }

    /** Where the outbox and its relays register meters; default none. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Whether enqueue notifies relays through the database (PostgreSQL NOTIFY, delivered at commit) so that relays
     * in other processes wake at once; default true where the dialect supports it. Costs one statement per
     * enqueue.
     */
    public Builder notifications(boolean notifications) {
      this.notifications = notifications;
      return this;
    }

    /**
     * How long sent rows stay in the table before cleanup deletes them; default zero: a row is deleted as soon
     * as the broker confirms it.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative()) {
        throw new IllegalArgumentException("retention must not be negative, was " + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * Builds the outbox; detects the dialect first if none was set.
     *
     * @throws SQLException if the dialect must be detected and the database cannot be reached
     */
    public Outbox build() throws SQLException {
      OutboxDialect chosen = dialect != null ? dialect : OutboxDialects.detect(dataSource);
      return new Outbox(this, chosen);
    }
  }
}
