package dev.steadfast.core.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A manual clock and scheduler that drives Steadfast policies deterministically: time moves only when a test
 * calls {@link #advance(Duration)} or a policy sleeps. Thread-safe.
 *
 * <p>Scheduled tasks run on the thread that advances time, in order of their due time (ties in the order they
 * were scheduled), and each one sees {@link #nanoTime()} equal to its due time. A task may schedule more tasks;
 * those that fall due within the same advance run in it too.
 *
 * <p>{@link #sleepNanos(long)} advances the clock by the sleep instead of blocking, running what falls due, so
 * a synchronous retry with backoff finishes at once in real time while its waits show in virtual time.
 *
 * <p>It ships in the core, as Micrometer's {@code MockClock} does, so that the core's own tests and every
 * user's can use it; the testkit injects it into JUnit tests.
 *
 * @since 0.1.0
 */
public final class VirtualTime implements TimeSource {

  private record Task(long dueNanos, long sequence, Runnable action) {}

  // Tasks run outside the lock so that they may schedule, cancel and read the time themselves.
  private final ReentrantLock lock = new ReentrantLock();

  // @GuardedBy("lock")
  private long nowNanos;

  // @GuardedBy("lock")
  private long nextSequence;

  // @GuardedBy("lock")
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(
          (a, b) ->
              a.dueNanos() != b.dueNanos()
                  ? Long.compare(a.dueNanos(), b.dueNanos())
                  : Long.compare(a.sequence(), b.sequence()));

  /** Virtual time starting at 0 ns. */
  public VirtualTime() {}

  @Override
  public long nanoTime() {
    lock.lock();
    try {
      return nowNanos;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Advances the clock by {@code nanos}, running what falls due, and never blocks. If a task run meanwhile
   * interrupts this thread (a timeout firing), the sleep ends at that task's time with {@link
   * InterruptedException}, as a real sleep would.
   */
  @Override
  public void sleepNanos(long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before a virtual sleep");
    }
    if (nanos > 0 && !advanceNanos(nanos, true)) {
      Thread.interrupted();
      throw new InterruptedException("interrupted during a virtual sleep at " + elapsed());
    }
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    Objects.requireNonNull(task, "task");
    lock.lock();
    try {
      long due = saturatedAdd(nowNanos, Math.max(0, delayNanos));
      Task scheduled = new Task(due, nextSequence++, task);
      queue.add(scheduled);
      return () -> cancel(scheduled);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves the clock forward by {@code duration}, running every task that falls due, in order.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must be >= 0, was " + duration);
    }
    advanceNanos(TimeSource.toNanosSaturated(duration), false);
  }

  /** Runs the tasks due now without moving the clock. */
  public void runDue() {
    advanceNanos(0, false);
  }

  /** Time elapsed since this virtual clock started. */
  public Duration elapsed() {
    return Duration.ofNanos(nanoTime());
  }

  /** How many scheduled tasks have not run or been cancelled yet. */
  public int pendingTasks() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** The due times, relative to now, of the tasks still pending, earliest first. */
  public List<Duration> pendingDelays() {
    lock.lock();
    try {
      List<Task> tasks = new ArrayList<>(queue);
      tasks.sort(queue.comparator());
      List<Duration> delays = new ArrayList<>(tasks.size());
      for (Task task : tasks) {
        delays.add(Duration.ofNanos(task.dueNanos() - nowNanos));
      }
      return delays;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs what falls due up to now + {@code nanos}, then sets the clock there; returns false (clock left at the
   * interrupting task's time) if {@code stopOnInterrupt} and a task interrupted the current thread.
   */
  private boolean advanceNanos(long nanos, boolean stopOnInterrupt) {
    long target;
    lock.lock();
    try {
      target = saturatedAdd(nowNanos, nanos);
    } finally {
      lock.unlock();
    }
    while (true) {
      Task next = pollDueBy(target);
      if (next == null) {
        break;
      }
      next.action().run();
      if (stopOnInterrupt && Thread.currentThread().isInterrupted()) {
        return false;
      }
    }
    lock.lock();
    try {
      nowNanos = Math.max(nowNanos, target);
    } finally {
      lock.unlock();
    }
    return true;
  }

  /** Removes the earliest task due by {@code target} and moves the clock to its due time. */
  private @Nullable Task pollDueBy(long target) {
    lock.lock();
    try {
      Task head = queue.peek();
      if (head == null || head.dueNanos() > target) {
        return null;
      }
      queue.poll();
      nowNanos = Math.max(nowNanos, head.dueNanos());
      return head;
    } finally {
      lock.unlock();
    }
  }

  private void cancel(Task task) {
    lock.lock();
    try {
      queue.remove(task);
    } finally {
      lock.unlock();
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  @Override
  public String toString() {
    return "VirtualTime[now=" + elapsed() + ", pending=" + pendingTasks() + "]";
  }
}
