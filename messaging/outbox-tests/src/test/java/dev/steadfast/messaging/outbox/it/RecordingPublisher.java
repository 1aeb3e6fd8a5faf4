package dev.steadfast.messaging.outbox.it;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A thread-safe in-memory publisher that records every message it confirms, in confirm order, and fails the
 * messages a test picks: the broker side of the outbox tests.
 */
final class RecordingPublisher implements MessagePublisher {

  final List<OutboxMessage> confirmed = new CopyOnWriteArrayList<>();
  final Set<UUID> alwaysFail = ConcurrentHashMap.newKeySet();
  final Set<UUID> refuseForGood = ConcurrentHashMap.newKeySet();
  volatile Predicate<OutboxMessage> failIf = message -> false;
  /** Each key that came twice in one batch (a key may have one message in flight): empty, or the relay is wrong. */
  final List<String> keysTwiceInABatch = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<List<PublishOutcome>> publish(List<OutboxMessage> messages) {
    List<PublishOutcome> outcomes = new ArrayList<>(messages.size());
    Set<String> keys = new HashSet<>();
    for (OutboxMessage message : messages) {
      if (message.key() != null && !keys.add(message.key())) {
        keysTwiceInABatch.add(message.key());
      }
      if (refuseForGood.contains(message.id())) {
        outcomes.add(PublishOutcome.rejected(message.id(), new IllegalArgumentException("too large for the broker")));
      } else if (alwaysFail.contains(message.id()) || failIf.test(message)) {
        outcomes.add(PublishOutcome.failed(message.id(), new IllegalStateException("broker nacked")));
      } else {
        confirmed.add(message);
        outcomes.add(PublishOutcome.confirmed(message.id()));
      }
    }
    return CompletableFuture.completedFuture(outcomes);
  }

  List<UUID> confirmedIds() {
    return confirmed.stream().map(OutboxMessage::id).toList();
  }
}
