package dev.steadfast.messaging.sqs.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;

/**
 * Thread-safe: deletes acknowledged messages with {@code DeleteMessageBatch}, at most one request in flight per
 * queue; acknowledgements that arrive meanwhile wait and go in the next request, so batches fill under load and a
 * lone ack is deleted at once. A failed delete is logged: the message comes back after its visibility timeout,
 * which at-least-once allows.
 */
final class DeleteBatcher {

  private static final Logger LOG = LoggerFactory.getLogger(DeleteBatcher.class);

  private final SqsAsyncClient client;
  private final String queueUrl;
  private final Queue<String> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushing = new AtomicBoolean();

  DeleteBatcher(SqsAsyncClient client, String queueUrl) {
    this.client = client;
    this.queueUrl = queueUrl;
  }

  /** Deletes the message of {@code receiptHandle}, soon. */
  void delete(String receiptHandle) {
    pending.add(receiptHandle);
    flush();
  }

  private void flush() {
    while (!pending.isEmpty() && flushing.compareAndSet(false, true)) {
      List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(BatchPlanner.MAX_ENTRIES);
      String handle;
      while (entries.size() < BatchPlanner.MAX_ENTRIES && (handle = pending.poll()) != null) {
        entries.add(DeleteMessageBatchRequestEntry.builder()
            .id(BatchPlanner.entryId(entries.size())).receiptHandle(handle).build());
      }
      if (entries.isEmpty()) {
        flushing.set(false);
        continue;
      }
      try {
        SqsSubscriber.background(client.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries))
            .whenComplete((response, failure) -> {
              if (failure != null) {
                LOG.warn("could not delete {} acknowledged messages from {} (they come back): {}", entries.size(),
                    queueUrl, failure.toString());
              } else if (!response.failed().isEmpty()) {
                LOG.warn("could not delete {} acknowledged messages from {} (they come back): {}",
                    response.failed().size(), queueUrl, response.failed().get(0));
              }
              flushing.set(false);
              flush();
            }));
      } catch (RuntimeException refused) {
        LOG.warn("could not delete {} acknowledged messages from {} (they come back): {}", entries.size(), queueUrl,
            refused.toString());
        flushing.set(false);
      }
      return;
    }
  }
}
