package dev.steadfast.core;

import dev.steadfast.core.internal.CurrentDeadline;
import dev.steadfast.core.spi.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The point in time by which a call must be done, carried with the call across retries, hedges and services.
 * Immutable and thread-safe.
 *
 * <p>A pipeline gives every attempt the timeout {@code min(attempt timeout, time left)} and stops retrying or
 * hedging when too little time is left. To pass a deadline to the next service, send {@link #toHeaderValue()}
 * in a header (gRPC-style: the time left, in milliseconds) and rebuild it there with {@link
 * #fromHeaderValue(String, TimeSource)}; the network time in between is then charged to the callee, which is
 * the safe side.
 *
 * <p>Inside a pipeline call, {@link #current()} returns the deadline of the running call on the calling thread.
 *
 * @since 0.1.0
 */
public final class Deadline implements Comparable<Deadline> {

  /** The header that carries a deadline between Steadfast services, in milliseconds left. */
  public static final String HEADER = "Steadfast-Deadline-Ms";

  private final TimeSource time;
  private final long expiresAtNanos;

  private Deadline(TimeSource time, long expiresAtNanos) {
    this.time = time;
    this.expiresAtNanos = expiresAtNanos;
  }

  /**
   * A deadline {@code timeout} from now on {@code time}'s clock.
   *
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public static Deadline after(Duration timeout, TimeSource time) {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(time, "time");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be >= 0, was " + timeout);
    }
    long now = time.nanoTime();
    long nanos = TimeSource.toNanosSaturated(timeout);
    // Saturate instead of wrapping around: a huge timeout means "practically never".
    long expiresAt = now + nanos < now ? Long.MAX_VALUE : now + nanos;
    return new Deadline(time, expiresAt);
  }

  /** A deadline {@code timeout} from now on the system clock. */
  public static Deadline after(Duration timeout) {
    return after(timeout, TimeSource.system());
  }

  /**
   * Rebuilds a deadline from the value of the {@link #HEADER} header: the milliseconds left when it was sent.
   *
   * @return empty if {@code headerValue} is null or blank
   * @throws IllegalArgumentException if the value is not a non-negative whole number of milliseconds; the
   *     message quotes it
   */
  public static Optional<Deadline> fromHeaderValue(@Nullable String headerValue, TimeSource time) {
    if (headerValue == null || headerValue.isBlank()) {
      return Optional.empty();
    }
    long millis;
    try {
      millis = Long.parseLong(headerValue.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          HEADER + " must be a whole number of milliseconds, was '" + headerValue + "'", e);
    }
    if (millis < 0) {
      throw new IllegalArgumentException(HEADER + " must be >= 0, was '" + headerValue + "'");
    }
    return Optional.of(after(Duration.ofMillis(millis), time));
  }

  /**
   * The deadline of the pipeline call running on this thread, if any. Async continuations run on other threads
   * and do not see it: pass the deadline on explicitly there.
   */
  public static Optional<Deadline> current() {
    return Optional.ofNullable(CurrentDeadline.get());
  }

  /**
   * Makes {@code deadline} the {@link #current()} one until the returned scope is closed, which restores the
   * previous one. Pipelines do this for their calls; use it to hand a deadline to code that reads {@link
   * #current()}.
   */
  public static Scope bind(@Nullable Deadline deadline) {
    Deadline previous = CurrentDeadline.swap(deadline);
    return () -> CurrentDeadline.swap(previous);
  }

  /**
   * Runs {@code work} with this deadline {@link #current()} on this thread, then restores the previous one:
   * every pipeline call inside gets at most the time left.
   */
  public <T> T within(Supplier<T> work) {
    Objects.requireNonNull(work, "work");
    Deadline previous = CurrentDeadline.swap(this);
    try {
      return work.get();
    } finally {
      CurrentDeadline.swap(previous);
    }
  }

  /** Restores the previous {@link #current()} deadline when closed. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** Nanoseconds left, negative once expired. */
  public long remainingNanos() {
    return expiresAtNanos - time.nanoTime();
  }

  /** Time left, zero once expired. */
  public Duration remaining() {
    return Duration.ofNanos(Math.max(0, remainingNanos()));
  }

  /** Whether no time is left. */
  public boolean isExpired() {
    return remainingNanos() <= 0;
  }

  /** The earlier of this deadline and {@code other}. */
  public Deadline min(Deadline other) {
    return compareTo(other) <= 0 ? this : other;
  }

  /** The time left in whole milliseconds, rounded down and never negative, for the {@link #HEADER} header. */
  public String toHeaderValue() {
    return Long.toString(Math.max(0, remainingNanos()) / 1_000_000);
  }

  /** The time source this deadline reads. */
  public TimeSource timeSource() {
    return time;
  }

  @Override
  public int compareTo(Deadline other) {
    return Long.compare(expiresAtNanos - other.expiresAtNanos, 0);
  }

  @Override
  public String toString() {
    return "Deadline[" + remaining().toMillis() + " ms left]";
  }
}
