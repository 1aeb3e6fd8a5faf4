package dev.steadfast.core;

import org.jspecify.annotations.Nullable;

/**
 * The call's {@link Deadline} passed: before an attempt could start, or while one ran (it was then cancelled).
 * Never retried: no time is left for another attempt.
 *
 * @since 0.1.0
 */
public class DeadlineExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The deadline of a call through pipeline {@code pipeline} passed. */
  public DeadlineExceededException(String pipeline, @Nullable Throwable cause) {
    super("deadline of a call through pipeline '" + pipeline + "' exceeded", cause);
  }
}
