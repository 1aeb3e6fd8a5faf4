/**
 * The Amazon SQS broker adapter for the outbox: {@link dev.steadfast.messaging.sqs.SqsBrokerAdapter}, built from
 * an {@link software.amazon.awssdk.services.sqs.SqsAsyncClient} the caller owns and an immutable {@link
 * dev.steadfast.messaging.sqs.SqsAdapterConfig}. {@code docs/sqs.md} is the user guide.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.steadfast.messaging.sqs;

import org.jspecify.annotations.NullMarked;
