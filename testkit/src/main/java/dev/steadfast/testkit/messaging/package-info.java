/**
 * Messaging fixtures: {@link dev.steadfast.testkit.messaging.InMemoryBroker}, an at-least-once channel for unit
 * tests of consumers, with faults on demand; and {@link dev.steadfast.testkit.messaging.BrokerAdapterConformance},
 * the suite every broker adapter passes. Needs {@code steadfast-outbox} on the class path (and
 * Awaitility for the suite); the testkit declares both optional.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.steadfast.testkit.messaging;

import org.jspecify.annotations.NullMarked;
