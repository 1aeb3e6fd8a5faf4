package dev.steadfast.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parsesHostAndPort() {
    assertThat(HostPort.parse("probe", "127.0.0.1:5432")).isEqualTo(new HostPort("127.0.0.1", 5432));
    assertThat(HostPort.parse("probe", " [::1]:1 ")).isEqualTo(new HostPort("::1", 1));
    assertThat(new HostPort("::1", 1)).hasToString("[::1]:1");
  }

  @Test
  void namesTheSettingAndTheValueWhenItIsNotHostAndPort() {
    assertThatThrownBy(() -> HostPort.parse("steadfast.postgres.probe", "localhost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("steadfast.postgres.probe must be host:port, was 'localhost'");
    assertThatThrownBy(() -> HostPort.parse("probe", "localhost:x"))
        .hasMessage("probe must be host:port, was 'localhost:x'");
    assertThatThrownBy(() -> HostPort.parse("probe", "localhost:70000"))
        .hasMessage("probe must be host:port with a port in 1..65535, was 'localhost:70000'");
  }

  @Test
  void settingsReadSystemPropertiesUnderTheirEnvironmentNames() {
    assertThat(Settings.environmentName("steadfast.postgres.url")).isEqualTo("STEADFAST_POSTGRES_URL");
    System.setProperty("steadfast.testkit.unit-test-setting", " value ");
    try {
      assertThat(Settings.lookup("steadfast.testkit.unit-test-setting")).isEqualTo("value");
    } finally {
      System.clearProperty("steadfast.testkit.unit-test-setting");
    }
    assertThat(Settings.lookup("steadfast.testkit.unit-test-setting")).isNull();
  }
}
