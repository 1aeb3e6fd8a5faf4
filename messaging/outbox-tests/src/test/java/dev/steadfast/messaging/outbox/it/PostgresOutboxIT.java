package dev.steadfast.messaging.outbox.it;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.testkit.PostgresExtension;
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
}
