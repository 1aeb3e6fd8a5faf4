package dev.steadfast.messaging.sqs.internal;

import org.jspecify.annotations.Nullable;

/**
 * What the adapter knows about one queue. Immutable.
 *
 * @param url the queue URL
 * @param name the queue name (the URL's last path segment)
 * @param fifo whether it is a FIFO queue
 * @param maxMessageBytes the queue's {@code MaximumMessageSize}: the most bytes of one message, and of one batch
 * @param deadLetterTargetArn the redrive policy's dead-letter queue, or null without one
 * @param maxReceiveCount the redrive policy's receive count after which SQS moves a message there, or 0
 */
public record QueueInfo(
    String url, String name, boolean fifo, int maxMessageBytes, @Nullable String deadLetterTargetArn,
    int maxReceiveCount) {

  /** The limit SQS applied before 2025 and still applies to queues created with it: 256 KiB. */
  public static final int LEGACY_MAX_MESSAGE_BYTES = 256 * 1024;

  /** The name of the queue a URL points at: its last path segment. */
  public static String nameOf(String url) {
    String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }
}
