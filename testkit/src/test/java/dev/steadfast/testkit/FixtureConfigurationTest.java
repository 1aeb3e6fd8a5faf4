package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What the fixtures check before any server is involved. */
class FixtureConfigurationTest {

  @Test
  void buildersRejectBadValuesNamingTheSetting() {
    assertThatThrownBy(() -> PostgresExtension.builder().probe("nowhere"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("probe must be host:port, was 'nowhere'");
    assertThatThrownBy(() -> PostgresExtension.builder().url("jdbc:mysql://x/y?password=s3cret"))
        .hasMessage("url must start with jdbc:postgresql://, was 'jdbc:mysql://x/y?password=***'");
    assertThatThrownBy(() -> PostgresExtension.builder().user(" ")).hasMessage("user must not be blank");
    assertThatThrownBy(() -> MariaDbExtension.builder().url("jdbc:postgresql://x/y"))
        .hasMessageStartingWith("url must start with jdbc:mariadb:// or jdbc:mysql://");
    assertThatThrownBy(() -> MariaDbExtension.builder().probe("host:0"))
        .hasMessage("probe must be host:port with a port in 1..65535, was 'host:0'");
    assertThatThrownBy(() -> RabbitMqExtension.builder().uri("http://guest:s3cret@host"))
        .hasMessage("uri must start with amqp:// or amqps://");
  }

  @Test
  void aBadUrlFromTheEnvironmentNamesItsPropertyWithoutThePassword() {
    System.setProperty(PostgresExtension.URL_PROPERTY, "jdbc:mysql://db/app?password=s3cret");
    try {
      assertThatThrownBy(PostgresExtension::builder)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("steadfast.postgres.url must start with jdbc:postgresql://, was 'jdbc:mysql://db/app?password=***'");
    } finally {
      System.clearProperty(PostgresExtension.URL_PROPERTY);
    }
  }

  @Test
  void aFixtureUsedOutsideItsClassSaysHowToRegisterIt() {
    PostgresExtension postgres = PostgresExtension.builder().probe("127.0.0.1:1").build();
    assertThatThrownBy(postgres::dataSource)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("PostgresExtension is not active: register it with @RegisterExtension on a static");
    assertThatThrownBy(SqsExtension.create()::client).hasMessageStartingWith("SqsExtension is not active");
  }

  @Test
  void theProbeAddressCanBeOverridden() {
    assertThat(PostgresExtension.builder().probe("127.0.0.1:1").build().probeAddress()).isEqualTo("127.0.0.1:1");
  }
}
