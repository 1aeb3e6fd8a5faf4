/**
 * The RabbitMQ adapter's engine. Not API: excluded from Javadoc and from compatibility checks.
 */
@NullMarked
package dev.steadfast.messaging.rabbitmq.internal;

import org.jspecify.annotations.NullMarked;
