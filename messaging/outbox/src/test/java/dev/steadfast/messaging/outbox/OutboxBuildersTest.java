package dev.steadfast.messaging.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboxBuildersTest {

  /** Never connected to: these tests stop at validation. */
  private static final DataSource NO_DATABASE = new DataSource() {
    @Override
    public Connection getConnection() throws SQLException {
      throw new SQLException("no database in this test");
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLException("no database in this test");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  };

  @ParameterizedTest
  @ValueSource(strings = {"", "1outbox", "outbox; DROP TABLE users", "out box", "a.b.c", "outbox\"", "\u00e9vents",
      "a_table_name_that_is_far_too_long_for_an_index_name_x"})
  void tableNamesThatAreNotPlainIdentifiersAreRefusedWithTheValue(String table) {
    assertThatThrownBy(() -> Outbox.builder(NO_DATABASE).table(table))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("table must be an SQL identifier")
        .hasMessageContaining("'" + table + "'");
    assertThatThrownBy(() -> Inbox.builder(NO_DATABASE).table(table)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void schemaQualifiedTableNamesAreAccepted() {
    Outbox.builder(NO_DATABASE).table("app.outbox");
    Outbox.builder(NO_DATABASE).table("_outbox_2");
  }

  @Test
  void withoutADialectBuildNeedsTheDatabaseAndSaysSo() {
    assertThatThrownBy(() -> Outbox.builder(NO_DATABASE).build()).isInstanceOf(SQLException.class)
        .hasMessageContaining("no database");
  }

  @Test
  void relaySettingsAreValidatedByName() throws SQLException {
    Outbox outbox = Outbox.builder(NO_DATABASE).dialect(OutboxDialects.h2()).build();
    OutboxRelay.Builder relay = OutboxRelay.builder(outbox, messages -> CompletableFuture.completedFuture(List.of()));
    assertThatThrownBy(() -> relay.batchSize(0)).hasMessage("batchSize must be between 1 and 10000, was 0");
    assertThatThrownBy(() -> relay.concurrency(65)).hasMessage("concurrency must be between 1 and 64, was 65");
    assertThatThrownBy(() -> relay.maxAttempts(0)).hasMessage("maxAttempts must be >= 1, was 0");
    assertThatThrownBy(() -> relay.lease(Duration.ZERO)).hasMessage("lease must be positive, was PT0S");
    assertThatThrownBy(() -> relay.pollInterval(Duration.ofMillis(-1))).hasMessage("pollInterval must be positive, was PT-0.001S");
    assertThatThrownBy(() -> relay.name(" ")).hasMessage("name must not be blank, was ' '");
    relay.lease(Duration.ofSeconds(5)).publishTimeout(Duration.ofSeconds(5));
    assertThatThrownBy(relay::build).isInstanceOf(IllegalStateException.class)
        .hasMessage("lease must be longer than publishTimeout, was lease=PT5S, publishTimeout=PT5S");
  }

  @Test
  void inboxSettingsAreValidatedByName() throws SQLException {
    assertThatThrownBy(() -> Inbox.builder(NO_DATABASE).retention(Duration.ofSeconds(59)))
        .hasMessage("retention must be at least 1 minute, was PT59S");
    Inbox.Builder builder = Inbox.builder(NO_DATABASE).dialect(OutboxDialects.h2()).retention(Duration.ofMinutes(5))
        .recentlyProcessedCache(10, Duration.ofMinutes(6));
    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
        .hasMessage("recentlyProcessedCache ttl must not exceed retention, was ttl=PT6M, retention=PT5M");
    Inbox inbox = builder.recentlyProcessedCache(10, Duration.ofMinutes(1)).build();
    assertThatThrownBy(() -> inbox.handler(" ", (connection, message) -> {}))
        .hasMessage("consumer must be non-blank and at most 200 characters, was ' '");
  }

  @Test
  void aDestinationOrKeyTooLongForTheTableIsRefusedBeforeTheDatabaseIsTouched() throws SQLException {
    Outbox outbox = Outbox.builder(NO_DATABASE).dialect(OutboxDialects.h2()).build();
    OutboxMessage longKey = OutboxMessage.of("orders", "k".repeat(501), new byte[0]);
    assertThatThrownBy(() -> outbox.enqueue(null, longKey)).isInstanceOf(NullPointerException.class);
    Connection unused = (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          throw new AssertionError("the database must not be touched");
        });
    assertThatThrownBy(() -> outbox.enqueue(unused, longKey)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("key must be at most 500 characters, was 501");
    OutboxMessage longDestination = OutboxMessage.of("d".repeat(1001), new byte[0]);
    assertThatThrownBy(() -> outbox.enqueue(unused, longDestination)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("destination must be at most 1000 characters, was 1001");
  }

  @Test
  void builtMessagesGetTimeOrderedVersion7Ids() {
    OutboxMessage first = OutboxMessage.builder("orders").payload("a").build();
    OutboxMessage second = OutboxMessage.of("orders", "a".getBytes());
    assertThat(first.id().version()).isEqualTo(7);
    assertThat(second.id().version()).isEqualTo(7);
    assertThat(first.id().getMostSignificantBits()).isLessThan(second.id().getMostSignificantBits());
  }
}
