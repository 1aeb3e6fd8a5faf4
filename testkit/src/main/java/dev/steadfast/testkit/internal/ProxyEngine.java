package dev.steadfast.testkit.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe engine of the TCP fault proxy: accepts connections, connects each to the target, and forwards bytes
 * while applying the current {@link Faults}.
 *
 * <p>Design: plain blocking sockets, four threads per connection. For each direction a reader takes bytes off the
 * socket as soon as they arrive, stamps them with their arrival time and queues them (bounded, so a stalled writer
 * stops the reader and TCP flow control pushes back on the sender); a writer forwards each chunk when its latency
 * has passed, the rate limit allows and no blackhole holds it. Latency is measured from arrival, so it does not add
 * up along a stream. Writers wait on one {@link Condition} that every fault change signals, so a change takes effect
 * on live connections at once. The faults are one immutable value in a volatile field, swapped under the lock.
 * No lock is held during socket I/O.
 */
public final class ProxyEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyEngine.class);
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);
  /** Rate-limited data goes out in slices of a twentieth of a second's worth. */
  private static final int SLICES_PER_SECOND = 20;

  private final ServerSocket server;
  private final HostPort target;
  private final int connectTimeoutMillis;
  private final ExecutorService threads;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Set<ProxyConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private volatile Faults faults = Faults.NONE;
  private volatile boolean closed;

  private ProxyEngine(ServerSocket server, HostPort target, Duration connectTimeout) {
    this.server = server;
    this.target = target;
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    AtomicInteger count = new AtomicInteger();
    String name = "steadfast-tcp-fault-proxy-" + server.getLocalPort() + "-";
    this.threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, name + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Listens on {@code bindAddress:port} (0 for a free port) and starts accepting.
   *
   * @throws IOException when the port cannot be bound
   */
  public static ProxyEngine start(InetAddress bindAddress, int port, HostPort target, Duration connectTimeout)
      throws IOException {
    ServerSocket server = new ServerSocket();
    try {
      server.bind(new InetSocketAddress(bindAddress, port));
    } catch (IOException e) {
      server.close();
      throw e;
    }
    ProxyEngine engine = new ProxyEngine(server, target, connectTimeout);
    engine.threads.execute(engine::acceptLoop);
    LOG.debug("TCP fault proxy listening on {} for {}", server.getLocalSocketAddress(), target);
    return engine;
  }

  /** Where the proxy listens. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** The current faults. */
  public Faults faults() {
    return faults;
  }

  /** Changes the faults; live connections see the change at once. */
  public void update(UnaryOperator<Faults> change) {
    lock.lock();
    try {
      faults = change.apply(faults);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Resets (TCP RST) every open connection on both sides; returns how many. */
  public int resetConnections() {
    int count = 0;
    for (ProxyConnection connection : connections) {
      connection.abort();
      count++;
    }
    return count;
  }

  /** Connections open now. */
  public int openConnections() {
    return connections.size();
  }

  /** Connections accepted since start, including those reset at once. */
  public long acceptedConnections() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("TCP fault proxy on {} stopped accepting: {}", address(), e.toString());
        }
        return;
      }
      accepted.incrementAndGet();
      if (faults.resetNewConnections()) {
        reset(client);
        continue;
      }
      try {
        threads.execute(() -> connect(client));
      } catch (RuntimeException e) { // rejected: closing
        reset(client);
      }
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(new InetSocketAddress(target.host(), target.port()), connectTimeoutMillis);
    } catch (IOException e) {
      LOG.debug("TCP fault proxy could not reach {}: {}", target, e.toString());
      reset(client);
      reset(upstream);
      return;
    }
    ProxyConnection connection = new ProxyConnection(this, client, upstream);
    connections.add(connection);
    if (closed) {
      connection.close();
      return;
    }
    connection.start(threads);
  }

  /** Called by a connection that has closed. */
  void closed(ProxyConnection connection) {
    connections.remove(connection);
    wakeWriters();
  }

  void wakeWriters() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the writer of {@code pump} may send some of {@code chunk}.
   *
   * @return how many bytes it may send now; 0 when the connection's byte limit is used up; -1 when the connection or
   *     the proxy is closed
   */
  int awaitSendable(ProxyConnection connection, Pump pump, Pump.Chunk chunk, int remaining)
      throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (true) {
        if (closed || connection.isClosed()) {
          return -1;
        }
        Faults current = faults;
        if (current.blackhole()) {
          changed.await();
          continue;
        }
        long now = System.nanoTime();
        long due = chunk.arrivalNanos() + current.delayNanos(chunk.jitterSample());
        if (now - due < 0) {
          changed.awaitNanos(due - now);
          continue;
        }
        long rate = current.bytesPerSecond();
        if (rate > 0 && now - pump.nextSendNanos < 0) {
          changed.awaitNanos(pump.nextSendNanos - now);
          continue;
        }
        long allowed = remaining;
        if (rate > 0) {
          allowed = Math.min(allowed, Math.max(1, rate / SLICES_PER_SECOND));
        }
        if (current.closeAfterBytes() >= 0) {
          allowed = Math.min(allowed, current.closeAfterBytes() - connection.forwarded());
          if (allowed <= 0) {
            return 0;
          }
        }
        // Counted here, under the lock, before the write: the two directions must not both see room for the
        // same last bytes of a byte limit.
        connection.addForwarded((int) allowed);
        return (int) allowed;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Books {@code bytes} just sent by {@code pump} against the rate limit. */
  void sent(Pump pump, int bytes) {
    long rate = faults.bytesPerSecond();
    if (rate > 0) {
      long now = System.nanoTime();
      long start = now - pump.nextSendNanos > 0 ? now : pump.nextSendNanos;
      pump.nextSendNanos = start + bytes * 1_000_000_000L / rate;
    }
  }

  /** Closes with an RST instead of a FIN. */
  static void reset(Socket socket) {
    try {
      if (!socket.isClosed()) {
        socket.setSoLinger(true, 0);
      }
    } catch (SocketException e) {
      // Already closed or never connected: nothing to reset.
    }
    closeQuietly(socket);
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.trace("closing a proxied socket failed", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.debug("closing the proxy's server socket failed", e);
    }
    for (ProxyConnection connection : connections) {
      connection.close();
    }
    wakeWriters();
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("TCP fault proxy threads did not stop within {}", SHUTDOWN_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
