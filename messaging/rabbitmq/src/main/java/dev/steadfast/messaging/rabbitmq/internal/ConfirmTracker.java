package dev.steadfast.messaging.rabbitmq.internal;

import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.messaging.rabbitmq.RabbitMqPublishException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The messages written on one incarnation of a publishing channel that wait for their confirm, by publish sequence
 * number; thread-safe and lock-free.
 *
 * <p>Design: sequence numbers restart at 1 on every new channel (and after every recovery), so each incarnation
 * has its own tracker. When the channel shuts down, its tracker {@link #kill dies}: every waiting message fails,
 * and a registration that races with the death sees it (it registers, then reads {@code death}; the killer sets
 * {@code death}, then drains) and fails its message itself. So a confirm is only ever matched against messages
 * written on the channel that sent it. Acks may arrive out of order and cover several messages ({@code
 * multiple}); a return arrives before the ack of the same message, on the same thread.
 */
final class ConfirmTracker {

  private final ConcurrentSkipListMap<Long, PendingConfirm> bySequence = new ConcurrentSkipListMap<>();
  private final Map<String, PendingConfirm> byMessageId = new ConcurrentHashMap<>();
  private final PublisherMeters meters;
  private volatile @Nullable Throwable death;

  ConfirmTracker(PublisherMeters meters) {
    this.meters = meters;
  }

  /** Tracks {@code confirm}; false if this tracker is dead (then the caller fails the message). */
  boolean register(PendingConfirm confirm) {
    PendingConfirm previous = bySequence.put(confirm.sequenceNumber, confirm);
    if (previous != null) {
      // Cannot happen on one channel incarnation; if it did, the older one must not be confirmed by mistake.
      byMessageId.remove(previous.messageId, previous);
      previous.settle(
          PublishOutcome.failed(
              UUID.fromString(previous.messageId),
              new RabbitMqPublishException(
                  RabbitMqPublishException.Reason.CONNECTION_LOST, "sequence number reused", null)));
    }
    byMessageId.put(confirm.messageId, confirm);
    if (death != null) {
      remove(confirm);
      return false;
    }
    return true;
  }

  void remove(PendingConfirm confirm) {
    bySequence.remove(confirm.sequenceNumber, confirm);
    byMessageId.remove(confirm.messageId, confirm);
  }

  @Nullable Throwable death() {
    return death;
  }

  /** The channel is gone: fails every waiting message with {@code cause}. */
  void kill(Throwable cause) {
    death = cause;
    for (Map.Entry<Long, PendingConfirm> entry = bySequence.pollFirstEntry();
        entry != null;
        entry = bySequence.pollFirstEntry()) {
      PendingConfirm confirm = entry.getValue();
      byMessageId.remove(confirm.messageId, confirm);
      if (confirm.settle(PublishOutcome.failed(confirm.batch.messages.get(confirm.index).id(), cause))) {
        meters.failed.increment();
      }
    }
  }

  /** basic.return: marks the message, whose ack follows. Runs on the client's I/O thread. */
  void returned(@Nullable String messageId, int replyCode, String replyText) {
    meters.returned.increment();
    if (messageId == null) {
      return;
    }
    PendingConfirm confirm = byMessageId.get(messageId);
    if (confirm != null) {
      confirm.markReturned(replyCode + " " + replyText);
    }
  }

  /** basic.ack or basic.nack. Runs on the client's I/O thread: only map updates and counters here. */
  void confirm(long sequenceNumber, boolean multiple, boolean ack) {
    if (multiple) {
      ConcurrentNavigableMap<Long, PendingConfirm> covered = bySequence.headMap(sequenceNumber, true);
      for (Map.Entry<Long, PendingConfirm> entry = covered.pollFirstEntry();
          entry != null;
          entry = covered.pollFirstEntry()) {
        settle(entry.getValue(), ack);
      }
    } else {
      PendingConfirm confirm = bySequence.remove(sequenceNumber);
      if (confirm != null) {
        settle(confirm, ack);
      }
    }
  }

  private void settle(PendingConfirm confirm, boolean ack) {
    byMessageId.remove(confirm.messageId, confirm);
    UUID id = confirm.batch.messages.get(confirm.index).id();
    String returnReason = confirm.returnReason();
    if (!ack) {
      if (confirm.settle(
          PublishOutcome.failed(
              id,
              new RabbitMqPublishException(
                  RabbitMqPublishException.Reason.NACKED, "the broker nacked the message", null)))) {
        meters.nacked.increment();
      }
    } else if (returnReason != null) {
      confirm.settle(
          PublishOutcome.failed(
              id,
              new RabbitMqPublishException(
                  RabbitMqPublishException.Reason.RETURNED,
                  "the broker returned the message as unroutable (" + returnReason + ")",
                  null)));
    } else if (confirm.settle(PublishOutcome.confirmed(id))) {
      meters.confirmed.increment();
      meters.recordConfirm(confirm.startNanos);
    }
  }
}
