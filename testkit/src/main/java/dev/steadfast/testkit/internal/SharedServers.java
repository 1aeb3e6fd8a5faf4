package dev.steadfast.testkit.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe registry of the servers the fixtures use, one per key for the whole JVM, so that every test class
 * (and every JUnit engine run inside the JVM, as in tests of extensions) shares one embedded server. Servers that
 * need stopping are stopped by a shutdown hook, in the reverse order of their start.
 *
 * <p>A start that fails is not remembered: the next test class tries again.
 */
public final class SharedServers {

  private static final Logger LOG = LoggerFactory.getLogger(SharedServers.class);
  private static final ConcurrentHashMap<Object, CompletableFuture<Object>> SERVERS = new ConcurrentHashMap<>();
  private static final List<AutoCloseable> TO_STOP = Collections.synchronizedList(new ArrayList<>());
  private static final AtomicBoolean HOOK_ADDED = new AtomicBoolean();

  private SharedServers() {}

  /**
   * The server for {@code key}, started by {@code start} on first use; concurrent callers wait for that start.
   *
   * @throws RuntimeException what {@code start} threw, to every caller waiting for that start
   */
  public static <T> T get(Object key, Class<T> type, Supplier<? extends T> start) {
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> existing = SERVERS.putIfAbsent(key, mine);
    if (existing == null) {
      T server;
      try {
        server = start.get();
      } catch (RuntimeException | Error e) {
        SERVERS.remove(key, mine);
        mine.completeExceptionally(e);
        throw e;
      }
      if (server instanceof AutoCloseable closeable) {
        stopAtExit(closeable);
      }
      mine.complete(server);
      return server;
    }
    try {
      return type.cast(existing.join());
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtimeException) {
        throw runtimeException;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  private static void stopAtExit(AutoCloseable server) {
    TO_STOP.add(server);
    if (HOOK_ADDED.compareAndSet(false, true)) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(SharedServers::stopAll, "steadfast-testkit-stop-servers"));
    }
  }

  private static void stopAll() {
    List<AutoCloseable> servers;
    synchronized (TO_STOP) {
      servers = new ArrayList<>(TO_STOP);
      TO_STOP.clear();
    }
    Collections.reverse(servers);
    for (AutoCloseable server : servers) {
      try {
        server.close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", server, e.toString());
      }
    }
  }
}
