package dev.steadfast.testkit;

import dev.steadfast.testkit.internal.HostPort;
import dev.steadfast.testkit.internal.JdbcUrls;
import dev.steadfast.testkit.internal.MariaDbServer;
import dev.steadfast.testkit.internal.ServerSettings;
import dev.steadfast.testkit.internal.Settings;
import dev.steadfast.testkit.internal.SharedServers;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Thread-safe JUnit extension that gives each test class a fresh MariaDB (or MySQL) database on a real server, and
 * skips the class's tests with the reason when there is none; tests of the class may use it in parallel.
 *
 * <p>Which server: the one named by {@value #URL_PROPERTY} (or {@code STEADFAST_MARIADB_URL}), with
 * {@value #USER_PROPERTY} and {@value #PASSWORD_PROPERTY}; else the local default at {@value #DEFAULT_PROBE}
 * (overridable by {@value #PROBE_PROPERTY}), user {@code root} with an empty password, database {@code test}. There
 * is no embedded fallback: when the local default does not answer, the extension (an {@link ExecutionCondition})
 * disables the class, so JUnit and the build report each of its tests as skipped, with the reason; should conditions
 * be deactivated, {@code beforeAll} aborts the class instead. A configured server that does not answer fails the
 * tests.
 *
 * <p>Before the class's tests a database {@code steadfast_<class>_<random>} is created; it is dropped after them.
 * Needs {@code org.mariadb.jdbc:mariadb-java-client} on the test class path (it also speaks to MySQL; for a
 * {@code jdbc:mysql:} URL add {@code permitMysqlScheme} to it, or use {@code jdbc:mariadb:}).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MariaDbExtension MARIADB = MariaDbExtension.create();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class MariaDbExtension extends DatabaseExtension implements ExecutionCondition {

  /** System property with the JDBC URL of the server to use; tests fail rather than skip when it is set. */
  public static final String URL_PROPERTY = "steadfast.mariadb.url";

  /** System property with the user for {@value #URL_PROPERTY}. */
  public static final String USER_PROPERTY = "steadfast.mariadb.user";

  /** System property with the password for {@value #URL_PROPERTY}; never logged. */
  public static final String PASSWORD_PROPERTY = "steadfast.mariadb.password";

  /** System property with the {@code host:port} where the local default server is looked for. */
  public static final String PROBE_PROPERTY = "steadfast.mariadb.probe";

  /** Where the local default server is looked for unless {@value #PROBE_PROPERTY} says otherwise. */
  public static final String DEFAULT_PROBE = "127.0.0.1:3306";


  private final ServerSettings settings;

  private MariaDbExtension(ServerSettings settings) {
    super("MariaDbExtension");
    this.settings = settings;
  }

  /** An extension configured from system properties and environment variables only. */
  public static MariaDbExtension create() {
    return builder().build();
  }

  /** A builder that starts from the system properties and environment variables. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Disables the test class, with the reason, when there is no server: JUnit and the build report its tests as
   * skipped, and its {@code @BeforeAll} methods do not run.
   */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    MariaDbServer.Resolution resolution = resolution();
    return resolution.server().isPresent()
        ? ConditionEvaluationResult.enabled("MariaDB/MySQL: " + resolution.server().get().description())
        : ConditionEvaluationResult.disabled(resolution.unavailable());
  }

  private MariaDbServer.Resolution resolution() {
    return SharedServers.get(
        List.of(MariaDbServer.class, settings),
        MariaDbServer.Resolution.class,
        () -> MariaDbServer.resolve(settings, "test", URL_PROPERTY));
  }

  /**
   * Creates the class's database.
   *
   * @throws org.opentest4j.TestAbortedException when there is no server, so that the class's tests are skipped
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    MariaDbServer.Resolution resolution = resolution();
    MariaDbServer server =
        resolution.server().orElseGet(() -> Assumptions.abort(resolution.unavailable()));
    createClassDatabase(context.getRequiredTestClass(), () -> server);
  }

  /**
   * Configures a {@link MariaDbExtension}; starts from the system properties and environment variables, which
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
      if (url != null && !url.startsWith("jdbc:mariadb://") && !url.startsWith("jdbc:mysql://")) {
        throw new IllegalArgumentException(
            URL_PROPERTY + " must start with jdbc:mariadb:// or jdbc:mysql://, was '" + JdbcUrls.redact(url) + "'");
      }
    }

    /**
     * Uses the server at this JDBC URL ({@code jdbc:mariadb://host:port/database}); tests fail if it does not
     * answer.
     *
     * @throws IllegalArgumentException when it is not a MariaDB or MySQL JDBC URL
     */
    public Builder url(String jdbcUrl) {
      if (!jdbcUrl.startsWith("jdbc:mariadb://") && !jdbcUrl.startsWith("jdbc:mysql://")) {
        throw new IllegalArgumentException(
            "url must start with jdbc:mariadb:// or jdbc:mysql://, was '" + JdbcUrls.redact(jdbcUrl) + "'");
      }
      JdbcUrls.address(jdbcUrl, 3306);
      this.url = jdbcUrl;
      return this;
    }

    /** The user, instead of {@code root}. */
    public Builder user(String user) {
      if (user.isBlank()) {
        throw new IllegalArgumentException("user must not be blank");
      }
      this.user = user;
      return this;
    }

    /** The password, instead of an empty one. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Where the local default server is looked for, as {@code host:port}.
     *
     * @throws IllegalArgumentException when it is not {@code host:port}
     */
    public Builder probe(String hostPort) {
      this.probe = HostPort.parse("probe", hostPort);
      return this;
    }

    /** The extension; the builder may be changed and used again. */
    public MariaDbExtension build() {
      return new MariaDbExtension(new ServerSettings(url, user, password, probe));
    }
  }
}
