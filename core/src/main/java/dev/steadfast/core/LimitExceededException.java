package dev.steadfast.core;

/**
 * A concurrency limit (adaptive, or per key) refused the call: the downstream, or this caller's share of it,
 * is already as busy as the limit allows. Not retried by default.
 *
 * @since 0.1.0
 */
public class LimitExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The limit {@code limit} refused a call. */
  public LimitExceededException(String limit) {
    super("concurrency limit '" + limit + "' reached", null, false, false);
  }
}
