package dev.steadfast.messaging.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SqsAdapterConfigTest {

  @Test
  void settersRejectBadValuesNamingTheSettingAndTheValue() {
    SqsAdapterConfig.Builder builder = SqsAdapterConfig.builder();
    assertThatThrownBy(() -> builder.receiveWait(Duration.ofSeconds(21)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("receiveWait").hasMessageContaining("PT21S");
    assertThatThrownBy(() -> builder.receiveWait(Duration.ofMillis(1500)))
        .hasMessageContaining("receiveWait").hasMessageContaining("PT1.5S");
    assertThatThrownBy(() -> builder.receiveMaxMessages(11))
        .hasMessageContaining("receiveMaxMessages").hasMessageContaining("11");
    assertThatThrownBy(() -> builder.visibilityTimeout(Duration.ofHours(13)))
        .hasMessageContaining("visibilityTimeout").hasMessageContaining("PT13H");
    assertThatThrownBy(() -> builder.sendTimeout(Duration.ZERO))
        .hasMessageContaining("sendTimeout").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> builder.maxConcurrentBatches(0))
        .hasMessageContaining("maxConcurrentBatches").hasMessageContaining("0");
    assertThatThrownBy(() -> builder.maxInFlightPerSubscriber(0)).hasMessageContaining("maxInFlightPerSubscriber");
  }

  @Test
  void buildRejectsAHeartbeatNoShorterThanTheVisibilityTimeout() {
    SqsAdapterConfig.Builder builder = SqsAdapterConfig.builder()
        .visibilityTimeout(Duration.ofSeconds(10)).heartbeatInterval(Duration.ofSeconds(10));
    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("heartbeatInterval").hasMessageContaining("PT10S");
  }

  @Test
  void toBuilderDerivesAVariantAndLeavesTheOriginalAlone() {
    SqsAdapterConfig base = SqsAdapterConfig.defaults();
    SqsAdapterConfig fifo = base.toBuilder().fifoQueues(true).build();
    assertThat(fifo.fifoQueues()).isTrue();
    assertThat(base.fifoQueues()).isFalse();
    assertThat(fifo.visibilityTimeout()).isEqualTo(base.visibilityTimeout());
  }

  @Test
  void defaultsAreSqsLimits() {
    SqsAdapterConfig defaults = SqsAdapterConfig.defaults();
    assertThat(defaults.receiveWait()).isEqualTo(Duration.ofSeconds(20));
    assertThat(defaults.receiveMaxMessages()).isEqualTo(10);
  }
}
