package dev.steadfast.messaging.rabbitmq.internal;

import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import org.jspecify.annotations.Nullable;

/** One written message waiting for its confirm on one channel incarnation; thread-safe. */
final class PendingConfirm {

  final PublishBatch batch;
  final int index;
  final long sequenceNumber;
  final String messageId;
  final long startNanos;
  final ConfirmTracker tracker;
  private volatile @Nullable String returnReason;

  PendingConfirm(
      PublishBatch batch, int index, long sequenceNumber, String messageId, long startNanos, ConfirmTracker tracker) {
    this.batch = batch;
    this.index = index;
    this.sequenceNumber = sequenceNumber;
    this.messageId = messageId;
    this.startNanos = startNanos;
    this.tracker = tracker;
  }

  /** The broker returned this message (it arrives before the ack, on the same I/O thread). */
  void markReturned(String reason) {
    returnReason = reason;
  }

  @Nullable String returnReason() {
    return returnReason;
  }

  /** Stops tracking: a confirm that comes later is ignored. */
  void forget() {
    tracker.remove(this);
  }

  boolean settle(PublishOutcome outcome) {
    return batch.settle(index, outcome);
  }
}
