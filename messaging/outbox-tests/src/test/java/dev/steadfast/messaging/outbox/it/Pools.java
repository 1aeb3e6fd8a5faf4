package dev.steadfast.messaging.outbox.it;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;

/** Connection pools for the tests, as a service would configure one. */
final class Pools {

  private Pools() {}

  static HikariDataSource open(String jdbcUrl, String user, @Nullable String password) {
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl(jdbcUrl);
    pool.setUsername(user);
    if (password != null) {
      pool.setPassword(password);
    }
    pool.setMaximumPoolSize(12);
    return pool;
  }
}
