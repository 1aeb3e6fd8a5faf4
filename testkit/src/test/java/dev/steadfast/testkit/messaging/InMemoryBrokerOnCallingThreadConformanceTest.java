package dev.steadfast.testkit.messaging;

import dev.steadfast.messaging.outbox.spi.BrokerAdapter;
import java.util.Optional;

/**
 * The in-memory broker passes the suite with handlers on the calling thread, while it reorders, duplicates and
 * loses deliveries; the per-key order case is skipped, as the adapter says it does not keep that order.
 */
class InMemoryBrokerOnCallingThreadConformanceTest extends BrokerAdapterConformance {

  private InMemoryBroker broker;
  private int destinations;

  @Override
  protected BrokerAdapter createAdapter() {
    broker =
        InMemoryBroker.builder().executor(Runnable::run).preservesOrderPerKey(false).seed(7).build();
    broker.reorderDeliveries(true).duplicateDeliveries(0.3).failNextDeliveries(2);
    return broker;
  }

  @Override
  protected String newDestination() {
    return "queue-" + ++destinations;
  }

  @Override
  protected Optional<Runnable> cutConnectionAfterPublishBeforeConfirm() {
    return Optional.of(() -> broker.loseNextConfirms(1));
  }

  @Override
  protected Optional<Runnable> cutConsumerConnectionBeforeAck() {
    return Optional.of(broker::dropConsumerConnections);
  }
}
