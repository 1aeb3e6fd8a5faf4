package dev.steadfast.testkit.chaos;

/**
 * A failure that chaos injected, not one of the code under test: the default fault of a {@link ChaosPolicy} and
 * the cause the testkit's in-memory broker reports for the publishes and confirms it was told to fail. Tests can
 * tell injected failures from real ones by this type.
 *
 * @since 0.1.0
 */
public class InjectedFaultException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A fault described by {@code message}. */
  public InjectedFaultException(String message) {
    super(message);
  }
}
