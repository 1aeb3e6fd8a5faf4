package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

class PostgresExtensionIT {

  @RegisterExtension static final PostgresExtension POSTGRES = PostgresExtension.create();

  private static int tablesAtStart = -1;

  @BeforeAll
  static void countTables() throws SQLException {
    tablesAtStart = queryInt("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
  }

  @Test
  void connectsToADatabaseOfItsOwn() throws SQLException {
    try (Connection connection = POSTGRES.openConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT current_database()")) {
      result.next();
      assertThat(result.getString(1))
          .isEqualTo(POSTGRES.databaseName())
          .matches("steadfast_postgresextensionit_[0-9a-f]{8}");
    }
    assertThat(POSTGRES.jdbcUrl()).endsWith("/" + POSTGRES.databaseName());
  }

  @Test
  void theDatabaseStartsEmptyAndTakesTables() throws SQLException {
    assertThat(tablesAtStart).isZero();
    try (Connection connection = POSTGRES.openConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE outbox (id bigint PRIMARY KEY, body text)");
      statement.execute("INSERT INTO outbox VALUES (1, 'hello')");
    }
    assertThat(queryInt("SELECT count(*) FROM outbox")).isEqualTo(1);
  }

  @Test
  void usesTheRealServerUnlessNothingAnswersAtTheProbe() {
    assertThat(POSTGRES.isEmbedded()).isEqualTo(Fallbacks.expected());
    if (Fallbacks.expected()) {
      assertThat(POSTGRES.serverDescription())
          .startsWith("embedded server at 127.0.0.1:")
          .contains("nothing answered at 127.0.0.1:1");
    } else {
      assertThat(POSTGRES.serverDescription()).startsWith("real server at " + PostgresExtension.DEFAULT_PROBE);
    }
  }

  @Test
  void dropsTheDatabaseAfterTheClassEvenWithSessionsLeftOpen() throws SQLException {
    EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(LeavesASessionOpen.class))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.started(2).succeeded(2));

    assertThat(LeavesASessionOpen.database).startsWith("steadfast_leavesasessionopen_");
    assertThat(LeavesASessionOpen.nestedDatabase).isEqualTo(LeavesASessionOpen.database);
    try (Connection connection = POSTGRES.openConnection();
        PreparedStatement statement =
            connection.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
      statement.setString(1, LeavesASessionOpen.database);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        assertThat(result.getInt(1)).isZero();
      }
    }
  }

  @Test
  void givesTheUrlThroughAnotherAddress() {
    assertThat(POSTGRES.jdbcUrl("127.0.0.1", 15432))
        .isEqualTo("jdbc:postgresql://127.0.0.1:15432/" + POSTGRES.databaseName());
  }

  private static int queryInt(String sql) throws SQLException {
    try (Connection connection = POSTGRES.openConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getInt(1);
    }
  }

  /** Run by the test above through the JUnit engine, not by Failsafe. */
  static class LeavesASessionOpen {
    @RegisterExtension static final PostgresExtension SAMPLE = PostgresExtension.create();

    static volatile String database = "";
    static volatile String nestedDatabase = "";

    @Test
    @SuppressWarnings("resource") // left open on purpose: the drop must end it
    void leavesASessionOpen() throws SQLException {
      database = SAMPLE.databaseName();
      Connection connection = SAMPLE.openConnection();
      connection.createStatement().execute("CREATE TABLE t (id int)");
    }

    @Nested
    class NestedTests {
      @Test
      void shareTheOuterClassDatabase() {
        nestedDatabase = SAMPLE.databaseName();
      }
    }
  }
}
