package dev.steadfast.messaging.outbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.core.Pipeline;
import dev.steadfast.messaging.outbox.Inbox;
import dev.steadfast.messaging.outbox.JsonMessages;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.ParkedMessage;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.testkit.messaging.InMemoryBroker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The code of docs/outbox.md, run end to end on H2 with the testkit's in-memory broker. */
class OutboxGuideTest {

  record OrderPlaced(String orderId, String customerId) {}

  private static HikariDataSource pool;

  @BeforeAll
  static void open() throws SQLException {
    pool = new HikariDataSource();
    pool.setJdbcUrl("jdbc:h2:mem:guide;DB_CLOSE_DELAY=-1");
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE orders (id VARCHAR(36) PRIMARY KEY, customer VARCHAR(36))");
      statement.execute("CREATE TABLE invoices (order_id VARCHAR(36) PRIMARY KEY)");
    }
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  static void placeOrder(DataSource dataSource, Outbox outbox, JsonMessages json, String orderId, String customerId)
      throws SQLException {
    // tag::enqueue[]
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO orders VALUES (?, ?)")) {
        insert.setString(1, orderId);
        insert.setString(2, customerId);
        insert.executeUpdate();
      }
      // Same connection, same transaction: the message exists if and only if the order does.
      outbox.enqueue(connection, json.message("orders", customerId, new OrderPlaced(orderId, customerId)));
      connection.commit();
    }
    // end::enqueue[]
  }

  @Test
  void anOrderTravelsFromTheOutboxThroughTheBrokerIntoTheInboxOnce() throws Exception {
    DataSource dataSource = pool;
    InMemoryBroker broker = InMemoryBroker.builder().seed(7).build();
    broker.duplicateDeliveries(1.0); // every message delivered twice: the inbox must make it count once
    // tag::setup[]
    Outbox outbox = Outbox.builder(dataSource).build(); // dialect detected: PostgreSQL, MariaDB/MySQL or H2
    outbox.createSchemaIfMissing();
    JsonMessages json = new JsonMessages(new ObjectMapper());

    OutboxRelay relay = OutboxRelay.builder(outbox, broker.publisher())
        .pipeline(Pipeline.builder("outbox-relay") // stop hammering a broker that is down
            .circuitBreaker(CircuitBreaker.ofDefaults("outbox-relay"))
            .build())
        .build();
    relay.start();
    // end::setup[]

    // tag::inbox[]
    Inbox inbox = Inbox.builder(dataSource).build();
    inbox.createSchemaIfMissing();
    MessageSubscriber subscriber = broker.subscriber("orders");
    subscriber.start(inbox.handler("billing", (connection, message) -> {
      OrderPlaced order = json.read(message, OrderPlaced.class);
      try (PreparedStatement invoice = connection.prepareStatement("INSERT INTO invoices VALUES (?)")) {
        invoice.setString(1, order.orderId()); // a duplicate delivery never gets here
        invoice.executeUpdate();
      }
    }));
    // end::inbox[]

    placeOrder(dataSource, outbox, json, "order-1", "customer-1");
    placeOrder(dataSource, outbox, json, "order-2", "customer-1");
    await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT COUNT(*) FROM invoices") == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.acknowledged().size() >= 4);
    assertThat(count("SELECT COUNT(*) FROM invoices")).isEqualTo(2);

    // tag::parked[]
    for (ParkedMessage parked : outbox.parked(100)) {
      System.out.printf("%s to %s failed %d times: %s%n",
          parked.id(), parked.destination(), parked.attempts(), parked.lastError());
      outbox.replay(parked.id()); // or outbox.discard(parked.id())
    }
    // end::parked[]

    subscriber.close();
    relay.close();
    broker.close();
  }

  @Test
  void aRolledBackOrderSendsNothing() throws Exception {
    Outbox outbox = Outbox.builder(pool).table("rollback_outbox").build();
    outbox.createSchemaIfMissing();
    try (Connection connection = pool.getConnection()) {
      connection.setAutoCommit(false);
      outbox.enqueue(connection, OutboxMessage.of("orders", new byte[] {1}));
      connection.rollback();
    }
    assertThat(count("SELECT COUNT(*) FROM rollback_outbox")).isZero();
  }

  private static int count(String sql) throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getInt(1);
    }
  }
}
