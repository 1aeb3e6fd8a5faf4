package dev.steadfast.messaging.outbox;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.steadfast.messaging.outbox.internal.Identifiers;
import dev.steadfast.messaging.outbox.spi.Delivery;
import dev.steadfast.messaging.outbox.spi.MessageHandler;
import dev.steadfast.messaging.outbox.spi.OutboxDialect;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Thread-safe idempotent inbox: makes a consumer's effects happen once per message although delivery is at least
 * once. It records each processed message id in the same transaction as the consumer's effects, so a
 * redelivered message (same id) finds its record and is skipped, and a transaction that fails records nothing.
 *
 * <pre>{@code
 * Inbox inbox = Inbox.builder(dataSource).build();
 * inbox.createSchemaIfMissing();
 * subscriber.start(inbox.handler("billing", (connection, message) -> chargeFor(connection, message)));
 * }</pre>
 *
 * <p>Records older than the retention are deleted by {@link #deleteExpired()}; keep the retention longer than the
 * longest time a message can be redelivered after (broker redelivery, an outbox replay of a parked message). A
 * small in-memory cache of recently processed ids answers most duplicates without a database round trip.
 *
 * @since 0.1.0
 */
public final class Inbox {

  private static final int MAX_CONSUMER = 200;

  private final DataSource dataSource;
  private final OutboxDialect dialect;
  private final String table;
  private final String insert;
  private final Clock clock;
  private final Duration retention;
  private final int cleanupBatchSize;
  private final Cache<RecentKey, Boolean> recent;
  private final MeterRegistry meterRegistry;

  private record RecentKey(String consumer, UUID messageId) {}

  /** A consumer's counters, registered once rather than looked up in the registry per message. */
  private record ConsumerMeters(Counter processed, Counter duplicates) {}

  private final ConcurrentMap<String, ConsumerMeters> meters = new ConcurrentHashMap<>();

  /** Work to do once per message, inside the caller's transaction. */
  @FunctionalInterface
  public interface Work {
    /** Applies the message's effects. */
    void run() throws Exception;
  }

  private Inbox(Builder builder, OutboxDialect dialect) {
    this.dataSource = builder.dataSource;
    this.dialect = dialect;
    this.table = builder.table;
    this.insert = dialect.insertInboxIfAbsent(table);
    this.clock = builder.clock;
    this.retention = builder.retention;
    this.cleanupBatchSize = builder.cleanupBatchSize;
    this.meterRegistry = builder.meterRegistry;
    this.recent = Caffeine.newBuilder()
        .maximumSize(builder.cacheSize)
        .expireAfterWrite(builder.cacheTtl)
        .build();
  }

  /** A builder for an inbox on {@code dataSource}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Creates the inbox table and its index if they are missing. */
  public void createSchemaIfMissing() throws SQLException {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      for (String sql : dialect.createInboxTable(table)) {
        statement.execute(sql);
      }
    }
  }

  /**
   * Runs {@code work} unless {@code consumer} already processed message {@code messageId}, recording it on
   * {@code connection}, inside the caller's transaction: commit afterwards, and the record and the work's
   * effects become durable together. A concurrent call for the same message waits on the record's lock and
   * then skips the work once the first commits (or runs it, if the first rolled back).
   *
   * @return true if the work ran, false if the message was a duplicate
   * @throws IllegalArgumentException naming the value if {@code consumer} is blank or longer than 200 characters
   * @throws Exception what the work or the database threw; roll the transaction back then
   */
  public boolean process(Connection connection, String consumer, UUID messageId, Work work) throws Exception {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(work, "work");
    requireConsumer(consumer);
    if (!record(connection, consumer, messageId)) {
      metersOf(consumer).duplicates().increment();
      return false;
    }
    work.run();
    metersOf(consumer).processed().increment();
    return true;
  }

  private boolean record(Connection connection, String consumer, UUID messageId) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(insert)) {
      statement.setString(1, consumer);
      dialect.setId(statement, 2, messageId);
      statement.setLong(3, clock.millis());
      return statement.executeUpdate() == 1;
    } catch (SQLException e) {
      if (isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  private static boolean isUniqueViolation(SQLException e) {
    String state = e.getSQLState();
    return "23505".equals(state) || ("23000".equals(state) && e.getErrorCode() == 1062);
  }

  /**
   * A subscriber's handler that processes each delivery through this inbox, in a transaction of its own on a
   * connection from the data source: runs {@code handler} for a message {@code consumer} has not processed,
   * commits, and only then acknowledges the delivery. A duplicate is acknowledged without running the handler.
   * If the handler or the commit fails, the transaction is rolled back and the exception propagates, so the
   * subscriber rejects the delivery and the message comes again.
   *
   * @throws IllegalArgumentException naming the value if {@code consumer} is blank or longer than 200 characters
   */
  public MessageHandler handler(String consumer, InboxHandler handler) {
    requireConsumer(consumer);
    Objects.requireNonNull(handler, "handler");
    Counter duplicates = metersOf(consumer).duplicates();
    return delivery -> handle(delivery, consumer, handler, duplicates);
  }

  private void handle(Delivery delivery, String consumer, InboxHandler handler, Counter duplicates)
      throws Exception {
    OutboxMessage message = delivery.message();
    RecentKey key = new RecentKey(consumer, message.id());
    if (recent.getIfPresent(key) != null) {
      duplicates.increment();
      delivery.ack();
      return;
    }
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        process(connection, consumer, message.id(), () -> handler.handle(connection, message));
        connection.commit();
      } catch (Exception | Error e) {
        try {
          connection.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        if (autoCommit) {
          try {
            connection.setAutoCommit(true);
          } catch (SQLException ignored) {
            // A broken connection; the pool finds out when it validates it.
          }
        }
      }
    }
    recent.put(key, Boolean.TRUE);
    delivery.ack();
  }

  /**
   * Deletes records older than the retention, in batches, until none is left; returns how many. Schedule it
   * (hourly, say).
   */
  public int deleteExpired() throws SQLException {
    long before = clock.millis() - retention.toMillis();
    int total = 0;
    int deleted;
    do {
      try (Connection connection = dataSource.getConnection();
          PreparedStatement statement = connection.prepareStatement(dialect.deleteInboxBefore(table))) {
        statement.setLong(1, before);
        statement.setInt(2, cleanupBatchSize);
        deleted = statement.executeUpdate();
        if (!connection.getAutoCommit()) {
          connection.commit();
        }
      }
      total += deleted;
    } while (deleted == cleanupBatchSize);
    return total;
  }

  /** The inbox table's name. */
  public String table() {
    return table;
  }

  private ConsumerMeters metersOf(String consumer) {
    return meters.computeIfAbsent(consumer, name -> new ConsumerMeters(
        counter("steadfast.inbox.processed", name), counter("steadfast.inbox.duplicates", name)));
  }

  private Counter counter(String name, String consumer) {
    return Counter.builder(name).tag("table", table).tag("consumer", consumer).register(meterRegistry);
  }

  private static void requireConsumer(@Nullable String consumer) {
    Objects.requireNonNull(consumer, "consumer");
    if (consumer.isBlank() || consumer.length() > MAX_CONSUMER) {
      throw new IllegalArgumentException(
          "consumer must be non-blank and at most " + MAX_CONSUMER + " characters, was '" + consumer + "'");
    }
  }

  /**
   * Builds an {@link Inbox}. Not thread-safe; {@link #build()} copies the settings.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final DataSource dataSource;
    private String table = "steadfast_inbox";
    private @Nullable OutboxDialect dialect;
    private Clock clock = Clock.systemUTC();
    private Duration retention = Duration.ofDays(7);
    private int cleanupBatchSize = 1000;
    private long cacheSize = 100_000;
    private Duration cacheTtl = Duration.ofMinutes(10);
    private MeterRegistry meterRegistry = new CompositeMeterRegistry();

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The table, default {@code steadfast_inbox}; a plain identifier, optionally {@code schema.table}. */
    public Builder table(String table) {
      this.table = Identifiers.requireTableName("table", Objects.requireNonNull(table, "table"));
      return this;
    }

    /** The database dialect; default: detected when {@link #build()} runs. */
    public Builder dialect(OutboxDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /** The wall clock for records and retention; default the system's UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long records are kept, at least one minute; default 7 days. */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new IllegalArgumentException("retention must be at least 1 minute, was " + retention);
      }
      this.retention = retention;
      return this;
    }

    /** Records deleted per cleanup statement, 1 to 100,000; default 1000. */
    public Builder cleanupBatchSize(int cleanupBatchSize) {
      if (cleanupBatchSize < 1 || cleanupBatchSize > 100_000) {
        throw new IllegalArgumentException("cleanupBatchSize must be between 1 and 100000, was " + cleanupBatchSize);
      }
      this.cleanupBatchSize = cleanupBatchSize;
      return this;
    }

    /**
     * How many recently processed ids {@link #handler} remembers in memory (0 turns the cache off), and for how
     * long (at most the retention); default 100,000 for 10 minutes.
     */
    public Builder recentlyProcessedCache(long size, Duration ttl) {
      if (size < 0) {
        throw new IllegalArgumentException("recentlyProcessedCache size must be >= 0, was " + size);
      }
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("recentlyProcessedCache ttl must be positive, was " + ttl);
      }
      this.cacheSize = size;
      this.cacheTtl = ttl;
      return this;
    }

    /** Where the inbox registers its meters; default none. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Builds the inbox; detects the dialect first if none was set.
     *
     * @throws IllegalStateException if the cache lives longer than the retention
     * @throws SQLException if the dialect must be detected and the database cannot be reached
     */
    public Inbox build() throws SQLException {
      if (cacheTtl.compareTo(retention) > 0) {
        throw new IllegalStateException("recentlyProcessedCache ttl must not exceed retention, was ttl=" + cacheTtl
            + ", retention=" + retention);
      }
      OutboxDialect chosen = dialect != null ? dialect : OutboxDialects.detect(dataSource);
      return new Inbox(this, chosen);
    }
  }
}
