package dev.steadfast.core.internal;

import dev.steadfast.core.Deadline;
import org.jspecify.annotations.Nullable;

/** The deadline of the pipeline call running on each thread; read through {@link Deadline#current()}. */
public final class CurrentDeadline {

  private static final ThreadLocal<@Nullable Deadline> CURRENT = new ThreadLocal<>();

  private CurrentDeadline() {}

  public static @Nullable Deadline get() {
    return CURRENT.get();
  }

  /** Sets the current deadline and returns the one it replaces, to restore in a finally block. */
  public static @Nullable Deadline swap(@Nullable Deadline deadline) {
    Deadline previous = CURRENT.get();
    if (previous != deadline) {
      CURRENT.set(deadline);
    }
    return previous;
  }
}
