package dev.steadfast.testkit;

import dev.steadfast.testkit.internal.BlockingAsyncHttpClient;
import dev.steadfast.testkit.internal.ClassScope;
import dev.steadfast.testkit.internal.DatabaseNames;
import dev.steadfast.testkit.internal.ElasticMqServer;
import dev.steadfast.testkit.internal.SharedServers;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Thread-safe JUnit extension that gives tests an SQS-compatible server (an embedded ElasticMQ on a free loopback
 * port, started once per JVM) and AWS SDK v2 clients configured for it; tests of the class may use it in parallel.
 *
 * <p>Per test class the extension builds an {@link SqsClient} and an {@link SqsAsyncClient} (endpoint override,
 * static dummy credentials, region {@code us-east-1}, the {@code url-connection-client}) and closes them after the
 * class. Queues whose names come from {@link #queueName} or {@link #createQueue} are deleted after the test (with
 * test methods running in parallel: once none is running).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SqsExtension SQS = SqsExtension.create();
 *
 * @Test
 * void sendsAMessage() {
 *   String queueUrl = SQS.createQueue("orders");
 *   SQS.client().sendMessage(r -> r.queueUrl(queueUrl).messageBody("hello"));
 * }
 * }</pre>
 *
 * <p>ElasticMQ is not SQS: it counts message size in characters and ignores {@code MaximumMessageSize}. The async
 * client runs the blocking HTTP client on a thread per call (to keep Netty off the class path), fine for tests.
 * Needs {@code org.elasticmq:elasticmq-rest-sqs_2.13}, {@code software.amazon.awssdk:sqs} and
 * {@code software.amazon.awssdk:url-connection-client} on the test class path.
 *
 * @since 0.1.0
 */
public final class SqsExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  private static final Logger LOG = LoggerFactory.getLogger(SqsExtension.class);
  private static final Pattern BASE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,50}(\\.fifo)?");
  private static final String FIFO = ".fifo";

  private final ClassScope<ClassClients> scope = new ClassScope<>("SqsExtension");

  private SqsExtension() {}

  /** An extension with an embedded ElasticMQ. */
  public static SqsExtension create() {
    return new SqsExtension();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    scope.enter(
        context.getRequiredTestClass(),
        () ->
            new ClassClients(
                SharedServers.get(ElasticMqServer.class, ElasticMqServer.class, ElasticMqServer::start)));
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    scope.get().running.incrementAndGet();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ClassClients clients = scope.get();
    if (clients.running.decrementAndGet() == 0) {
      clients.deleteQueues();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    scope.exit();
  }

  /** The class's blocking client; closed after the class. */
  public SqsClient client() {
    return scope.get().client;
  }

  /** The class's asynchronous client; closed after the class. */
  public SqsAsyncClient asyncClient() {
    return scope.get().asyncClient;
  }

  /** Where the SQS API answers, for clients built by the code under test. */
  public URI endpoint() {
    return scope.get().server.endpoint();
  }

  /** The region the clients use. */
  public Region region() {
    return Region.of(ElasticMqServer.REGION);
  }

  /** Static dummy credentials that ElasticMQ accepts. */
  public AwsCredentialsProvider credentialsProvider() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("steadfast", "steadfast"));
  }

  /**
   * A queue name no other test uses, ending with {@code base} (so a FIFO base {@code orders.fifo} gives a FIFO name);
   * a queue of that name is deleted after the test.
   *
   * @throws IllegalArgumentException unless {@code base} is 1 to 50 of {@code [A-Za-z0-9_-]}, optionally followed
   *     by {@code .fifo}
   */
  public String queueName(String base) {
    if (!BASE_NAME.matcher(base).matches()) {
      throw new IllegalArgumentException(
          "queue base name must be 1 to 50 of [A-Za-z0-9_-], optionally ending in .fifo, was '" + base + "'");
    }
    ClassClients clients = scope.get();
    return clients.prefix + clients.counter.incrementAndGet() + "-" + base;
  }

  /**
   * Creates a queue named by {@link #queueName(String)}; a name ending in {@code .fifo} gives a FIFO queue.
   *
   * @return the queue's URL
   */
  public String createQueue(String base) {
    String name = queueName(base);
    return client()
        .createQueue(
            request -> {
              request.queueName(name);
              if (name.endsWith(FIFO)) {
                request.attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"));
              }
            })
        .queueUrl();
  }

  /** What one test class uses: the shared server, the class's clients, and its queue-name prefix. */
  private final class ClassClients implements AutoCloseable {
    final ElasticMqServer server;
    final SqsClient client;
    final SqsAsyncClient asyncClient;
    final String prefix = "steadfast-" + DatabaseNames.randomSuffix() + "-";
    final AtomicLong counter = new AtomicLong();
    final AtomicInteger running = new AtomicInteger();

    ClassClients(ElasticMqServer server) {
      this.server = server;
      this.client =
          SqsClient.builder()
              .endpointOverride(server.endpoint())
              .region(region())
              .credentialsProvider(credentialsProvider())
              .httpClient(UrlConnectionHttpClient.create())
              .build();
      this.asyncClient =
          SqsAsyncClient.builder()
              .endpointOverride(server.endpoint())
              .region(region())
              .credentialsProvider(credentialsProvider())
              .httpClient(new BlockingAsyncHttpClient(UrlConnectionHttpClient.create()))
              .build();
    }

    /** Deletes the queues the class's tests named; failures are logged, not thrown. */
    void deleteQueues() {
      try {
        for (String url : client.listQueues(request -> request.queueNamePrefix(prefix)).queueUrls()) {
          client.deleteQueue(request -> request.queueUrl(url));
        }
      } catch (SdkException e) {
        LOG.warn("could not delete the queues named {}*: {}", prefix, e.toString());
      }
    }

    @Override
    public void close() {
      try {
        deleteQueues();
      } finally {
        client.close();
        asyncClient.close();
      }
    }
  }
}
