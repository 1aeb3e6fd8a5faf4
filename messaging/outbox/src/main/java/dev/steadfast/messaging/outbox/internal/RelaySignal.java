package dev.steadfast.messaging.outbox.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Thread-safe wake-up between enqueuers (or a notification listener) and relay workers: a worker with nothing
 * to do waits here until signalled or its poll interval passes. A signal sent while no worker waits is kept
 * (as a generation count), so a wake-up between a worker's empty claim and its wait is not lost.
 */
public final class RelaySignal {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private long generation; // guarded by lock

  /** Wakes every waiting worker. */
  public void signal() {
    lock.lock();
    try {
      generation++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The current generation, to pass to {@link #await} after looking for work. */
  public long generation() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until a signal newer than {@code seen} or until {@code nanos} pass.
   *
   * @return whether a signal came
   */
  public boolean await(long seen, long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (generation == seen) {
        if (left <= 0) {
          return false;
        }
        left = changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code timeout} of {@code unit} for a signal newer than {@code seen}. */
  public boolean await(long seen, long timeout, TimeUnit unit) throws InterruptedException {
    return await(seen, unit.toNanos(timeout));
  }
}
