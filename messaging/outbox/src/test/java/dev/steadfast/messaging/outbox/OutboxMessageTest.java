package dev.steadfast.messaging.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OutboxMessageTest {

  @Test
  void payloadAndHeadersAreCopiedInAndOut() {
    byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new HashMap<>(Map.of("trace", "1"));
    OutboxMessage message = new OutboxMessage(UUID.randomUUID(), "orders", "customer-7", body, headers);

    body[0] = 'j';
    headers.put("extra", "2");
    message.payload()[1] = 'a';

    assertThat(new String(message.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(message.headers()).containsOnlyKeys("trace");
  }

  @Test
  void equalMessagesCompareByContent() {
    UUID id = UUID.randomUUID();
    OutboxMessage a = new OutboxMessage(id, "orders", null, new byte[] {1, 2}, Map.of());
    OutboxMessage b = new OutboxMessage(id, "orders", null, new byte[] {1, 2}, Map.of());
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(new OutboxMessage(id, "orders", null, new byte[] {1, 3}, Map.of()));
  }

  @Test
  void toStringNeverShowsThePayload() {
    OutboxMessage message = OutboxMessage.of("orders", "secret-token".getBytes(StandardCharsets.UTF_8));
    assertThat(message.toString()).doesNotContain("secret").contains("12 bytes");
  }

  @Test
  void invalidFieldsAreNamedWithTheirValue() {
    assertThatThrownBy(() -> OutboxMessage.of(" ", new byte[0]))
        .hasMessage("destination must not be blank, was ' '");
    assertThatThrownBy(() -> OutboxMessage.of("q", new byte[OutboxMessage.MAX_PAYLOAD_BYTES + 1]))
        .hasMessage("payload must be at most 262144 bytes, was 262145 bytes");
    assertThatThrownBy(
            () -> new OutboxMessage(UUID.randomUUID(), "q", null, new byte[0], Map.of("", "v")))
        .hasMessage("header names must not be blank, was ''");
  }
}
