package dev.steadfast.core.internal;

import dev.steadfast.core.Deadline;
import org.jspecify.annotations.Nullable;

/** The deadline of the pipeline call running on each thread; read through {@link Deadline#current()}. */
public final class CurrentDeadline {

  /**
   * A thread's slot for its current deadline. A call looks it up once and then reads, sets and restores the
   * field, instead of paying a thread-local lookup for each of those steps.
   */
  public static final class Holder {
    public @Nullable Deadline value;

    Holder() {}
  }

  private static final ThreadLocal<Holder> CURRENT = ThreadLocal.withInitial(Holder::new);

  private CurrentDeadline() {}

  /** This thread's slot; use it only on this thread. */
  public static Holder holder() {
    return CURRENT.get();
  }

  public static @Nullable Deadline get() {
    return CURRENT.get().value;
  }

  /** Sets the current deadline and returns the one it replaces, to restore in a finally block. */
  public static @Nullable Deadline swap(@Nullable Deadline deadline) {
    Holder holder = CURRENT.get();
    Deadline previous = holder.value;
    holder.value = deadline;
    return previous;
  }
}
