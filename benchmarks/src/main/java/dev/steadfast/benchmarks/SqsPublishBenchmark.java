package dev.steadfast.benchmarks;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.messaging.sqs.SqsBrokerAdapter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Publishing 1 KiB messages to an embedded ElasticMQ (started by the benchmark, in this JVM, on a loopback port)
 * through {@code steadfast-sqs}'s publisher, beside the floor: a raw AWS SDK {@code SendMessageBatch} loop with the
 * same client, the same entries (body and the same three attributes) and the same number of batches in flight.
 * One operation is one message. {@code messagesPerCall} is the publish call's size: 10 is one batch, 100 is ten
 * batches in flight at once (the adapter's default window is 8; the raw loop sends all ten).
 *
 * <p>Run from the repository root (ElasticMQ and client share the machine: compare only figures of one run):
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip
 * java -jar benchmarks/target/benchmarks.jar SqsPublishBenchmark -f 1 -wi 3 -w 5s -i 5 -r 5s -t 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SqsPublishBenchmark {

  @Param({"10", "100"})
  int messagesPerCall;

  private SQSRestServer server;
  private SqsAsyncClient client;
  private SqsBrokerAdapter adapter;
  private MessagePublisher publisher;
  private String queueUrl;
  private byte[] payload;

  @Setup(Level.Trial)
  public void start() {
    server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().withAWSRegion("us-east-1").start();
    int port = server.waitUntilStarted().localAddress().getPort();
    client = SqsAsyncClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + port))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(64))
        .build();
    queueUrl = client.createQueue(r -> r.queueName("bench")).join().queueUrl();
    adapter = SqsBrokerAdapter.builder(client).build();
    publisher = adapter.publisher();
    payload = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
  }

  @TearDown(Level.Iteration)
  public void purge() {
    // ElasticMQ keeps every message in memory; an emptied queue keeps iterations alike.
    client.purgeQueue(r -> r.queueUrl(queueUrl)).join();
  }

  @TearDown(Level.Trial)
  public void stop() {
    adapter.close();
    client.close();
    server.stopAndWait();
  }

  private List<OutboxMessage> messages() {
    List<OutboxMessage> messages = new ArrayList<>(messagesPerCall);
    for (int i = 0; i < messagesPerCall; i++) {
      messages.add(new OutboxMessage(UUID.randomUUID(), queueUrl, null, payload, Map.of("tenant", "t-1")));
    }
    return messages;
  }

  /** The adapter: encode, size, split into batches, send, one outcome per message. */
  @Benchmark
  public void steadfastPublisher(Blackhole blackhole) {
    List<PublishOutcome> outcomes = publisher.publish(messages()).toCompletableFuture().join();
    for (PublishOutcome outcome : outcomes) {
      if (!outcome.isConfirmed()) {
        throw new IllegalStateException("not confirmed: " + outcome);
      }
    }
    blackhole.consume(outcomes);
  }

  /** The floor: the same entries as raw SendMessageBatch requests, all batches of the call in flight at once. */
  @Benchmark
  public void rawSdkSendMessageBatch(Blackhole blackhole) {
    List<OutboxMessage> messages = messages();
    int batches = messagesPerCall / 10;
    CompletableFuture<?>[] sent = new CompletableFuture<?>[batches];
    for (int b = 0; b < batches; b++) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>(10);
      for (int i = 0; i < 10; i++) {
        OutboxMessage message = messages.get(b * 10 + i);
        entries.add(SendMessageBatchRequestEntry.builder()
            .id(Integer.toString(i))
            .messageBody(new String(message.payload(), StandardCharsets.UTF_8))
            .messageAttributes(Map.of(
                "steadfast-id", string(message.id().toString()),
                "tenant", string("t-1")))
            .build());
      }
      sent[b] = client.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
    }
    CompletableFuture.allOf(sent).join();
    for (CompletableFuture<?> batch : sent) {
      SendMessageBatchResponse response = (SendMessageBatchResponse) batch.join();
      if (!response.failed().isEmpty()) {
        throw new IllegalStateException("failed entries: " + response.failed());
      }
    }
    blackhole.consume(Arrays.asList(sent));
  }

  private static MessageAttributeValue string(String value) {
    return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
  }
}
