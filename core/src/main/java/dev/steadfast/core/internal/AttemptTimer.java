package dev.steadfast.core.internal;

import dev.steadfast.core.spi.TimeSource;
import java.lang.ref.WeakReference;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Interrupts the calling thread when its attempt outlives its timeout. Thread-safe.
 *
 * <p>Design. A timeout must cost the success path next to nothing, since almost every attempt finishes in time.
 * Scheduling a task on a {@code ScheduledThreadPoolExecutor} per attempt allocates a future and takes a lock
 * (about 100 ns and 80 B). So on the system clock a single watchdog thread watches per-thread slots instead: a
 * slot is reused by its thread for every attempt, arming writes a volatile deadline and a state, and disarming
 * is one CAS; nothing is allocated. The watchdog parks until the earliest armed deadline, and an attempt whose
 * deadline is earlier than the watchdog's next wake-up unparks it. Nested pipeline calls on one thread use the
 * next slot of that thread's small stack.
 *
 * <p>The interrupt race: the watchdog moves a slot ARMED → FIRING, interrupts, then → FIRED; a disarm that loses
 * the ARMED → IDLE race waits out FIRING and then clears the interrupt, so an interrupt never leaks past the
 * attempt that caused it.
 *
 * <p>Any other time source (the testkit's virtual time) gets one scheduled task per attempt on that source, which
 * is what deterministic tests need.
 */
public abstract class AttemptTimer {

  static final int IDLE = 0;
  static final int ARMED = 1;
  static final int FIRING = 2;
  static final int FIRED = 3;

  /** An armed timeout of the current thread. */
  public interface Armed {
    /**
     * Disarms; returns true if the timeout fired (the thread was interrupted, and its interrupt status is now
     * cleared).
     */
    boolean disarm();
  }

  /** The timer for {@code time}: the watchdog for the shared system time source, scheduled tasks otherwise. */
  public static AttemptTimer forTime(TimeSource time) {
    return time == TimeSource.system() ? Watchdog.INSTANCE : new Scheduled(time);
  }

  /** Arms a timeout of {@code timeoutNanos} (> 0) for the current thread. */
  public abstract Armed arm(long timeoutNanos);

  /**
   * {@link #arm(long)} for a caller that has just read {@link System#nanoTime()} as {@code systemNanos}: the
   * system watchdog uses it instead of reading the clock again (a read costs about 20 ns); other timers ignore
   * it.
   */
  public Armed arm(long timeoutNanos, long systemNanos) {
    return arm(timeoutNanos);
  }

  private static boolean disarm(AtomicInteger state) {
    if (state.compareAndSet(ARMED, IDLE)) {
      return false;
    }
    while (state.get() == FIRING) {
      Thread.onSpinWait();
    }
    state.set(IDLE);
    Thread.interrupted();
    return true;
  }

  private static void fire(AtomicInteger state, WeakReference<Thread> thread) {
    if (state.compareAndSet(ARMED, FIRING)) {
      Thread target = thread.get();
      if (target != null) {
        target.interrupt();
      }
      state.set(FIRED);
    }
  }

  /** One task per attempt on a given time source. */
  private static final class Scheduled extends AttemptTimer {
    private final TimeSource time;

    Scheduled(TimeSource time) {
      this.time = time;
    }

    @Override
    public Armed arm(long timeoutNanos) {
      AtomicInteger state = new AtomicInteger(ARMED);
      WeakReference<Thread> thread = new WeakReference<>(Thread.currentThread());
      TimeSource.Cancellable task = time.schedule(() -> fire(state, thread), timeoutNanos);
      return () -> {
        task.cancel();
        return disarm(state);
      };
    }
  }

  /** The system clock's watchdog: one daemon thread, per-thread reusable slots. */
  private static final class Watchdog extends AttemptTimer {
    static final Watchdog INSTANCE = new Watchdog();

    private static final int DEPTH = 4;
    private static final long SCANNING = Long.MIN_VALUE;

    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot[]> stacks = ThreadLocal.withInitial(() -> new Slot[DEPTH]);
    private final Scheduled overflow = new Scheduled(TimeSource.system());
    private final Thread thread;
    private volatile long wakeAt = Long.MAX_VALUE;

    private Watchdog() {
      thread = new Thread(this::watch, "steadfast-timeouts");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public Armed arm(long timeoutNanos) {
      return arm(timeoutNanos, System.nanoTime());
    }

    @Override
    public Armed arm(long timeoutNanos, long systemNanos) {
      Slot[] stack = stacks.get();
      for (int i = 0; i < DEPTH; i++) {
        Slot slot = stack[i];
        if (slot == null) {
          slot = new Slot(Thread.currentThread());
          stack[i] = slot;
          slots.add(slot);
        }
        if (slot.state.get() == IDLE) {
          long deadline = systemNanos + timeoutNanos;
          slot.deadline = deadline;
          slot.state.set(ARMED);
          long next = wakeAt;
          if (next == SCANNING || next == Long.MAX_VALUE || deadline - next < 0) {
            LockSupport.unpark(thread);
          }
          return slot;
        }
      }
      return overflow.arm(timeoutNanos);
    }

    private void watch() {
      while (true) {
        wakeAt = SCANNING;
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        boolean any = false;
        for (Slot slot : slots) {
          if (slot.thread.get() == null) {
            slots.remove(slot);
            continue;
          }
          if (slot.state.get() != ARMED) {
            continue;
          }
          long deadline = slot.deadline;
          if (deadline - now <= 0) {
            fire(slot.state, slot.thread);
          } else if (!any || deadline - next < 0) {
            next = deadline;
            any = true;
          }
        }
        wakeAt = any ? next : Long.MAX_VALUE;
        if (any) {
          LockSupport.parkNanos(this, next - now);
        } else {
          LockSupport.park(this);
        }
      }
    }

    /** One thread's timeout at one nesting depth. */
    private static final class Slot implements Armed {
      final WeakReference<Thread> thread;
      final AtomicInteger state = new AtomicInteger(IDLE);
      // Plain: written before the volatile write of ARMED and read after a volatile read of ARMED, which orders
      // it. Volatile, it cost a second full fence per attempt (docs/benchmarks.md).
      long deadline;

      Slot(Thread thread) {
        this.thread = new WeakReference<>(thread);
      }

      @Override
      public boolean disarm() {
        return AttemptTimer.disarm(state);
      }
    }
  }
}
