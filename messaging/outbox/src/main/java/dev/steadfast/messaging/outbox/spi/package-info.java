/**
 * What a broker adapter implements so that the outbox relay can publish at least once and a consumer can
 * receive: {@link dev.steadfast.messaging.outbox.spi.BrokerAdapter}, its {@link
 * dev.steadfast.messaging.outbox.spi.MessagePublisher} and {@link
 * dev.steadfast.messaging.outbox.spi.MessageSubscriber}, and the {@link
 * dev.steadfast.messaging.outbox.spi.Delivery} a handler settles.
 *
 * <p>At least once, in one paragraph: a message whose publish was confirmed is delivered to a subscriber of its
 * destination until one acknowledges it; a message that was not confirmed is reported as failed (and the relay
 * publishes it again), even if the broker did get it. So a consumer can see a message more than once, and every
 * delivery carries the message's {@link dev.steadfast.messaging.outbox.OutboxMessage#id() id} so that it can
 * recognise the duplicates. The testkit's {@code BrokerAdapterConformance} states each of these promises as a
 * test; an adapter passes it before it ships.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.steadfast.messaging.outbox.spi;

import org.jspecify.annotations.NullMarked;
