package dev.steadfast.testkit.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A database server a fixture found or started: where it is, how to connect, and a database per test class.
 * Immutable and thread-safe; subclasses say how to make a data source for their driver.
 */
public abstract class DatabaseServer {

  private final String adminUrl;
  private final String user;
  private final @Nullable String password;
  private final HostPort address;
  private final boolean embedded;
  private final String description;

  DatabaseServer(
      String adminUrl,
      int defaultPort,
      String user,
      @Nullable String password,
      boolean embedded,
      String description) {
    this.adminUrl = adminUrl;
    this.user = user;
    this.password = password;
    this.address = JdbcUrls.address(adminUrl, defaultPort);
    this.embedded = embedded;
    this.description = description;
  }

  /** A non-pooling data source for {@code url} with this server's credentials. */
  abstract DataSource dataSource(String url, String user, @Nullable String password) throws SQLException;

  /** Where the server listens. */
  public final HostPort address() {
    return address;
  }

  /** Whether this is an embedded fallback rather than a real server. */
  public final boolean embedded() {
    return embedded;
  }

  /** Which server this is and why it was chosen, without secrets. */
  public final String description() {
    return description;
  }

  /** The user tests connect as. */
  public final String user() {
    return user;
  }

  /** The password tests connect with, or null. */
  public final @Nullable String password() {
    return password;
  }

  /** The JDBC URL of {@code database} on this server. */
  public final String jdbcUrl(String database) {
    return JdbcUrls.withDatabase(adminUrl, database);
  }

  /** A non-pooling data source for {@code database}. */
  public final DataSource dataSource(String database) {
    try {
      return dataSource(jdbcUrl(database), user, password);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Creates an empty database. */
  public void createDatabase(String name) {
    execute("CREATE DATABASE " + name);
  }

  /** Drops a database. */
  public void dropDatabase(String name) {
    execute("DROP DATABASE IF EXISTS " + name);
  }

  /** Runs {@code sql} on the server's administrative database. */
  final void execute(String sql) {
    try (Connection connection = dataSource(adminUrl, user, password).getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed on " + address + ": " + e.getMessage(), e);
    }
  }
}
