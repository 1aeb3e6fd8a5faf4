package dev.steadfast.messaging.sqs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.sqs.SqsSenderFaultException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

class MessageCodecTest {

  private static OutboxMessage message(@org.jspecify.annotations.Nullable String key, byte[] payload,
      Map<String, String> headers) {
    return new OutboxMessage(UUID.randomUUID(), "orders", key, payload, headers);
  }

  private static OutboxMessage roundTrip(EncodedMessage encoded) {
    Message received = Message.builder().messageId(UUID.randomUUID().toString()).body(encoded.body())
        .messageAttributes(encoded.attributes()).receiptHandle("r").build();
    return MessageCodec.decode(received, "orders");
  }

  @Test
  void sizeCountsTheBodyAndEveryAttributeNameTypeAndValueInUtf8Bytes() {
    // "a" 1 byte, "é" 2, "€" 3, "😀" 4 (a surrogate pair, two chars).
    String body = "aé€😀";
    Map<String, MessageAttributeValue> attributes =
        Map.of("nämé", MessageAttributeValue.builder().dataType("String").stringValue("€€").build());

    assertThat(MessageCodec.utf8Length(body)).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length).isEqualTo(10);
    assertThat(MessageCodec.sizeOf(body, attributes)).isEqualTo(10 + "nämé".getBytes(StandardCharsets.UTF_8).length
        + "String".length() + 6);
  }

  @Test
  void anEncodedMessageCountsItsOwnAttributes() {
    OutboxMessage message = message("customer-€", "ünïcode".getBytes(StandardCharsets.UTF_8),
        Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));

    EncodedMessage encoded = MessageCodec.encode(0, message, false);

    long expected = "ünïcode".getBytes(StandardCharsets.UTF_8).length;
    for (Map.Entry<String, MessageAttributeValue> attribute : encoded.attributes().entrySet()) {
      expected += attribute.getKey().getBytes(StandardCharsets.UTF_8).length + "String".length()
          + attribute.getValue().stringValue().getBytes(StandardCharsets.UTF_8).length;
    }
    assertThat(encoded.sizeBytes()).isEqualTo(expected);
    assertThat(encoded.attributes()).containsKeys("steadfast-id", "steadfast-key", "traceparent");
  }

  @Test
  void aPayloadThatIsNotValidUtf8TravelsAsBase64AndComesBackByteForByte() {
    byte[] binary = {(byte) 0xC3, (byte) 0x28, 0, 1, (byte) 0xFF};
    OutboxMessage message = message(null, binary, Map.of());

    EncodedMessage encoded = MessageCodec.encode(0, message, false);

    assertThat(encoded.attributes().get("steadfast-body").stringValue()).isEqualTo("base64");
    assertThat(roundTrip(encoded)).isEqualTo(message);
  }

  @Test
  void textWithCharactersSqsRefusesTravelsAsBase64() {
    byte[] withNul = "a\u0000b".getBytes(StandardCharsets.UTF_8);
    EncodedMessage encoded = MessageCodec.encode(0, message(null, withNul, Map.of()), false);
    assertThat(encoded.attributes()).containsKey("steadfast-body");
    assertThat(MessageCodec.isValidText(encoded.body())).isTrue();
  }

  @Test
  void anEmptyPayloadSurvivesThoughSqsRefusesEmptyBodies() {
    OutboxMessage message = message("k", new byte[0], Map.of());
    EncodedMessage encoded = MessageCodec.encode(0, message, false);
    assertThat(encoded.body()).isNotEmpty();
    assertThat(roundTrip(encoded)).isEqualTo(message);
  }

  @Test
  void headersThatFitGoOneAttributeEach() {
    OutboxMessage message = message("k", "x".getBytes(StandardCharsets.UTF_8), Map.of("tenant", "t-1", "trace-id", "abc"));
    EncodedMessage encoded = MessageCodec.encode(0, message, false);
    assertThat(encoded.attributes()).containsKeys("tenant", "trace-id").doesNotContainKey("steadfast-headers");
    assertThat(roundTrip(encoded)).isEqualTo(message);
  }

  @Test
  void moreHeadersThanTheTenAttributeLimitAllowsArePackedIntoOneAndTraceparentStaysVisible() {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < 12; i++) {
      headers.put("h" + i, "v" + i);
    }
    headers.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    OutboxMessage message = message("k", "x".getBytes(StandardCharsets.UTF_8), headers);

    EncodedMessage encoded = MessageCodec.encode(0, message, false);

    assertThat(encoded.attributes()).hasSizeLessThanOrEqualTo(MessageCodec.MAX_ATTRIBUTES)
        .containsKeys("steadfast-headers", "traceparent");
    assertThat(roundTrip(encoded)).isEqualTo(message);
  }

  @Test
  void headersWithNamesOrValuesSqsRefusesArePackedAndSurvive() {
    Map<String, String> headers = Map.of("with space", "v", "empty", "", "AWS.reserved", "x", "ok", "a=b&c");
    OutboxMessage message = message(null, "x".getBytes(StandardCharsets.UTF_8), headers);
    EncodedMessage encoded = MessageCodec.encode(0, message, false);
    assertThat(encoded.attributes()).containsKey("steadfast-headers");
    assertThat(roundTrip(encoded)).isEqualTo(message);
  }

  @Test
  void aKeyWithCharactersSqsRefusesIsASenderFault() {
    OutboxMessage message = message("bad\u0001key", "x".getBytes(StandardCharsets.UTF_8), Map.of());
    assertThatThrownBy(() -> MessageCodec.encode(0, message, false)).isInstanceOf(SqsSenderFaultException.class);
  }

  @Test
  void fifoGroupIsTheKeyWhenValidAHashOtherwiseAndTheMessageIdWithoutKey() {
    OutboxMessage plain = message("customer-1", new byte[] {1}, Map.of());
    OutboxMessage fancy = message("kunde ü", new byte[] {1}, Map.of());
    OutboxMessage keyless = message(null, new byte[] {1}, Map.of());

    assertThat(MessageCodec.encode(0, plain, true).groupId()).isEqualTo("customer-1");
    assertThat(MessageCodec.encode(0, fancy, true).groupId()).startsWith("k-").hasSize(66)
        .isEqualTo(MessageCodec.groupId(message("kunde ü", new byte[] {2}, Map.of())));
    assertThat(MessageCodec.encode(0, keyless, true).groupId()).isEqualTo(keyless.id().toString());
    assertThat(MessageCodec.encode(0, plain, true).deduplicationId()).isEqualTo(plain.id().toString());
    assertThat(MessageCodec.encode(0, plain, false).groupId()).isNull();
  }

  @Test
  void attributeNamesFollowSqsRules() {
    assertThat(MessageCodec.isValidAttributeName("trace-id.v2_x")).isTrue();
    assertThat(MessageCodec.isValidAttributeName(".lead")).isFalse();
    assertThat(MessageCodec.isValidAttributeName("trail.")).isFalse();
    assertThat(MessageCodec.isValidAttributeName("two..dots")).isFalse();
    assertThat(MessageCodec.isValidAttributeName("amazon.thing")).isFalse();
    assertThat(MessageCodec.isValidAttributeName("a".repeat(257))).isFalse();
  }

  @Test
  void aMessageNotPublishedByTheAdapterIsReadWithItsSqsMessageIdAndAttributesAsHeaders() {
    UUID sqsId = UUID.randomUUID();
    Message foreign = Message.builder().messageId(sqsId.toString()).body("hello").receiptHandle("r")
        .messageAttributes(Map.of("source", MessageAttributeValue.builder().dataType("String").stringValue("cli")
            .build()))
        .build();
    OutboxMessage decoded = MessageCodec.decode(foreign, "orders");
    assertThat(decoded.id()).isEqualTo(sqsId);
    assertThat(decoded.payload()).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(decoded.headers()).containsExactly(Map.entry("source", "cli"));
  }
}
