package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Signature;
import javax.crypto.Mac;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class JwsAlgorithmTest {

  @ParameterizedTest
  @EnumSource(JwsAlgorithm.class)
  void headerNameMapsBackToTheAlgorithm(JwsAlgorithm algorithm) {
    assertThat(JwsAlgorithm.fromHeader(algorithm.name())).isSameAs(algorithm);
  }

  @ParameterizedTest
  @EnumSource(JwsAlgorithm.class)
  void theJdkProvidesEveryAlgorithm(JwsAlgorithm algorithm) throws Exception {
    if (algorithm.isSymmetric()) {
      assertThat(Mac.getInstance(algorithm.jcaName())).isNotNull();
    } else {
      assertThat(Signature.getInstance(algorithm.jcaName())).isNotNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void unsecuredAlgIsRefusedInEverySpelling(String alg) {
    assertThatThrownBy(() -> JwsAlgorithm.fromHeader(alg))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + alg + "'")
        .hasMessageContaining("unsecured");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hs256", "HS257", "", "RS256 ", "ES256K"})
  void unknownOrMisspelledAlgIsRefused(String alg) {
    assertThatThrownBy(() -> JwsAlgorithm.fromHeader(alg))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("alg '" + alg + "' is not a supported JWS algorithm");
  }
}
