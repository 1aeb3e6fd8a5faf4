package dev.steadfast.messaging.sqs;

/**
 * An SQS entry that was not accepted for a reason that may pass (SQS answered the entry with a failure that is not
 * a sender fault, or the adapter did not send it because an earlier message of its FIFO group failed): the cause
 * of a failed outcome whose message the relay publishes again. See {@link SqsSenderFaultException} for failures
 * that do not pass.
 *
 * @since 0.1.0
 */
public final class SqsPublishException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;

  /** A failure with the SQS error {@code code} (or the adapter's own) and a message saying what happened. */
  public SqsPublishException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  /** The SQS error code, or the adapter's code (such as {@code GroupStopped}). */
  public String code() {
    return code;
  }
}
