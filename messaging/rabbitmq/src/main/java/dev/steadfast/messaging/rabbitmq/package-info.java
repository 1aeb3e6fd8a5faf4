/**
 * The RabbitMQ broker adapter for the Steadfast outbox: {@link dev.steadfast.messaging.rabbitmq.RabbitMqAdapter}
 * publishes with publisher confirms and mandatory returns, recovers connections (with failover between broker
 * addresses), and consumes with manual acknowledgements, a bounded prefetch and a {@link
 * dev.steadfast.messaging.rabbitmq.ConsumerFailurePolicy}; {@link dev.steadfast.messaging.rabbitmq.RabbitMqTopology}
 * declares exchanges, classic and quorum queues and dead-letter wiring. {@code docs/rabbitmq.md} is the guide.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.steadfast.messaging.rabbitmq;

import org.jspecify.annotations.NullMarked;
