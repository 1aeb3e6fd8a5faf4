package dev.steadfast.testkit.internal;

import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Thread-safe pair of sockets the proxy forwards between, with one {@link Pump} per direction. */
final class ProxyConnection {

  private final ProxyEngine engine;
  private final Socket client;
  private final Socket upstream;
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger openDirections = new AtomicInteger(2);
  private final List<Future<?>> tasks = new CopyOnWriteArrayList<>();

  ProxyConnection(ProxyEngine engine, Socket client, Socket upstream) {
    this.engine = engine;
    this.client = client;
    this.upstream = upstream;
  }

  void start(ExecutorService threads) {
    Pump toUpstream = new Pump(engine, this, client, upstream);
    Pump toClient = new Pump(engine, this, upstream, client);
    tasks.add(threads.submit(toUpstream::read));
    tasks.add(threads.submit(toUpstream::write));
    tasks.add(threads.submit(toClient::read));
    tasks.add(threads.submit(toClient::write));
    if (closed.get()) {
      cancelTasks();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  long forwarded() {
    return forwarded.get();
  }

  long addForwarded(int bytes) {
    return forwarded.addAndGet(bytes);
  }

  /** One direction has forwarded its end of stream; the second one closes the connection. */
  void directionDone() {
    if (openDirections.decrementAndGet() == 0) {
      close();
    }
  }

  /** Closes both sides with a FIN. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      ProxyEngine.closeQuietly(client);
      ProxyEngine.closeQuietly(upstream);
      finish();
    }
  }

  /** Closes both sides with an RST. */
  void abort() {
    if (closed.compareAndSet(false, true)) {
      ProxyEngine.reset(client);
      ProxyEngine.reset(upstream);
      finish();
    }
  }

  private void finish() {
    cancelTasks();
    engine.closed(this);
  }

  private void cancelTasks() {
    for (Future<?> task : tasks) {
      task.cancel(true);
    }
  }
}
