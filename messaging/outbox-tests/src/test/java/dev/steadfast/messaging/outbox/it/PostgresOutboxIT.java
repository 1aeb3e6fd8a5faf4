package dev.steadfast.messaging.outbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The outbox contract on PostgreSQL (the real server, or the testkit's embedded one). */
class PostgresOutboxIT extends OutboxContract {

  @RegisterExtension static final PostgresExtension POSTGRES = PostgresExtension.create();

  private static HikariDataSource pool;

  @BeforeAll
  static void open() {
    pool = Pools.open(POSTGRES.jdbcUrl(), POSTGRES.user(), POSTGRES.password());
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Override
  DataSource dataSource() {
    return pool;
  }

  /** PostgreSQL leases in batches: the leased rows are those listed in the lease table, none on the rows. */
  @Override
  int leasedRows() throws SQLException {
    assertThat(rows("lease_token IS NOT NULL")).isZero();
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(
            "SELECT COALESCE(SUM(cardinality(seqs)), 0) FROM " + table + "_lease")) {
      result.next();
      return result.getInt(1);
    }
  }
}
