package dev.steadfast.core;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One attempt took longer than its own timeout and was cancelled (interrupted when synchronous). Retried by
 * default, since the next attempt gets a fresh timeout.
 *
 * @since 0.1.0
 */
public class AttemptTimeoutException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Duration timeout;

  /** An attempt of pipeline {@code pipeline} exceeded {@code timeout}. */
  public AttemptTimeoutException(String pipeline, Duration timeout, @Nullable Throwable cause) {
    super("attempt of pipeline '" + pipeline + "' timed out after " + timeout, cause);
    this.timeout = timeout;
  }

  /** The attempt timeout that was exceeded. */
  public Duration timeout() {
    return timeout;
  }
}
