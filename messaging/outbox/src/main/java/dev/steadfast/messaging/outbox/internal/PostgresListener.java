package dev.steadfast.messaging.outbox.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe LISTEN loop on one dedicated connection: every notification on the channel wakes the relay's
 * workers. Runs on its own thread until closed; a lost connection is reopened after a pause, and while it is
 * down the workers still poll, so a notification missed then delays messages by at most a poll interval.
 */
public final class PostgresListener implements Runnable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);
  private static final int WAIT_MILLIS = 1000;
  private static final long REOPEN_PAUSE_NANOS = 1_000_000_000L;

  private final DataSource dataSource;
  private final String listen;
  private final RelaySignal signal;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ReentrantLock lock = new ReentrantLock();
  private @Nullable Connection connection; // guarded by lock

  public PostgresListener(DataSource dataSource, String listen, RelaySignal signal) {
    this.dataSource = dataSource;
    this.listen = listen;
    this.signal = signal;
  }

  @Override
  public void run() {
    RelaySignal pause = new RelaySignal();
    while (running.get()) {
      try (Connection opened = dataSource.getConnection()) {
        opened.setAutoCommit(true);
        PGConnection postgres = opened.unwrap(PGConnection.class);
        try (Statement statement = opened.createStatement()) {
          statement.execute(listen);
        }
        setConnection(opened);
        signal.signal(); // anything committed while not listening
        while (running.get()) {
          PGNotification[] notifications = postgres.getNotifications(WAIT_MILLIS);
          if (notifications != null && notifications.length > 0) {
            signal.signal();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (running.get()) {
          log.atWarn().addKeyValue("listen", listen).setCause(e)
              .log("outbox notification listener lost its connection; relays poll until it is back");
          try {
            pause.await(pause.generation(), REOPEN_PAUSE_NANOS);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      } finally {
        setConnection(null);
      }
    }
  }

  private void setConnection(@Nullable Connection value) {
    lock.lock();
    try {
      connection = value;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    running.set(false);
    lock.lock();
    try {
      if (connection != null) {
        try {
          connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
          // Closing anyway; the loop ends at its next wait.
        }
      }
    } finally {
      lock.unlock();
    }
  }
}
