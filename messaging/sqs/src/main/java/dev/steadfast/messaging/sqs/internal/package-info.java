/**
 * The SQS adapter's engine: queue lookup, message encoding and size accounting, batching, the publisher and the
 * long-polling subscriber. Not API: excluded from Javadoc and from compatibility checks.
 */
@NullMarked
package dev.steadfast.messaging.sqs.internal;

import org.jspecify.annotations.NullMarked;
