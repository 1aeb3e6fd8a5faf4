package dev.steadfast.core.internal;

import dev.steadfast.core.RetryBudget;
import dev.steadfast.core.spi.TimeSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Finagle-style retry budget: deposits per request, withdrawals per retry, over a sliding window. Thread-safe.
 *
 * <p>Design: the window is cut into {@value #SLOTS} slots, each an atomic sum tagged with the slot's epoch (its
 * start time divided by the slot length). A slot whose epoch is older than the window is reset by the first
 * writer that finds it stale. Under contention a reset may race with a concurrent add into the same new slot
 * and drop it, which can only make the budget briefly more generous by one request's deposit; single-threaded,
 * the accounting is exact. Amounts are thousandths of a retry.
 */
public final class PercentRetryBudget implements RetryBudget {

  private static final int SLOTS = 10;
  private static final long SCALE = 1000;

  private final long depositMilli;
  private final long reserveMilli;
  private final long slotNanos;
  private final TimeSource time;
  private final AtomicLongArray sums = new AtomicLongArray(SLOTS);
  private final AtomicLongArray epochs = new AtomicLongArray(SLOTS);

  public PercentRetryBudget(double percent, Duration window, int minRetriesPerSecond, TimeSource time) {
    this.depositMilli = Math.round(percent * SCALE);
    this.reserveMilli = (long) minRetriesPerSecond * window.toSeconds() * SCALE;
    this.slotNanos = Math.max(1, window.toNanos() / SLOTS);
    this.time = time;
    long epoch = epochOf(time.nanoTime());
    for (int i = 0; i < SLOTS; i++) {
      epochs.set(i, Long.MIN_VALUE);
    }
    epochs.set(slotOf(epoch), epoch);
  }

  @Override
  public void onRequest() {
    if (depositMilli > 0) {
      add(depositMilli);
    }
  }

  @Override
  public boolean tryAcquireRetry() {
    // Check-then-withdraw is not atomic: two racing retries may both pass with one retry's balance left, an
    // overdraft of at most one retry per concurrent caller.
    if (balanceMilli() >= SCALE) {
      add(-SCALE);
      return true;
    }
    return false;
  }

  @Override
  public void onSuccess() {}

  @Override
  public void onFailure() {}

  @Override
  public double available() {
    return Math.max(0, (double) balanceMilli() / SCALE);
  }

  private long balanceMilli() {
    long current = epochOf(time.nanoTime());
    long sum = reserveMilli;
    for (int i = 0; i < SLOTS; i++) {
      long epoch = epochs.get(i);
      if (epoch > current - SLOTS && epoch <= current) {
        sum += sums.get(i);
      }
    }
    return sum;
  }

  private void add(long amount) {
    long epoch = epochOf(time.nanoTime());
    int slot = slotOf(epoch);
    long seen = epochs.get(slot);
    if (seen != epoch && epochs.compareAndSet(slot, seen, epoch)) {
      sums.set(slot, amount);
      return;
    }
    sums.addAndGet(slot, amount);
  }

  private long epochOf(long nanos) {
    return Math.floorDiv(nanos, slotNanos);
  }

  private static int slotOf(long epoch) {
    return (int) Math.floorMod(epoch, (long) SLOTS);
  }

  @Override
  public String toString() {
    return "RetryBudget[percentOfRequests deposit=" + (double) depositMilli / SCALE + ", reserve="
        + (double) reserveMilli / SCALE + ", available=" + available() + "]";
  }
}
