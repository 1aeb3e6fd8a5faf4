package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/** Each fault as a JDBC client sees it, through the proxy, against PostgreSQL. */
class TcpFaultProxyPostgresIT {

  // tag::fixture[]
  @RegisterExtension static final PostgresExtension POSTGRES = PostgresExtension.create();

  private TcpFaultProxy proxy;

  @BeforeEach
  void startProxy() {
    proxy = TcpFaultProxy.start(POSTGRES.host(), POSTGRES.port());
  }

  @AfterEach
  void stopProxy() {
    proxy.close();
  }
  // end::fixture[]

  @Test
  void latencyShowsAsADelayOnEachQueryAndGoesWhenCleared() throws SQLException {
    try (Connection connection = throughProxy(30)) {
      query(connection, "SELECT 1");
      proxy.latency(Duration.ofMillis(200), Duration.ofMillis(20));
      Duration slow = timed(() -> query(connection, "SELECT 1"));
      // one round trip, delayed on the way there and back
      assertThat(slow).isGreaterThanOrEqualTo(Duration.ofMillis(350));

      proxy.clearFaults();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> timed(() -> query(connection, "SELECT 1")).compareTo(Duration.ofMillis(200)) < 0);
    }
  }

  @Test
  void bandwidthLimitSlowsALargeResult() throws SQLException {
    try (Connection connection = throughProxy(30)) {
      proxy.bandwidthLimit(25_000);
      Duration elapsed = timed(() -> query(connection, "SELECT repeat('x', 25000)"));
      assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(800));
    }
  }

  // tag::reset[]
  @Test
  void resetOfALiveConnectionShowsAsAnSqlException() throws SQLException {
    try (Connection connection = throughProxy(30)) {
      query(connection, "SELECT 1");
      assertThat(proxy.resetConnections()).isEqualTo(1);
      assertThatThrownBy(() -> query(connection, "SELECT 1"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"))
          .hasRootCauseInstanceOf(SocketException.class);
    }
  }
  // end::reset[]

  @Test
  void resetOfNewConnectionsFailsTheConnectAttempt() throws SQLException {
    proxy.resetNewConnections(true);
    assertThatThrownBy(() -> throughProxy(30).close())
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"));
    proxy.resetNewConnections(false);
    try (Connection connection = throughProxy(30)) {
      assertThat(query(connection, "SELECT 42")).isEqualTo("42");
    }
  }

  @Test
  void blackholeWithASocketTimeoutShowsAsATimeout() throws SQLException {
    try (Connection connection = throughProxy(1)) {
      query(connection, "SELECT 1");
      proxy.blackhole(true);
      long start = System.nanoTime();
      assertThatThrownBy(() -> query(connection, "SELECT 1"))
          .isInstanceOf(SQLException.class)
          .hasRootCauseInstanceOf(SocketTimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }
    proxy.blackhole(false);
    try (Connection connection = throughProxy(30)) {
      assertThat(query(connection, "SELECT 7")).isEqualTo("7");
    }
  }

  @Test
  void closeAfterBytesCutsALargeResult() throws SQLException {
    try (Connection connection = throughProxy(30)) {
      query(connection, "SELECT 1");
      proxy.closeAfterBytes(50_000);
      assertThat(query(connection, "SELECT repeat('y', 1000)")).hasSize(1000);
      assertThatThrownBy(() -> query(connection, "SELECT repeat('x', 100000)"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 0);
  }

  private Connection throughProxy(int socketTimeoutSeconds) throws SQLException {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(POSTGRES.jdbcUrl(proxy.host(), proxy.port()));
    dataSource.setUser(POSTGRES.user());
    dataSource.setPassword(POSTGRES.password());
    dataSource.setSocketTimeout(socketTimeoutSeconds);
    dataSource.setConnectTimeout(10);
    return dataSource.getConnection();
  }

  private static String query(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  private static Duration timed(SqlAction action) throws SQLException {
    long start = System.nanoTime();
    action.run();
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
