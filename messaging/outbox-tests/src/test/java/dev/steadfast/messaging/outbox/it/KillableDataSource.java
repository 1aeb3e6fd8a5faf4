package dev.steadfast.messaging.outbox.it;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that can be made to refuse connections, as a relay process sees its database when it dies: the
 * relay's next claim or settlement never happens. The real database underneath keeps what was committed.
 */
final class KillableDataSource implements DataSource {

  private final DataSource delegate;
  private final AtomicBoolean dead = new AtomicBoolean();

  KillableDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  void kill() {
    dead.set(true);
  }

  void revive() {
    dead.set(false);
  }

  private void check() throws SQLException {
    if (dead.get()) {
      throw new SQLException("simulated crash: this relay's process is gone", "08006");
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    check();
    return delegate.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    check();
    return delegate.getConnection(username, password);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return delegate.isWrapperFor(iface);
  }
}
