package dev.steadfast.testkit.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.mariadb.jdbc.MariaDbDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe handle on the MariaDB or MySQL server a test run uses: the configured one, else the local default if
 * it answers. There is no embedded fallback: without a server, {@link #resolve} says why.
 */
public final class MariaDbServer extends DatabaseServer {

  private static final Logger LOG = LoggerFactory.getLogger(MariaDbServer.class);
  private static final int DEFAULT_PORT = 3306;
  private static final int LOGIN_TIMEOUT_SECONDS = 10;

  private MariaDbServer(String adminUrl, String user, @Nullable String password, String description) {
    super(adminUrl, DEFAULT_PORT, user, password, false, description);
  }

  /** The server a run uses, or why there is none. */
  public static final class Resolution {
    private final @Nullable MariaDbServer server;
    private final String unavailable;

    private Resolution(@Nullable MariaDbServer server, String unavailable) {
      this.server = server;
      this.unavailable = unavailable;
    }

    /** The server, or empty when {@link #unavailable()} says why there is none. */
    public Optional<MariaDbServer> server() {
      return Optional.ofNullable(server);
    }

    /** Why there is no server; empty text when there is one. */
    public String unavailable() {
      return unavailable;
    }
  }

  /**
   * Finds the server for {@code settings} and logs which one it is, or why there is none.
   *
   * @throws IllegalStateException when a configured server cannot be reached (it was asked for: no skipping)
   */
  public static Resolution resolve(ServerSettings settings, String defaultDatabase, String settingName) {
    String configuredUrl = settings.url();
    if (configuredUrl != null) {
      String configuredUser = settings.user() == null ? "root" : settings.user();
      String origin = "configured server " + JdbcUrls.redact(configuredUrl) + " (from " + settingName + ")";
      try {
        MariaDbServer server = connect(configuredUrl, configuredUser, settings.password(), origin);
        LOG.info("MariaDB/MySQL for tests: {}", server.description());
        return new Resolution(server, "");
      } catch (SQLException e) {
        throw new IllegalStateException(
            "MariaDB/MySQL configured by " + settingName + " (" + JdbcUrls.redact(configuredUrl)
                + ") did not accept a connection: " + e.getMessage(),
            e);
      }
    }
    HostPort probe = settings.probe();
    Optional<String> unreachable = Probe.unreachable(probe);
    String reason;
    if (unreachable.isEmpty()) {
      String user = settings.user() == null ? "root" : settings.user();
      try {
        MariaDbServer server =
            connect(
                "jdbc:mariadb://" + probe + "/" + defaultDatabase,
                user,
                settings.password(),
                "real server at " + probe);
        LOG.info("MariaDB/MySQL for tests: {}", server.description());
        return new Resolution(server, "");
      } catch (SQLException e) {
        reason = "the server at " + probe + " refused user " + user + ": " + e.getMessage();
      }
    } else {
      reason = unreachable.get();
    }
    String message =
        "no MariaDB/MySQL server: "
            + reason
            + "; start one there or set "
            + settingName
            + " (tests that need it are skipped)";
    LOG.warn("MariaDB/MySQL for tests: {}", message);
    return new Resolution(null, message);
  }

  private static MariaDbServer connect(
      String url, String user, @Nullable String password, String origin) throws SQLException {
    String version;
    try (Connection connection = newDataSource(url, user, password).getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT VERSION()")) {
      result.next();
      version = result.getString(1);
    }
    return new MariaDbServer(url, user, password, origin + " (" + version + ", user " + user + ")");
  }

  @Override
  DataSource dataSource(String url, String user, @Nullable String password) throws SQLException {
    return newDataSource(url, user, password);
  }

  private static DataSource newDataSource(String url, String user, @Nullable String password)
      throws SQLException {
    MariaDbDataSource dataSource = new MariaDbDataSource(url);
    dataSource.setUser(user);
    if (password != null) {
      dataSource.setPassword(password);
    }
    dataSource.setLoginTimeout(LOGIN_TIMEOUT_SECONDS);
    return dataSource;
  }
}
