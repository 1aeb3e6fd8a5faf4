package dev.steadfast.messaging.sqs;

/**
 * A message SQS refused because of what it is, not because of a passing failure: the cause of a {@link
 * dev.steadfast.messaging.outbox.spi.PublishOutcome#rejected rejected} (permanent) outcome, for an entry that SQS
 * answered with {@code SenderFault}, or one the adapter found invalid before sending (too large for the queue, a
 * key SQS cannot carry). Publishing it again cannot help: the relay parks such messages.
 *
 * @since 0.1.0
 */
public final class SqsSenderFaultException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  /**
   * A sender fault with the SQS error {@code code} (or the adapter's own code for a check made before sending)
   * and a message saying what was wrong.
   */
  public SqsSenderFaultException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  /** The SQS error code, such as {@code InvalidMessageContents}, or the adapter's code for its own checks. */
  public String code() {
    return code;
  }
}
