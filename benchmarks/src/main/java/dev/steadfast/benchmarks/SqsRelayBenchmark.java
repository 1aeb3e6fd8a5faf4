package dev.steadfast.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.messaging.sqs.SqsAdapterConfig;
import dev.steadfast.messaging.sqs.SqsBrokerAdapter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * 1 KiB messages to an embedded ElasticMQ (started by the benchmark in this JVM, on a loopback port), 100 per
 * operation step; the score is messages per second.
 *
 * <ul>
 *   <li>{@code steadfastRelay}: the outbox relay on PostgreSQL ({@code 127.0.0.1:5432}, database {@code test},
 *       user {@code postgres}, a table of its own): one {@code relayOnce()} claims 100 committed rows, publishes
 *       them through {@code steadfast-sqs} (ten batches of ten, all in flight) and deletes them. The 100 rows are
 *       enqueued before each call, outside the measured time.
 *   <li>{@code steadfastPublisher}: the adapter alone, the same 100 messages per call.
 *   <li>{@code rawSdkSendMessageBatch}: the floor, a raw AWS SDK loop: the same entries (body, id and one header
 *       attribute) as ten {@code SendMessageBatch} requests in flight at once, on the same client.
 * </ul>
 *
 * <p>Run from the repository root (ElasticMQ, PostgreSQL and the client share the machine: compare only figures of
 * one run):
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip
 * java -jar benchmarks/target/benchmarks.jar SqsRelayBenchmark -f 1 -wi 5 -w 5s -i 5 -r 5s -t 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SqsRelayBenchmark {

  private static final int STEP = 100;

  private SQSRestServer server;
  private SqsAsyncClient client;
  private SqsBrokerAdapter adapter;
  private MessagePublisher publisher;
  private String queueUrl;
  private byte[] payload;

  @Setup(Level.Trial)
  public void start() throws Exception {
    server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().withAWSRegion("us-east-1").start();
    int port = server.waitUntilStarted().localAddress().getPort();
    client = SqsAsyncClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + port))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(64))
        .build();
    queueUrl = client.createQueue(r -> r.queueName("bench")).join().queueUrl();
    adapter = SqsBrokerAdapter.builder(client)
        .config(SqsAdapterConfig.builder().maxConcurrentBatches(STEP / 10).build())
        .build();
    publisher = adapter.publisher();
    payload = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
  }

  /** The outbox on PostgreSQL and its relay, for {@code steadfastRelay} only. */
  @State(Scope.Thread)
  public static class RelayState {
    private HikariDataSource pool;
    private Outbox outbox;
    private OutboxRelay relay;
    private String table;
    private SqsRelayBenchmark shared;

    @Setup(Level.Trial)
    public void open(SqsRelayBenchmark benchmark) throws Exception {
      shared = benchmark;
      pool = new HikariDataSource();
      pool.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/test");
      pool.setUsername("postgres");
      pool.setMaximumPoolSize(4);
      table = "bench_sqs_outbox_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
      outbox = Outbox.builder(pool).table(table).notifications(false).build();
      outbox.createSchemaIfMissing();
      relay = OutboxRelay.builder(outbox, benchmark.publisher).batchSize(STEP).build(); // driven by relayOnce
    }

    /** The next step's 100 rows, committed before the measured call. */
    @Setup(Level.Invocation)
    public void enqueue() throws Exception {
      try (Connection connection = pool.getConnection()) {
        connection.setAutoCommit(false);
        outbox.enqueue(connection, shared.messages());
        connection.commit();
      }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      relay.close();
      try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + table + ", " + table + "_lease");
      }
      pool.close();
    }
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
    List<OutboxMessage> messages = new ArrayList<>(STEP);
    for (int i = 0; i < STEP; i++) {
      messages.add(new OutboxMessage(UUID.randomUUID(), queueUrl, null, payload, Map.of("tenant", "t-1")));
    }
    return messages;
  }

  /** Outbox relay: claim 100 rows, publish through the adapter, delete the confirmed rows. */
  @Benchmark
  @OperationsPerInvocation(STEP)
  public int steadfastRelay(RelayState state) throws Exception {
    int relayed = state.relay.relayOnce();
    if (relayed != STEP) {
      throw new IllegalStateException("relayed " + relayed + " instead of " + STEP);
    }
    return relayed;
  }

  /** The adapter alone: encode, size, split into batches, send, one outcome per message. */
  @Benchmark
  @OperationsPerInvocation(STEP)
  public List<PublishOutcome> steadfastPublisher() {
    List<PublishOutcome> outcomes = publisher.publish(messages()).toCompletableFuture().join();
    for (PublishOutcome outcome : outcomes) {
      if (!outcome.isConfirmed()) {
        throw new IllegalStateException("not confirmed: " + outcome);
      }
    }
    return outcomes;
  }

  /** The floor: the same entries as raw SendMessageBatch requests, ten in flight at once. */
  @Benchmark
  @OperationsPerInvocation(STEP)
  public CompletableFuture<?>[] rawSdkSendMessageBatch() {
    List<OutboxMessage> messages = messages();
    CompletableFuture<?>[] sent = new CompletableFuture<?>[STEP / 10];
    for (int b = 0; b < sent.length; b++) {
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
    return sent;
  }

  private static MessageAttributeValue string(String value) {
    return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
  }
}
