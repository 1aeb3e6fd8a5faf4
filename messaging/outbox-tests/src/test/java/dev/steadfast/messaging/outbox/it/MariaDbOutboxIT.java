package dev.steadfast.messaging.outbox.it;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.testkit.MariaDbExtension;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The outbox contract on MariaDB (skipped, with the reason, where no server runs). */
class MariaDbOutboxIT extends OutboxContract {

  @RegisterExtension static final MariaDbExtension MARIADB = MariaDbExtension.create();

  private static HikariDataSource pool;

  @BeforeAll
  static void open() {
    pool = Pools.open(MARIADB.jdbcUrl(), MARIADB.user(), MARIADB.password());
  }

  @AfterAll
  static void close() {
    if (pool != null) {
      pool.close();
    }
  }

  @Override
  DataSource dataSource() {
    return pool;
  }
}
