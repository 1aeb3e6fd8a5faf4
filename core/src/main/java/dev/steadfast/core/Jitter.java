package dev.steadfast.core;

/**
 * How a {@link Backoff} randomises its delays so that clients that failed together do not retry together.
 *
 * <p>With {@code d} the un-jittered delay of the attempt ({@code min(max, initial * multiplier^(n-1))}), and
 * {@code rnd(a, b)} uniform in {@code [a, b)}:
 *
 * <ul>
 *   <li>{@link #NONE}: {@code d}
 *   <li>{@link #FULL}: {@code rnd(0, d)}: the most spread, the least total wait
 *   <li>{@link #EQUAL}: {@code d/2 + rnd(0, d/2)}: never retries sooner than half the backoff
 *   <li>{@link #DECORRELATED}: {@code min(max, rnd(initial, 3 * previous))}, starting from {@code previous =
 *       initial}: each delay grows from the last actual one, not from the attempt number
 * </ul>
 *
 * <p>The names and formulas are those of Marc Brooker's "Exponential Backoff And Jitter" (AWS Architecture
 * Blog, 2015).
 *
 * @since 0.1.0
 */
public enum Jitter {
  NONE,
  FULL,
  EQUAL,
  DECORRELATED
}
