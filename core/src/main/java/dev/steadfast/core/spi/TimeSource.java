package dev.steadfast.core.spi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Where every Steadfast policy reads the time, waits and schedules: the one seam between the policies and the
 * passage of time. Thread-safe implementations only: a time source is shared by every pipeline built with it.
 *
 * <p>The system implementation reads {@link System#nanoTime()}, sleeps the calling thread and schedules on a
 * {@link ScheduledExecutorService}. The testkit's {@code VirtualTime} implements all three on a manual clock,
 * so backoff, breakers, budgets, hedges and deadlines run deterministically and without sleeping.
 *
 * @since 0.1.0
 */
public interface TimeSource {

  /**
   * Monotonic time in nanoseconds, comparable only with other readings of the same source (like {@link
   * System#nanoTime()}).
   */
  long nanoTime();

  /**
   * Blocks the calling thread for {@code nanos} nanoseconds of this source's time; returns at once when {@code
   * nanos <= 0}.
   *
   * @throws InterruptedException if the thread is interrupted while waiting; the interrupt status is cleared
   */
  void sleepNanos(long nanos) throws InterruptedException;

  /**
   * Runs {@code task} once, {@code delayNanos} nanoseconds of this source's time from now.
   *
   * @return a handle that cancels the task if it has not started
   */
  Cancellable schedule(Runnable task, long delayNanos);

  /**
   * A wall clock that moves with this source: the system's UTC clock for the system source, and for any other
   * source {@link java.time.Instant#EPOCH} plus {@link #nanoTime()}. Resilience4j's circuit breakers read it to
   * time their open state.
   */
  default Clock clock() {
    TimeSource source = this;
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a time source's clock is always UTC");
      }

      @Override
      public Instant instant() {
        return Instant.EPOCH.plusNanos(source.nanoTime());
      }
    };
  }

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not started yet; does nothing otherwise. */
    void cancel();
  }

  /** Reads {@link Duration} as nanoseconds, saturating at {@link Long#MAX_VALUE}. */
  static long toNanosSaturated(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    try {
      return duration.toNanos();
    } catch (ArithmeticException overflow) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /**
   * The system's time: {@link System#nanoTime()}, {@link Thread#sleep}, and {@code scheduler} for delayed work.
   * The caller owns {@code scheduler} and shuts it down.
   */
  static TimeSource system(ScheduledExecutorService scheduler) {
    return new SystemTimeSource(Objects.requireNonNull(scheduler, "scheduler"));
  }

  /**
   * The system's time with Steadfast's shared scheduler: one daemon thread, created on first use, that only
   * fires timers (hedges, timeouts) and never runs user code for long.
   */
  static TimeSource system() {
    return SystemTimeSource.shared();
  }
}
