package dev.steadfast.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {

  @Test
  void replacesTheDatabaseAndKeepsTheParameters() {
    assertThat(JdbcUrls.withDatabase("jdbc:postgresql://db:5433/app?ssl=false&password=x", "t1"))
        .isEqualTo("jdbc:postgresql://db:5433/t1?ssl=false&password=x");
    assertThat(JdbcUrls.withDatabase("jdbc:mariadb://db", "t1")).isEqualTo("jdbc:mariadb://db/t1");
    assertThat(JdbcUrls.withDatabase("jdbc:mariadb://db?a=b", "t1")).isEqualTo("jdbc:mariadb://db/t1?a=b");
  }

  @Test
  void replacesTheAddressAndKeepsDatabaseAndParameters() {
    assertThat(JdbcUrls.withAddress("jdbc:postgresql://db:5433,db2:5433/app?x=1", new HostPort("127.0.0.1", 9)))
        .isEqualTo("jdbc:postgresql://127.0.0.1:9/app?x=1");
  }

  @Test
  void findsTheFirstHostAndItsPortOrTheDefault() {
    assertThat(JdbcUrls.address("jdbc:postgresql://db:5433,db2/app", 5432)).isEqualTo(new HostPort("db", 5433));
    assertThat(JdbcUrls.address("jdbc:postgresql://db/app", 5432)).isEqualTo(new HostPort("db", 5432));
    assertThat(JdbcUrls.address("jdbc:postgresql://[::1]:6000/app", 5432)).isEqualTo(new HostPort("::1", 6000));
    assertThat(JdbcUrls.address("jdbc:postgresql:///app", 5432)).isEqualTo(new HostPort("localhost", 5432));
  }

  @Test
  void redactsPasswordsForMessages() {
    assertThat(JdbcUrls.redact("jdbc:postgresql://db/app?user=u&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/app?user=u&password=***&ssl=true");
  }

  @Test
  void rejectsWhatIsNotAJdbcUrlWithoutQuotingThePassword() {
    assertThatThrownBy(() -> JdbcUrls.withDatabase("postgres://db/app?password=s3cret", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JDBC URL must look like")
        .hasMessageNotContaining("s3cret");
  }
}
