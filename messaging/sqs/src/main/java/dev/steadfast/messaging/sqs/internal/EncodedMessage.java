package dev.steadfast.messaging.sqs.internal;

import dev.steadfast.messaging.outbox.OutboxMessage;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * One outbox message as an SQS entry, before it gets its batch entry id. Immutable.
 *
 * @param index the message's position in the publish call
 * @param message the message
 * @param body the SQS message body
 * @param attributes the message attributes
 * @param groupId the {@code MessageGroupId} (FIFO queues), or null
 * @param deduplicationId the {@code MessageDeduplicationId} (FIFO queues), or null
 * @param sizeBytes what SQS counts against the size limit: body and attributes (names, types, values) in UTF-8
 */
public record EncodedMessage(
    int index, OutboxMessage message, String body, Map<String, MessageAttributeValue> attributes,
    @Nullable String groupId, @Nullable String deduplicationId, int sizeBytes) {}
