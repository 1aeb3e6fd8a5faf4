package dev.steadfast.messaging.outbox.it;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The outbox contract on an in-memory H2 database. */
class H2OutboxTest extends OutboxContract {

  private static HikariDataSource pool;

  @BeforeAll
  static void open() {
    pool = new HikariDataSource();
    pool.setJdbcUrl("jdbc:h2:mem:outbox;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
    pool.setMaximumPoolSize(10);
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Override
  DataSource dataSource() {
    return pool;
  }

  @Override
  int messagesForTwoRelays() {
    return 5_000;
  }
}
