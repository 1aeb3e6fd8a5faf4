package dev.steadfast.messaging.sqs.internal;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.messaging.sqs.SqsAdapterConfig;
import dev.steadfast.messaging.sqs.SqsPublishException;
import dev.steadfast.messaging.sqs.SqsSenderFaultException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * The thread-safe SQS publisher: one publish call is split by destination, each destination's messages encoded,
 * checked against the queue's size limit and cut into {@code SendMessageBatch} requests.
 *
 * <p>Design: every message's outcome has its own slot in an array that exactly one callback writes; the stage
 * completes after every batch's callback ran, which publishes the slots to the caller. Standard queues get up to
 * {@code maxConcurrentBatches} batches in flight; a FIFO queue's batches go one after the other, and once an entry
 * of a group failed, the later entries of that group in this call are not sent (reported failed, retryable), so
 * that the group's order in the queue never has a gap that a retry would fill out of order.
 */
public final class SqsPublisher implements MessagePublisher {

  private final SqsAsyncClient client;
  private final QueueDirectory directory;
  private final SqsAdapterConfig config;
  private final SqsMeters meters;
  private final LongSupplier nanoTime;
  private volatile boolean closed;

  /** A publisher on {@code client}. */
  public SqsPublisher(SqsAsyncClient client, QueueDirectory directory, SqsAdapterConfig config, SqsMeters meters,
      LongSupplier nanoTime) {
    this.client = client;
    this.directory = directory;
    this.config = config;
    this.meters = meters;
    this.nanoTime = nanoTime;
  }

  /** Refuses later publishes (reported failed); batches in flight complete. */
  public void close() {
    closed = true;
  }

  @Override
  public CompletionStage<List<PublishOutcome>> publish(List<OutboxMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    int count = messages.size();
    if (count == 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    PublishOutcome[] outcomes = new PublishOutcome[count];
    if (closed) {
      IllegalStateException closedFailure = new IllegalStateException("the SQS adapter is closed");
      for (int i = 0; i < count; i++) {
        outcomes[i] = PublishOutcome.failed(messages.get(i).id(), closedFailure);
      }
      return CompletableFuture.completedFuture(Arrays.asList(outcomes));
    }
    Map<String, List<Integer>> byDestination = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      byDestination.computeIfAbsent(messages.get(i).destination(), d -> new ArrayList<>()).add(i);
    }
    CompletableFuture<?>[] parts = new CompletableFuture<?>[byDestination.size()];
    int part = 0;
    for (Map.Entry<String, List<Integer>> destination : byDestination.entrySet()) {
      String name = destination.getKey();
      List<Integer> indices = destination.getValue();
      parts[part++] =
          directory.resolve(name)
              .thenCompose(queue -> publishToQueue(queue, name, indices, messages, outcomes))
              .exceptionally(failure -> {
                // The queue could not be looked up: its messages are not sent, and may be retried.
                Throwable cause = unwrap(failure);
                for (int index : indices) {
                  if (outcomes[index] == null) {
                    outcomes[index] = PublishOutcome.failed(messages.get(index).id(), cause);
                  }
                }
                return null;
              });
    }
    return CompletableFuture.allOf(parts)
        .handle((ignored, failure) -> {
          // A bug or an unexpected failure leaves a slot empty: the message counts as not sent.
          Throwable cause = failure != null ? unwrap(failure) : new IllegalStateException("no outcome recorded");
          for (int i = 0; i < count; i++) {
            if (outcomes[i] == null) {
              outcomes[i] = PublishOutcome.failed(messages.get(i).id(), cause);
            }
          }
          return Arrays.asList(outcomes);
        });
  }

  private CompletableFuture<Void> publishToQueue(QueueInfo queue, String destination, List<Integer> indices,
      List<OutboxMessage> messages, PublishOutcome[] outcomes) {
    SqsMeters.QueueMeters queueMeters = meters.queue(queue.name());
    queueMeters.published().increment(indices.size());
    Set<String> failedGroups = ConcurrentHashMap.newKeySet();
    List<EncodedMessage> sendable = new ArrayList<>(indices.size());
    for (int index : indices) {
      OutboxMessage message = messages.get(index);
      String group = queue.fifo() ? MessageCodec.groupId(message) : null;
      if (group != null && failedGroups.contains(group)) {
        outcomes[index] = groupStopped(message, group, queueMeters);
        continue;
      }
      try {
        EncodedMessage encoded = MessageCodec.encode(index, message, queue.fifo());
        if (encoded.sizeBytes() > queue.maxMessageBytes()) {
          throw new SqsSenderFaultException("MessageTooLong", "message " + message.id() + " takes "
              + encoded.sizeBytes() + " bytes with its attributes; queue " + queue.name() + " takes at most "
              + queue.maxMessageBytes());
        }
        sendable.add(encoded);
      } catch (SqsSenderFaultException invalid) {
        outcomes[index] = PublishOutcome.rejected(message.id(), invalid);
        queueMeters.failedPermanent().increment();
        if (group != null) {
          failedGroups.add(group);
        }
      }
    }
    List<List<EncodedMessage>> batches = BatchPlanner.split(sendable, queue.maxMessageBytes());
    if (batches.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (queue.fifo()) {
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (List<EncodedMessage> batch : batches) {
        chain = chain.thenCompose(ignored -> {
          List<EncodedMessage> stillSent = new ArrayList<>(batch.size());
          for (EncodedMessage entry : batch) {
            String group = Objects.requireNonNull(entry.groupId());
            if (failedGroups.contains(group)) {
              outcomes[entry.index()] = groupStopped(entry.message(), group, queueMeters);
            } else {
              stillSent.add(entry);
            }
          }
          return sendBatch(queue, destination, stillSent, outcomes, queueMeters, failedGroups);
        });
      }
      return chain;
    }
    AtomicInteger next = new AtomicInteger();
    int lanes = Math.min(config.maxConcurrentBatches(), batches.size());
    CompletableFuture<?>[] running = new CompletableFuture<?>[lanes];
    for (int lane = 0; lane < lanes; lane++) {
      running[lane] = sendInLane(queue, destination, batches, next, outcomes, queueMeters);
    }
    return CompletableFuture.allOf(running);
  }

  /** Sends the next unsent batch, and when it is answered the one after, until none is left. */
  private CompletableFuture<Void> sendInLane(QueueInfo queue, String destination,
      List<List<EncodedMessage>> batches, AtomicInteger next, PublishOutcome[] outcomes,
      SqsMeters.QueueMeters queueMeters) {
    int batch = next.getAndIncrement();
    if (batch >= batches.size()) {
      return CompletableFuture.completedFuture(null);
    }
    return sendBatch(queue, destination, batches.get(batch), outcomes, queueMeters, null)
        .thenCompose(ignored -> sendInLane(queue, destination, batches, next, outcomes, queueMeters));
  }

  /** Sends one batch and records each entry's outcome; never completes exceptionally. */
  private CompletableFuture<Void> sendBatch(QueueInfo queue, String destination, List<EncodedMessage> batch,
      PublishOutcome[] outcomes, SqsMeters.QueueMeters queueMeters, @Nullable Set<String> failedGroups) {
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
    for (int position = 0; position < batch.size(); position++) {
      EncodedMessage entry = batch.get(position);
      entries.add(SendMessageBatchRequestEntry.builder()
          .id(BatchPlanner.entryId(position))
          .messageBody(entry.body())
          .messageAttributes(entry.attributes())
          .messageGroupId(entry.groupId())
          .messageDeduplicationId(entry.deduplicationId())
          .build());
    }
    Duration timeout = config.sendTimeout();
    long started = nanoTime.getAsLong();
    CompletableFuture<SendMessageBatchResponse> sent;
    try {
      sent = client.sendMessageBatch(r -> r.queueUrl(queue.url()).entries(entries)
              .overrideConfiguration(o -> o.apiCallTimeout(timeout)))
          .orTimeout(timeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
    } catch (RuntimeException refused) {
      sent = CompletableFuture.failedFuture(refused);
    }
    return sent.handle((response, failure) -> {
      queueMeters.sent(nanoTime.getAsLong() - started);
      if (failure != null) {
        Throwable cause = unwrap(failure);
        if (cause instanceof QueueDoesNotExistException) {
          directory.invalidate(destination);
        }
        for (EncodedMessage entry : batch) {
          outcomes[entry.index()] = PublishOutcome.failed(entry.message().id(), cause);
          queueMeters.failedRetryable().increment();
          if (failedGroups != null && entry.groupId() != null) {
            failedGroups.add(entry.groupId());
          }
        }
        return null;
      }
      Map<String, EncodedMessage> byEntryId = new HashMap<>();
      for (int position = 0; position < batch.size(); position++) {
        byEntryId.put(BatchPlanner.entryId(position), batch.get(position));
      }
      for (SendMessageBatchResultEntry ok : response.successful()) {
        EncodedMessage entry = byEntryId.remove(ok.id());
        if (entry != null) {
          outcomes[entry.index()] = PublishOutcome.confirmed(entry.message().id());
          queueMeters.confirmed().increment();
        }
      }
      for (BatchResultErrorEntry error : response.failed()) {
        EncodedMessage entry = byEntryId.remove(error.id());
        if (entry == null) {
          continue;
        }
        String text = "SQS refused message " + entry.message().id() + ": " + error.message();
        if (Boolean.TRUE.equals(error.senderFault())) {
          outcomes[entry.index()] =
              PublishOutcome.rejected(entry.message().id(), new SqsSenderFaultException(error.code(), text));
          queueMeters.failedPermanent().increment();
        } else {
          outcomes[entry.index()] =
              PublishOutcome.failed(entry.message().id(), new SqsPublishException(error.code(), text));
          queueMeters.failedRetryable().increment();
        }
        if (failedGroups != null && entry.groupId() != null) {
          failedGroups.add(entry.groupId());
        }
      }
      for (EncodedMessage unanswered : byEntryId.values()) {
        outcomes[unanswered.index()] = PublishOutcome.failed(unanswered.message().id(),
            new SqsPublishException("NoResult", "SQS did not answer for message " + unanswered.message().id()));
        queueMeters.failedRetryable().increment();
        if (failedGroups != null && unanswered.groupId() != null) {
          failedGroups.add(unanswered.groupId());
        }
      }
      return null;
    });
  }

  private static PublishOutcome groupStopped(OutboxMessage message, String group, SqsMeters.QueueMeters meters) {
    meters.failedRetryable().increment();
    return PublishOutcome.failed(message.id(), new SqsPublishException("GroupStopped",
        "not sent: an earlier message of FIFO group " + group + " failed in the same publish"));
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
