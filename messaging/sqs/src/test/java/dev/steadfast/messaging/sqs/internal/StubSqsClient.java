package dev.steadfast.messaging.sqs.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * A stand-in for SQS, for what ElasticMQ cannot show: a queue with a real {@code MaximumMessageSize} counted in
 * bytes, and batch answers with chosen entries failed. Records every batch request. Thread-safe.
 */
final class StubSqsClient implements SqsAsyncClient {

  /** How the stub answers one entry: accept it, or fail it with a code and sender-fault flag. */
  record Answer(boolean ok, String code, boolean senderFault) {
    static final Answer OK = new Answer(true, "", false);

    static Answer fail(String code, boolean senderFault) {
      return new Answer(false, code, senderFault);
    }
  }

  private final boolean fifo;
  private final int maxMessageSize;
  private final Function<SendMessageBatchRequestEntry, Answer> answers;
  final List<SendMessageBatchRequest> batches = new CopyOnWriteArrayList<>();

  StubSqsClient(boolean fifo, int maxMessageSize, Function<SendMessageBatchRequestEntry, Answer> answers) {
    this.fifo = fifo;
    this.maxMessageSize = maxMessageSize;
    this.answers = answers;
  }

  static String url(String name) {
    return "https://sqs.us-east-1.amazonaws.com/123456789012/" + name;
  }

  @Override
  public CompletableFuture<GetQueueUrlResponse> getQueueUrl(GetQueueUrlRequest request) {
    return CompletableFuture.completedFuture(GetQueueUrlResponse.builder().queueUrl(url(request.queueName())).build());
  }

  @Override
  public CompletableFuture<GetQueueAttributesResponse> getQueueAttributes(GetQueueAttributesRequest request) {
    return CompletableFuture.completedFuture(GetQueueAttributesResponse.builder()
        .attributes(Map.of(
            QueueAttributeName.MAXIMUM_MESSAGE_SIZE, Integer.toString(maxMessageSize),
            QueueAttributeName.FIFO_QUEUE, Boolean.toString(fifo)))
        .build());
  }

  @Override
  public CompletableFuture<SendMessageBatchResponse> sendMessageBatch(SendMessageBatchRequest request) {
    batches.add(request);
    SendMessageBatchResponse.Builder response = SendMessageBatchResponse.builder();
    List<SendMessageBatchResultEntry> ok = new CopyOnWriteArrayList<>();
    List<BatchResultErrorEntry> failed = new CopyOnWriteArrayList<>();
    for (SendMessageBatchRequestEntry entry : request.entries()) {
      Answer answer = answers.apply(entry);
      if (answer.ok()) {
        ok.add(SendMessageBatchResultEntry.builder().id(entry.id()).messageId("m-" + entry.id()).build());
      } else {
        failed.add(BatchResultErrorEntry.builder().id(entry.id()).code(answer.code())
            .senderFault(answer.senderFault()).message("injected").build());
      }
    }
    return CompletableFuture.completedFuture(response.successful(ok).failed(failed).build());
  }

  @Override
  public String serviceName() {
    return "sqs";
  }

  @Override
  public void close() {}
}
