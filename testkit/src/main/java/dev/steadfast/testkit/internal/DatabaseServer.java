package dev.steadfast.testkit.internal;

import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** A database server a fixture found or started: where it is, how to connect, and a database per test class. */
public interface DatabaseServer {

  /** Where the server listens. */
  HostPort address();

  /** Whether this is an embedded fallback rather than a real server. */
  boolean embedded();

  /** Which server this is and why it was chosen, without secrets. */
  String description();

  /** The user tests connect as. */
  String user();

  /** The password tests connect with, or null. */
  @Nullable String password();

  /** The JDBC URL of {@code database} on this server. */
  String jdbcUrl(String database);

  /** A non-pooling data source for {@code database}. */
  DataSource dataSource(String database);

  /** Creates an empty database. */
  void createDatabase(String name);

  /** Drops a database. */
  void dropDatabase(String name);
}
