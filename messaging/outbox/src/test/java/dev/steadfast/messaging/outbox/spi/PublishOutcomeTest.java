package dev.steadfast.messaging.outbox.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PublishOutcomeTest {

  @Test
  void aConfirmedOutcomeHasNoFailure() {
    UUID id = UUID.randomUUID();
    PublishOutcome outcome = PublishOutcome.confirmed(id);
    assertThat(outcome.isConfirmed()).isTrue();
    assertThat(outcome.messageId()).isEqualTo(id);
    assertThat(outcome.failure()).isNull();
  }

  @Test
  void aFailedOutcomeIsNeverConfirmedAndKeepsItsCause() {
    IOException cause = new IOException("connection reset before confirm");
    PublishOutcome outcome = PublishOutcome.failed(UUID.randomUUID(), cause);
    assertThat(outcome.isConfirmed()).isFalse();
    assertThat(outcome.failure()).isSameAs(cause);
  }

  @Test
  void aFailedOutcomeNeedsACause() {
    assertThatThrownBy(() -> PublishOutcome.failed(UUID.randomUUID(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cause");
  }

  @Test
  void aRejectedOutcomeIsAPermanentFailure() {
    IllegalArgumentException cause = new IllegalArgumentException("message too large");
    PublishOutcome outcome = PublishOutcome.rejected(UUID.randomUUID(), cause);
    assertThat(outcome.isConfirmed()).isFalse();
    assertThat(outcome.permanent()).isTrue();
    assertThat(PublishOutcome.failed(UUID.randomUUID(), cause).permanent()).isFalse();
  }

  @Test
  void aConfirmedOutcomeCannotBePermanent() {
    UUID id = UUID.randomUUID();
    assertThatThrownBy(() -> new PublishOutcome(id, null, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("permanent")
        .hasMessageContaining(id.toString());
  }
}
