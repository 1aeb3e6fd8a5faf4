package dev.steadfast.messaging.sqs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
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

  /** How many DeleteMessageBatch requests were made. */
  int deleteRequests() {
    return deleteRequests.get();
  }

  @Override
  public CompletableFuture<SendMessageBatchResponse> sendMessageBatch(SendMessageBatchRequest request) {
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

  @Override
  public CompletableFuture<ChangeMessageVisibilityResponse> changeMessageVisibility(
      ChangeMessageVisibilityRequest request) {
    if (visibilityCut.get()) {
      return CompletableFuture.failedFuture(SdkClientException.create("connection reset (injected)"));
    }
    return real.changeMessageVisibility(request);
  }

  @Override
  public CompletableFuture<ReceiveMessageResponse> receiveMessage(ReceiveMessageRequest request) {
    return real.receiveMessage(request);
  }

  @Override
  public CompletableFuture<DeleteMessageBatchResponse> deleteMessageBatch(DeleteMessageBatchRequest request) {
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
