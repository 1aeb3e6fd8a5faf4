package dev.steadfast.messaging.sqs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlResponse;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/**
 * A real client (to ElasticMQ) with network faults on demand, as SQS clients meet them over HTTP: a batch that
 * reached SQS but whose response was lost, and a consumer whose calls stop getting through (its visibility
 * heartbeats fail, so its message comes back). Thread-safe.
 */
final class FaultInjectingSqsClient implements SqsAsyncClient {

  private final SqsAsyncClient real;
  private final AtomicInteger loseSendResponses = new AtomicInteger();
  private final AtomicInteger failSends = new AtomicInteger();
  private final AtomicBoolean visibilityCut = new AtomicBoolean();
  private final AtomicInteger deleteRequests = new AtomicInteger();
  private final AtomicBoolean crashed = new AtomicBoolean();
  private volatile double sendFailureRate;
  private volatile double lostResponseRate;
  private volatile double entryFailureRate;
  private final Random random = new Random(42);

  FaultInjectingSqsClient(SqsAsyncClient real) {
    this.real = real;
  }

  /** The next {@code count} batches reach SQS, and their responses are lost. */
  void loseNextSendResponses(int count) {
    loseSendResponses.set(count);
  }

  /** The next {@code count} batches fail before reaching SQS. */
  void failNextSends(int count) {
    failSends.set(count);
  }

  /** From now on, visibility changes (heartbeats, requeues) fail as if the connection were cut. */
  void cutVisibilityChanges() {
    visibilityCut.set(true);
  }

  /**
   * From now on, at random: a batch fails before reaching SQS ({@code sendFailureRate}), or reaches it and its
   * response is lost ({@code lostResponseRate}), or an entry SQS took is reported failed, not a sender fault
   * ({@code entryFailureRate}, a confirm lost per entry).
   */
  void randomSendFaults(double sendFailureRate, double lostResponseRate, double entryFailureRate) {
    this.sendFailureRate = sendFailureRate;
    this.lostResponseRate = lostResponseRate;
    this.entryFailureRate = entryFailureRate;
  }

  /**
   * The process dies: from now on no call of this client gets through (no deletes, no visibility changes, no
   * receives), so whatever its consumers held comes back only after its visibility timeout.
   */
  void crash() {
    crashed.set(true);
  }

  private synchronized double nextRandom() {
    return random.nextDouble();
  }

  private static <T> CompletableFuture<T> down() {
    return CompletableFuture.failedFuture(SdkClientException.create("process crashed (injected)"));
  }

  /** How many DeleteMessageBatch requests were made. */
  int deleteRequests() {
    return deleteRequests.get();
  }

  @Override
  public CompletableFuture<SendMessageBatchResponse> sendMessageBatch(SendMessageBatchRequest request) {
    if (crashed.get()) {
      return down();
    }
    if (sendFailureRate > 0 && nextRandom() < sendFailureRate) {
      return CompletableFuture.failedFuture(SdkClientException.create("connection refused (injected)"));
    }
    if (lostResponseRate > 0 && nextRandom() < lostResponseRate) {
      return real.sendMessageBatch(request).handle((response, failure) -> {
        throw SdkClientException.create("connection reset after the request was sent (injected)");
      });
    }
    if (entryFailureRate > 0) {
      return real.sendMessageBatch(request).thenApply(this::failSomeEntries);
    }
    if (failSends.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return CompletableFuture.failedFuture(SdkClientException.create("connection refused (injected)"));
    }
    CompletableFuture<SendMessageBatchResponse> sent = real.sendMessageBatch(request);
    if (loseSendResponses.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return sent.handle((response, failure) -> {
        throw SdkClientException.create("connection reset after the request was sent (injected)");
      });
    }
    return sent;
  }

  private SendMessageBatchResponse failSomeEntries(SendMessageBatchResponse response) {
    List<SendMessageBatchResultEntry> kept = new ArrayList<>();
    List<BatchResultErrorEntry> failed = new ArrayList<>(response.failed());
    for (SendMessageBatchResultEntry entry : response.successful()) {
      if (nextRandom() < entryFailureRate) {
        failed.add(BatchResultErrorEntry.builder().id(entry.id())
            .code("InternalError").senderFault(false).message("injected").build());
      } else {
        kept.add(entry);
      }
    }
    return response.toBuilder().successful(kept).failed(failed).build();
  }

  @Override
  public CompletableFuture<ChangeMessageVisibilityResponse> changeMessageVisibility(
      ChangeMessageVisibilityRequest request) {
    if (crashed.get()) {
      return down();
    }
    if (visibilityCut.get()) {
      return CompletableFuture.failedFuture(SdkClientException.create("connection reset (injected)"));
    }
    return real.changeMessageVisibility(request);
  }

  @Override
  public CompletableFuture<ReceiveMessageResponse> receiveMessage(ReceiveMessageRequest request) {
    if (crashed.get()) {
      return down();
    }
    return real.receiveMessage(request);
  }

  @Override
  public CompletableFuture<DeleteMessageBatchResponse> deleteMessageBatch(DeleteMessageBatchRequest request) {
    if (crashed.get()) {
      return down();
    }
    deleteRequests.incrementAndGet();
    return real.deleteMessageBatch(request);
  }

  @Override
  public CompletableFuture<GetQueueUrlResponse> getQueueUrl(GetQueueUrlRequest request) {
    return real.getQueueUrl(request);
  }

  @Override
  public CompletableFuture<GetQueueAttributesResponse> getQueueAttributes(GetQueueAttributesRequest request) {
    return real.getQueueAttributes(request);
  }

  @Override
  public CompletableFuture<SendMessageResponse> sendMessage(SendMessageRequest request) {
    return real.sendMessage(request);
  }

  @Override
  public String serviceName() {
    return real.serviceName();
  }

  @Override
  public void close() {
    // The real client belongs to the test class's SqsExtension.
  }
}
