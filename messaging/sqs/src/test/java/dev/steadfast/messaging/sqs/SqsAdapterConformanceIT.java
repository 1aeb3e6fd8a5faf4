package dev.steadfast.messaging.sqs;

import dev.steadfast.messaging.outbox.spi.BrokerAdapter;
import dev.steadfast.testkit.SqsExtension;
import dev.steadfast.testkit.messaging.BrokerAdapterConformance;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The testkit's conformance suite against embedded ElasticMQ; the subclasses run it on a standard queue and on a
 * FIFO queue. Short visibility timeouts make the redeliveries after a lost consumer come within the suite's
 * timeout. The fault hooks wrap the real client: a batch whose response is lost after it reached the queue, and
 * a consumer whose visibility heartbeats stop getting through.
 */
abstract class SqsAdapterConformanceIT extends BrokerAdapterConformance {

  @RegisterExtension static final SqsExtension SQS = SqsExtension.create();

  private @Nullable FaultInjectingSqsClient client;

  /** The queue base name: {@code .fifo} for FIFO queues. */
  abstract String queueBase();

  /** Whether destinations are queue URLs (else queue names). */
  abstract boolean destinationsAreUrls();

  @Override
  protected BrokerAdapter createAdapter() {
    FaultInjectingSqsClient faults = new FaultInjectingSqsClient(SQS.asyncClient());
    client = faults;
    return SqsBrokerAdapter.builder(faults)
        .config(SqsAdapterConfig.builder()
            .fifoQueues(queueBase().endsWith(".fifo"))
            .receiveWait(Duration.ofSeconds(1))
            .visibilityTimeout(Duration.ofSeconds(3))
            .heartbeatInterval(Duration.ofSeconds(1))
            .sendTimeout(Duration.ofSeconds(10))
            .build())
        .handlerThreads(4)
        .build();
  }

  @Override
  protected String newDestination() {
    String url = SQS.createQueue(queueBase());
    return destinationsAreUrls() ? url : url.substring(url.lastIndexOf('/') + 1);
  }

  @Override
  protected Optional<Runnable> cutConnectionAfterPublishBeforeConfirm() {
    return Optional.of(() -> faults().loseNextSendResponses(1));
  }

  @Override
  protected Optional<Runnable> cutConsumerConnectionBeforeAck() {
    return Optional.of(() -> faults().cutVisibilityChanges());
  }

  @Override
  protected Duration timeout() {
    return Duration.ofSeconds(20);
  }

  final FaultInjectingSqsClient faults() {
    FaultInjectingSqsClient current = client;
    if (current == null) {
      throw new IllegalStateException("no client: createAdapter() runs before each test");
    }
    return current;
  }
}
