package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Skipped, with the reason, when no MariaDB answers (as under the embedded-fallbacks profile). */
class MariaDbExtensionIT {

  @RegisterExtension static final MariaDbExtension MARIADB = MariaDbExtension.create();

  @Test
  void connectsToADatabaseOfItsOwn() throws SQLException {
    try (Connection connection = MARIADB.openConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT DATABASE()")) {
      result.next();
      assertThat(result.getString(1))
          .isEqualTo(MARIADB.databaseName())
          .matches("steadfast_mariadbextensionit_[0-9a-f]{8}");
    }
    assertThat(MARIADB.serverDescription()).startsWith("real server at " + MariaDbExtension.DEFAULT_PROBE);
  }

  @Test
  void theDatabaseTakesTables() throws SQLException {
    try (Connection connection = MARIADB.openConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE outbox (id BIGINT PRIMARY KEY, body TEXT)");
      statement.execute("INSERT INTO outbox VALUES (1, 'hello')");
      try (ResultSet result = statement.executeQuery("SELECT body FROM outbox")) {
        result.next();
        assertThat(result.getString(1)).isEqualTo("hello");
      }
    }
  }

  @Test
  void dropsTheDatabaseAfterTheClass() throws SQLException {
    EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(Sample.class))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.started(1).succeeded(1));

    assertThat(Sample.database).startsWith("steadfast_sample_");
    try (Connection connection = MARIADB.openConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?")) {
      statement.setString(1, Sample.database);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        assertThat(result.getInt(1)).isZero();
      }
    }
  }

  /** Run by the test above through the JUnit engine, not by Failsafe. */
  static class Sample {
    @RegisterExtension static final MariaDbExtension SAMPLE = MariaDbExtension.create();

    static volatile String database = "";

    @Test
    void recordsItsDatabase() throws SQLException {
      database = SAMPLE.databaseName();
      try (Connection connection = SAMPLE.openConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE t (id INT)");
      }
    }
  }
}
