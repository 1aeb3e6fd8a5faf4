package dev.steadfast.testkit.messaging;

import dev.steadfast.messaging.outbox.spi.BrokerAdapter;
import java.util.Optional;
import java.util.UUID;

/** The in-memory broker passes the suite, fault cases included, with handlers on its own threads. */
// tag::conformance[]
class InMemoryBrokerConformanceTest extends BrokerAdapterConformance {

  private InMemoryBroker broker;

  @Override
  protected BrokerAdapter createAdapter() {
    broker = InMemoryBroker.create();
    return broker;
  }

  @Override
  protected String newDestination() {
    return "orders-" + UUID.randomUUID(); // the in-memory broker keeps messages for any destination
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
// end::conformance[]
