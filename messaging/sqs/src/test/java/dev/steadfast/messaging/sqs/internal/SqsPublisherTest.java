package dev.steadfast.messaging.sqs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.messaging.sqs.SqsAdapterConfig;
import dev.steadfast.messaging.sqs.SqsPublishException;
import dev.steadfast.messaging.sqs.SqsSenderFaultException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The publisher against a stub SQS, for what ElasticMQ does not check: byte-counted size limits from the queue's
 * {@code MaximumMessageSize}, entry ids, and batch answers with failed entries.
 */
class SqsPublisherTest {

  private static final Pattern ENTRY_ID = Pattern.compile("[A-Za-z0-9_-]{1,80}");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private SqsPublisher publisher(StubSqsClient client) {
    return new SqsPublisher(client, new QueueDirectory(client, Duration.ofMinutes(5), System::nanoTime),
        SqsAdapterConfig.builder().maxConcurrentBatches(1).build(), new SqsMeters(registry), System::nanoTime);
  }

  private static List<PublishOutcome> publish(SqsPublisher publisher, List<OutboxMessage> messages) {
    return publisher.publish(messages).toCompletableFuture().join();
  }

  private static OutboxMessage message(String destination, String key, String text) {
    return new OutboxMessage(UUID.randomUUID(), destination, key, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  @Test
  void batchesAreCutByUtf8BytesNotCharacters() {
    // 300 two-byte characters: 600 bytes of body each, though ElasticMQ would count 300.
    StubSqsClient client = new StubSqsClient(false, 1024, entry -> StubSqsClient.Answer.OK);
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      messages.add(message("orders", null, "é".repeat(300)));
    }

    List<PublishOutcome> outcomes = publish(publisher(client), messages);

    assertThat(outcomes).allMatch(PublishOutcome::isConfirmed);
    assertThat(client.batches).hasSize(4).allSatisfy(batch -> assertThat(batch.entries()).hasSize(1));
    for (SendMessageBatchRequest batch : client.batches) {
      assertThat(batchBytes(batch)).isLessThanOrEqualTo(1024);
    }
  }

  @Test
  void aBatchHoldsAsManyMessagesAsFitInTheQueueLimitAndAtMostTen() {
    StubSqsClient client = new StubSqsClient(false, 262_144, entry -> StubSqsClient.Answer.OK);
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      messages.add(message("orders", null, "€ " + i)); // a three-byte character
    }

    List<PublishOutcome> outcomes = publish(publisher(client), messages);

    assertThat(outcomes).extracting(PublishOutcome::messageId).containsExactlyElementsOf(
        messages.stream().map(OutboxMessage::id).toList());
    assertThat(outcomes).allMatch(PublishOutcome::isConfirmed);
    assertThat(client.batches).extracting(batch -> batch.entries().size()).containsExactly(10, 10, 5);
  }

  @Test
  void entryIdsAreUniqueInTheirBatchAndValidForSqsEvenForTheSameMessageTwice() {
    StubSqsClient client = new StubSqsClient(false, 262_144, entry -> StubSqsClient.Answer.OK);
    OutboxMessage twice = message("orders", null, "again");

    List<PublishOutcome> outcomes = publish(publisher(client), List.of(twice, twice, message("orders", null, "x")));

    assertThat(outcomes).allMatch(PublishOutcome::isConfirmed);
    List<String> ids = client.batches.get(0).entries().stream().map(SendMessageBatchRequestEntry::id).toList();
    assertThat(ids).doesNotHaveDuplicates().allMatch(id -> ENTRY_ID.matcher(id).matches());
  }

  @Test
  void aMessageLargerThanTheQueueLimitInBytesFailsPermanentlyWithoutBeingSent() {
    StubSqsClient client = new StubSqsClient(false, 1024, entry -> StubSqsClient.Answer.OK);
    // 400 characters, 1200 bytes: within a character count of 1024, beyond the byte count.
    OutboxMessage tooLarge = message("orders", null, "€".repeat(400));
    OutboxMessage small = message("orders", null, "small");

    List<PublishOutcome> outcomes = publish(publisher(client), List.of(tooLarge, small));

    assertThat(outcomes.get(0).failure()).isInstanceOf(SqsSenderFaultException.class)
        .hasMessageContaining("MessageTooLong");
    assertThat(outcomes.get(0).permanent()).isTrue();
    assertThat(outcomes.get(1).isConfirmed()).isTrue();
    assertThat(client.batches).hasSize(1);
    assertThat(client.batches.get(0).entries()).hasSize(1);
  }

  @Test
  void aPartialBatchFailureConfirmsOnlyTheSuccessfulEntriesAndMarksSenderFaultsPermanent() {
    Function<SendMessageBatchRequestEntry, StubSqsClient.Answer> answers = entry -> switch (entry.messageBody()) {
      case "invalid" -> StubSqsClient.Answer.fail("InvalidMessageContents", true);
      case "unlucky" -> StubSqsClient.Answer.fail("InternalError", false);
      default -> StubSqsClient.Answer.OK;
    };
    StubSqsClient client = new StubSqsClient(false, 262_144, answers);
    List<OutboxMessage> messages = List.of(message("orders", null, "fine"), message("orders", null, "invalid"),
        message("orders", null, "unlucky"), message("orders", null, "fine too"));

    List<PublishOutcome> outcomes = publish(publisher(client), messages);

    assertThat(outcomes.get(0).isConfirmed()).isTrue();
    assertThat(outcomes.get(1).failure()).isInstanceOf(SqsSenderFaultException.class)
        .hasMessageContaining("InvalidMessageContents");
    assertThat(outcomes.get(1).permanent()).isTrue();
    assertThat(outcomes.get(2).failure()).isInstanceOf(SqsPublishException.class)
        .hasMessageContaining("InternalError");
    assertThat(outcomes.get(2).permanent()).isFalse();
    assertThat(outcomes.get(3).isConfirmed()).isTrue();
    assertThat(registry.get("steadfast.messaging.confirmed").counter().count()).isEqualTo(2);
    assertThat(registry.get("steadfast.messaging.failed").tag("reason", "permanent").counter().count()).isEqualTo(1);
    assertThat(registry.get("steadfast.messaging.failed").tag("reason", "retryable").counter().count()).isEqualTo(1);
  }

  @Test
  void onAFifoQueueLaterMessagesOfAGroupWhoseEntryFailedAreNotSent() {
    // Group "a" fails at its third message (in the first batch); its later messages come in the second batch.
    StubSqsClient client = new StubSqsClient(true, 262_144,
        entry -> entry.messageBody().equals("a-2") ? StubSqsClient.Answer.fail("InternalError", false)
            : StubSqsClient.Answer.OK);
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      messages.add(message("orders.fifo", i % 2 == 0 ? "a" : "b", (i % 2 == 0 ? "a-" : "b-") + i / 2 * 2));
    }
    for (int i = 0; i < 8; i++) {
      messages.add(message("orders.fifo", i % 2 == 0 ? "a" : "b", (i % 2 == 0 ? "a-late-" : "b-late-") + i));
    }

    List<PublishOutcome> outcomes = publish(publisher(client), messages);

    assertThat(client.batches).hasSize(2);
    List<String> secondBatch = client.batches.get(1).entries().stream()
        .map(SendMessageBatchRequestEntry::messageBody).toList();
    assertThat(secondBatch).containsExactly("b-late-3", "b-late-5", "b-late-7");
    for (int i = 0; i < messages.size(); i++) {
      OutboxMessage message = messages.get(i);
      String body = new String(message.payload(), StandardCharsets.UTF_8);
      PublishOutcome outcome = outcomes.get(i);
      if (body.startsWith("b")) {
        assertThat(outcome.isConfirmed()).as(body).isTrue();
      } else if (body.equals("a-0")) {
        assertThat(outcome.isConfirmed()).as(body).isTrue();
      } else if (body.equals("a-2")) {
        assertThat(outcome.failure()).as(body).hasMessageContaining("InternalError");
      } else if (client.batches.get(0).entries().stream().anyMatch(e -> e.messageBody().equals(body))) {
        // In the same batch as the failure: SQS took it (it cannot be held back); the group's retry follows it.
        assertThat(outcome.isConfirmed()).as(body).isTrue();
      } else {
        assertThat(outcome.failure()).as(body).isInstanceOf(SqsPublishException.class)
            .hasMessageContaining("GroupStopped");
      }
    }
    // Every sent FIFO entry names its group and its deduplication id (the outbox id).
    for (SendMessageBatchRequestEntry entry : client.batches.get(0).entries()) {
      assertThat(entry.messageGroupId()).isIn("a", "b");
      assertThat(UUID.fromString(entry.messageDeduplicationId())).isNotNull();
    }
  }

  @Test
  void onAFifoQueueAMessageThatCannotBeSentStopsItsGroupBeforeAnyBatch() {
    StubSqsClient client = new StubSqsClient(true, 1024, entry -> StubSqsClient.Answer.OK);
    List<OutboxMessage> messages = List.of(message("orders.fifo", "a", "€".repeat(400)),
        message("orders.fifo", "a", "after"), message("orders.fifo", "b", "other group"));

    List<PublishOutcome> outcomes = publish(publisher(client), messages);

    assertThat(outcomes.get(0).failure()).isInstanceOf(SqsSenderFaultException.class);
    assertThat(outcomes.get(1).failure()).isInstanceOf(SqsPublishException.class).hasMessageContaining("GroupStopped");
    assertThat(outcomes.get(1).permanent()).isFalse();
    assertThat(outcomes.get(2).isConfirmed()).isTrue();
  }

  @Test
  void aPublishAfterCloseIsReportedFailedWithoutSending() {
    StubSqsClient client = new StubSqsClient(false, 262_144, entry -> StubSqsClient.Answer.OK);
    SqsPublisher publisher = publisher(client);
    publisher.close();

    List<PublishOutcome> outcomes = publish(publisher, List.of(message("orders", null, "late")));

    assertThat(outcomes).singleElement().matches(outcome -> !outcome.isConfirmed());
    assertThat(client.batches).isEmpty();
  }

  private static int batchBytes(SendMessageBatchRequest batch) {
    int total = 0;
    for (SendMessageBatchRequestEntry entry : batch.entries()) {
      total += MessageCodec.sizeOf(entry.messageBody(), entry.messageAttributes());
    }
    return total;
  }
}
