package dev.steadfast.messaging.rabbitmq;

import dev.steadfast.messaging.outbox.spi.BrokerAdapter;

/** The same contract on quorum queues (real RabbitMQ only: Qpid Broker-J has none). */
class RabbitMqAdapterQuorumConformanceIT extends RabbitMqAdapterConformanceIT {

  @Override
  protected BrokerAdapter createAdapter() {
    rabbit = null;
    proxy = null;
    RABBITMQ.requireRealRabbitMq();
    return super.createAdapter();
  }

  @Override
  RabbitMqTopology topology(String queue) {
    return RabbitMqTopology.builder().quorumQueue(queue).build();
  }
}
