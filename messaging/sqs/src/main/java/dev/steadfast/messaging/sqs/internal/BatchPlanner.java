package dev.steadfast.messaging.sqs.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits entries into {@code SendMessageBatch} requests: in order, at most {@link #MAX_ENTRIES} per batch, and
 * the sum of their sizes at most the queue's limit (SQS applies {@code MaximumMessageSize} to one message and to
 * the whole batch). Stateless.
 */
public final class BatchPlanner {

  /** SQS's limit on entries per batch request. */
  public static final int MAX_ENTRIES = 10;

  private BatchPlanner() {}

  /**
   * {@code entries}, in order, cut into batches. Every entry must itself fit ({@code sizeBytes <= maxBatchBytes}).
   *
   * @throws IllegalArgumentException if an entry is larger than {@code maxBatchBytes}
   */
  public static List<List<EncodedMessage>> split(List<EncodedMessage> entries, int maxBatchBytes) {
    List<List<EncodedMessage>> batches = new ArrayList<>();
    List<EncodedMessage> current = new ArrayList<>(MAX_ENTRIES);
    long currentBytes = 0;
    for (EncodedMessage entry : entries) {
      if (entry.sizeBytes() > maxBatchBytes) {
        throw new IllegalArgumentException(
            "entry of " + entry.sizeBytes() + " bytes exceeds the batch limit of " + maxBatchBytes + " bytes");
      }
      if (current.size() == MAX_ENTRIES || currentBytes + entry.sizeBytes() > maxBatchBytes) {
        batches.add(current);
        current = new ArrayList<>(MAX_ENTRIES);
        currentBytes = 0;
      }
      current.add(entry);
      currentBytes += entry.sizeBytes();
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  /**
   * The batch entry id of the {@code position}-th entry of a batch: its decimal position, unique within the
   * request and within SQS's rules (1 to 80 of {@code [A-Za-z0-9_-]}). Outbox ids are not used, since one
   * publish call may carry the same message twice.
   */
  public static String entryId(int position) {
    return Integer.toString(position);
  }
}
