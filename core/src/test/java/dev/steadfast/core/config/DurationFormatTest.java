package dev.steadfast.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationFormatTest {

  @ParameterizedTest
  @CsvSource({
    "PT2S, PT2S",
    "pt0.5s, PT0.5S",
    "PT1M30S, PT1M30S",
    "P1D, PT24H",
    "-PT1S, PT-1S",
    "500ms, PT0.5S",
    "2s, PT2S",
    "1m, PT1M",
    "1h, PT1H",
    "1d, PT24H",
    "250us, PT0.00025S",
    "7ns, PT0.000000007S",
    "' 2 s ', PT2S",
    "2S, PT2S",
    "0ms, PT0S"
  })
  void readsIsoAndSimpleForms(String text, String expected) {
    assertThat(DurationFormat.parse(text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "2 seconds", "-2s", "1.5s", "2x", "PT", "P", "s", "ms500", "99999999999999999999s"})
  void rejectsWhatIsNeitherForm(String text) {
    assertThat(DurationFormat.parse(text)).isNull();
  }

  @ParameterizedTest
  @CsvSource({"PT0S, 0", "PT0.001S, 1ms", "PT0.000000001S, 1ns", "PT1S, 1s", "PT1M, 1m", "PT1H, 1h", "PT90S, 90s"})
  void describesBoundsInTheSimpleForm(String duration, String expected) {
    assertThat(SettingValues.human(Duration.parse(duration))).isEqualTo(expected);
  }
}
