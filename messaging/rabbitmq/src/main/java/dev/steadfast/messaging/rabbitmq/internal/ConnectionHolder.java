package dev.steadfast.messaging.rabbitmq.internal;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lazily opened, automatically recovering connection, shared by the threads of the publisher or of the
 * subscribers; thread-safe.
 *
 * <p>amqp-client recovers a connection (and its channels, qos and consumers) only once it was open; until the first
 * connect succeeds, {@link #get()} tries again on each call. Connecting blocks the caller (never a caller of
 * {@code publish}: the publisher connects on its executor), so it runs under a {@link ReentrantLock}, not {@code
 * synchronized}.
 */
public final class ConnectionHolder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionHolder.class);

  private final ConnectionFactory factory;
  private final List<Address> addresses;
  private final String connectionName;
  private final @Nullable ExecutorService consumerExecutor;
  private final ReentrantLock lock = new ReentrantLock();
  // @GuardedBy("lock")
  private @Nullable Connection connection;
  // @GuardedBy("lock")
  private boolean closed;

  /**
   * A holder that connects with {@code factory} to {@code addresses}, naming the connection {@code
   * connectionName}, with consumers dispatched on {@code consumerExecutor} (null for amqp-client's own pool).
   */
  public ConnectionHolder(
      ConnectionFactory factory,
      List<Address> addresses,
      String connectionName,
      @Nullable ExecutorService consumerExecutor) {
    this.factory = factory;
    this.addresses = List.copyOf(addresses);
    this.connectionName = connectionName;
    this.consumerExecutor = consumerExecutor;
  }

  /**
   * The connection, opened now if it never was; it may be recovering (closed) at the moment, in which case
   * channel operations on it fail.
   *
   * @throws IOException when it cannot be opened
   * @throws IllegalStateException when the holder is closed
   */
  public Connection get() throws IOException {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the RabbitMQ adapter is closed");
      }
      Connection current = connection;
      if (current != null) {
        return current;
      }
      try {
        current =
            consumerExecutor == null
                ? factory.newConnection(addresses, connectionName)
                : factory.newConnection(consumerExecutor, addresses, connectionName);
      } catch (TimeoutException e) {
        throw new IOException("connecting to RabbitMQ at " + addresses + " timed out", e);
      }
      LOG.info("connected {} to RabbitMQ at {}", connectionName, current.getAddress() + ":" + current.getPort());
      connection = current;
      return current;
    } finally {
      lock.unlock();
    }
  }

  /** The connection if it was opened, else null; never connects. */
  public @Nullable Connection current() {
    lock.lock();
    try {
      return connection;
    } finally {
      lock.unlock();
    }
  }

  /** Closes the connection, waiting up to {@code timeoutMillis}; idempotent. */
  public void close(int timeoutMillis) {
    Connection current;
    lock.lock();
    try {
      closed = true;
      current = connection;
      connection = null;
    } finally {
      lock.unlock();
    }
    if (current != null) {
      try {
        current.close(timeoutMillis);
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing {} failed; aborting it", connectionName, e);
        current.abort(timeoutMillis);
      }
    }
  }

  @Override
  public void close() {
    close(5_000);
  }
}
