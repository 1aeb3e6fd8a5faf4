package dev.steadfast.core;

/**
 * A call that returns a result and may throw a checked exception, for {@link Pipeline#call(CheckedSupplier)}.
 *
 * @param <T> the result type
 * @since 0.1.0
 */
@FunctionalInterface
public interface CheckedSupplier<T> {
  /** Makes the call. */
  T get() throws Exception;
}
