package dev.steadfast.testkit.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.Protocol;
import org.apache.qpid.server.model.SystemConfig;

/**
 * Starts Apache Qpid Broker-J with an in-memory store and one AMQP 0-9-1 port on a free loopback port (user
 * guest/guest). The only class that touches {@code org.apache.qpid}: it is loaded only when the RabbitMQ fixture
 * falls back to it.
 */
final class EmbeddedQpidBroker {

  private EmbeddedQpidBroker() {}

  /** A started broker: its port, version, and how to stop it. */
  record Running(int port, String version, Closeable stopper) {}

  static Running start() {
    Path workDir;
    try {
      workDir = Files.createTempDirectory("steadfast-qpid");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a work directory for Qpid Broker-J", e);
    }
    URL config = EmbeddedQpidBroker.class.getResource("qpid-initial-config.json");
    if (config == null) {
      throw new IllegalStateException("qpid-initial-config.json is missing from the testkit jar");
    }
    Map<String, String> context = new HashMap<>();
    context.put("qpid.work_dir", workDir.toString());
    context.put("qpid.amqp_port", "0");
    context.put("qpid.broker.defaultPreferenceStoreAttributes", "{\"type\": \"Noop\"}");
    Map<String, Object> attributes = new HashMap<>();
    attributes.put(SystemConfig.TYPE, "Memory");
    attributes.put(SystemConfig.INITIAL_CONFIGURATION_LOCATION, config.toExternalForm());
    attributes.put(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false);
    attributes.put(SystemConfig.CONTEXT, context);

    AtomicReference<SystemConfig<?>> systemConfig = new AtomicReference<>();
    SystemLauncher launcher =
        new SystemLauncher(
            new SystemLauncherListener.DefaultSystemLauncherListener() {
              @Override
              public void onContainerResolve(SystemConfig<?> resolved) {
                systemConfig.set(resolved);
              }
            });
    try {
      launcher.startup(attributes);
    } catch (Exception e) {
      launcher.shutdown();
      throw new IllegalStateException("could not start Qpid Broker-J: " + e.getMessage(), e);
    }
    SystemConfig<?> resolved = systemConfig.get();
    if (resolved == null) {
      launcher.shutdown();
      throw new IllegalStateException("Qpid Broker-J started without a broker");
    }
    Broker<?> broker = (Broker<?>) resolved.getContainer();
    int port =
        broker.getPorts().stream()
            .filter(p -> p.getProtocols().contains(Protocol.AMQP_0_9_1))
            .mapToInt(Port::getBoundPort)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("Qpid Broker-J opened no AMQP 0-9-1 port"));
    return new Running(
        port,
        broker.getProductVersion(),
        () -> {
          launcher.shutdown();
          deleteRecursively(workDir);
        });
  }

  private static void deleteRecursively(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }
}
