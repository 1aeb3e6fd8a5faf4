package dev.steadfast.testkit;

import dev.steadfast.testkit.internal.ClassScope;
import dev.steadfast.testkit.internal.DatabaseNames;
import dev.steadfast.testkit.internal.DatabaseServer;
import dev.steadfast.testkit.internal.HostPort;
import dev.steadfast.testkit.internal.JdbcUrls;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the database fixtures share: a fresh database per test class on the server the fixture chose, dropped
 * after the class, and the accessors a test connects with. Register a subclass on a static field with {@code
 * @RegisterExtension}.
 *
 * @since 0.1.0
 */
public abstract sealed class DatabaseExtension implements BeforeAllCallback, AfterAllCallback
    permits PostgresExtension, MariaDbExtension {

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final ClassScope<ClassDatabase> scope;

  DatabaseExtension(String fixture) {
    this.scope = new ClassScope<>(fixture);
  }

  /** Creates the test class's database on the server {@code server} supplies. */
  final void createClassDatabase(Class<?> testClass, Supplier<? extends DatabaseServer> server) {
    scope.enter(
        testClass,
        () -> {
          DatabaseServer chosen = server.get();
          String name = DatabaseNames.forClass(testClass);
          chosen.createDatabase(name);
          log.debug("created database {} for {}", name, testClass.getName());
          return new ClassDatabase(chosen, name, log);
        });
  }

  /** Drops the test class's database. */
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  /**
   * Drops the test class's database, as {@link #afterAll} does; for test engines without Jupiter extensions, after
   * {@code open(testClass)}.
   *
   * @since 0.1.0
   */
  public void close() throws Exception {
    scope.exit();
  }

  /** A non-pooling data source for the class's database. */
  public DataSource dataSource() {
    return scope.get().dataSource;
  }

  /** Opens a new connection to the class's database; the caller closes it. */
  public Connection openConnection() throws SQLException {
    return dataSource().getConnection();
  }

  /** The JDBC URL of the class's database (without credentials). */
  public String jdbcUrl() {
    ClassDatabase database = scope.get();
    return database.server.jdbcUrl(database.name);
  }

  /**
   * The JDBC URL of the class's database reached at another address, such as a {@link TcpFaultProxy} in front of
   * the server.
   */
  public String jdbcUrl(String host, int port) {
    return JdbcUrls.withAddress(jdbcUrl(), new HostPort(host, port));
  }

  /** The name of the class's database. */
  public String databaseName() {
    return scope.get().name;
  }

  /** The user to connect as. */
  public String user() {
    return scope.get().server.user();
  }

  /** The password to connect with, or null when the server needs none. */
  public @Nullable String password() {
    return scope.get().server.password();
  }

  /** The server's host. */
  public String host() {
    return scope.get().server.address().host();
  }

  /** The server's port. */
  public int port() {
    return scope.get().server.address().port();
  }

  /** Whether the server is an embedded fallback rather than a real server. */
  public boolean isEmbedded() {
    return scope.get().server.embedded();
  }

  /** Which server is used and why, as logged ("real server at 127.0.0.1:5432 (PostgreSQL 15.14, ...)"). */
  public String serverDescription() {
    return scope.get().server.description();
  }

  private static final class ClassDatabase implements AutoCloseable {
    final DatabaseServer server;
    final String name;
    final DataSource dataSource;
    private final Logger log;

    ClassDatabase(DatabaseServer server, String name, Logger log) {
      this.server = server;
      this.name = name;
      this.dataSource = server.dataSource(name);
      this.log = log;
    }

    @Override
    public void close() {
      server.dropDatabase(name);
      log.debug("dropped database {}", name);
    }
  }
}
