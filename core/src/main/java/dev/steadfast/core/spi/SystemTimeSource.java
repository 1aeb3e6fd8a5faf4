package dev.steadfast.core.spi;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The system's time. Thread-safe. */
final class SystemTimeSource implements TimeSource {

  /** Holder idiom: the shared scheduler thread starts only when a policy first needs a timer. */
  private static final class Shared {
    static final SystemTimeSource INSTANCE = new SystemTimeSource(newTimerScheduler());

    private static ScheduledExecutorService newTimerScheduler() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "steadfast-timer");
                thread.setDaemon(true);
                return thread;
              });
      // Cancelled hedges and timeouts are the common case: drop them at once instead of at their deadline.
      executor.setRemoveOnCancelPolicy(true);
      return executor;
    }
  }

  private final ScheduledExecutorService scheduler;

  SystemTimeSource(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  static SystemTimeSource shared() {
    return Shared.INSTANCE;
  }

  @Override
  public java.time.Clock clock() {
    return java.time.Clock.systemUTC();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void sleepNanos(long nanos) throws InterruptedException {
    if (nanos > 0) {
      TimeUnit.NANOSECONDS.sleep(nanos);
    }
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    var future = scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }
}
