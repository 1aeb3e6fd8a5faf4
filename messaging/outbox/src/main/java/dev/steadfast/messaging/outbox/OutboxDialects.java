package dev.steadfast.messaging.outbox;

import dev.steadfast.messaging.outbox.internal.H2Dialect;
import dev.steadfast.messaging.outbox.internal.MariaDbDialect;
import dev.steadfast.messaging.outbox.internal.PostgresDialect;
import dev.steadfast.messaging.outbox.spi.OutboxDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The databases the outbox and inbox support out of the box, and detection of which one a data source reaches.
 *
 * @since 0.1.0
 */
public final class OutboxDialects {

  private OutboxDialects() {}

  /** PostgreSQL 12 or later; relays wake up through LISTEN/NOTIFY. */
  public static OutboxDialect postgresql() {
    return new PostgresDialect();
  }

  /** MariaDB 10.6 or later, and MySQL 8 (both need {@code SKIP LOCKED}); relays poll. */
  public static OutboxDialect mariadb() {
    return new MariaDbDialect();
  }

  /** H2 2.x; relays poll. */
  public static OutboxDialect h2() {
    return new H2Dialect();
  }

  /**
   * The dialect for the database {@code dataSource} connects to, by its JDBC product name.
   *
   * @throws SQLException if no connection can be opened
   * @throws IllegalArgumentException naming the product if it is none of PostgreSQL, MariaDB, MySQL or H2
   */
  public static OutboxDialect detect(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      String product = connection.getMetaData().getDatabaseProductName();
      String name = product.toLowerCase(Locale.ROOT);
      if (name.contains("postgres")) {
        return postgresql();
      }
      if (name.contains("mariadb") || name.contains("mysql")) {
        return mariadb();
      }
      if (name.equals("h2")) {
        return h2();
      }
      throw new IllegalArgumentException("dialect: no built-in dialect for database '" + product
          + "'; supported are PostgreSQL, MariaDB, MySQL and H2, or set one with dialect(...)");
    }
  }
}
