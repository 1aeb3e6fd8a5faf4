package dev.steadfast.messaging.rabbitmq.internal;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.messaging.rabbitmq.RabbitMqPublishException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * One call of {@code publish}: its messages and their outcomes, settled once each, from any thread (the client's
 * I/O thread for confirms, the scheduler for the timeout, the publishing thread for write failures); thread-safe.
 * The stage completes on the executor when the last outcome is in, so that the caller's continuations never run
 * on the client's I/O thread.
 */
final class PublishBatch {

  final List<OutboxMessage> messages;
  private final AtomicReferenceArray<@Nullable PublishOutcome> outcomes;
  private final AtomicReferenceArray<@Nullable PendingConfirm> pending;
  private final AtomicInteger remaining;
  private final CompletableFuture<List<PublishOutcome>> future = new CompletableFuture<>();
  private final Executor completionExecutor;

  PublishBatch(List<OutboxMessage> messages, Executor completionExecutor) {
    this.messages = messages;
    this.outcomes = new AtomicReferenceArray<>(messages.size());
    this.pending = new AtomicReferenceArray<>(messages.size());
    this.remaining = new AtomicInteger(messages.size());
    this.completionExecutor = completionExecutor;
  }

  CompletableFuture<List<PublishOutcome>> future() {
    return future;
  }

  int size() {
    return messages.size();
  }

  boolean isSettled(int index) {
    return outcomes.get(index) != null;
  }

  boolean isDone() {
    return remaining.get() == 0;
  }

  void track(int index, PendingConfirm confirm) {
    pending.set(index, confirm);
  }

  /** Settles message {@code index} unless it is settled already; true if this call settled it. */
  boolean settle(int index, PublishOutcome outcome) {
    if (!outcomes.compareAndSet(index, null, outcome)) {
      return false;
    }
    if (remaining.decrementAndGet() == 0) {
      PublishOutcome[] all = new PublishOutcome[outcomes.length()];
      for (int i = 0; i < all.length; i++) {
        all[i] = outcomes.get(i);
      }
      List<PublishOutcome> result = Arrays.asList(all);
      try {
        completionExecutor.execute(() -> future.complete(List.copyOf(result)));
      } catch (RejectedExecutionException shutDown) {
        future.complete(List.copyOf(result));
      }
    }
    return true;
  }

  /** Fails every message from {@code from} on that is not settled yet; returns how many it failed. */
  int failFrom(int from, Throwable cause) {
    int failed = 0;
    for (int i = from; i < messages.size(); i++) {
      PendingConfirm confirm = pending.get(i);
      if (confirm != null) {
        confirm.forget();
      }
      if (settle(i, PublishOutcome.failed(messages.get(i).id(), cause))) {
        failed++;
      }
    }
    return failed;
  }

  /** Fails, as timed out, every message not settled yet; returns how many. */
  int timeOut(String timeout) {
    if (isDone()) {
      return 0;
    }
    return failFrom(
        0,
        new RabbitMqPublishException(
            RabbitMqPublishException.Reason.CONFIRM_TIMEOUT, "no confirm within " + timeout, null));
  }
}
