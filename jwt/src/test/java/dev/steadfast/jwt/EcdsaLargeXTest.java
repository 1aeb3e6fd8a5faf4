package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * A valid ES256 signature whose point R has x = n + 6 (so r = 6), which the JDK 17 SunEC provider refuses. The
 * key was derived for the signature ({@code Q = r^-1 (s·R − e·G)}) and the signature checked with OpenSSL when
 * the vector was made; it is this project's own vector, not one of Wycheproof's.
 */
class EcdsaLargeXTest {
  static final byte[] MESSAGE = "steadfast large-x regression".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SIGNATURE = HexFormat.of().parseHex(
      "0000000000000000000000000000000000000000000000000000000000000006"
          + "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef");

  static PublicKey key() throws Exception {
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
    parameters.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
    ECPoint q = new ECPoint(
        new BigInteger("10705c6ee2fafe60ae13e91c42f8913527eebaf43eef934929e9a9f35ecf6920", 16),
        new BigInteger("59c4942c58501375ecd284c9f30150d947382918a3087f8d7d77635dcfd5ed63", 16));
    return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(q, spec));
  }

  static boolean verifies(byte[] message, byte[] signature) throws Exception {
    JwtKey key = JwtKey.verifying(key(), JwsAlgorithm.ES256);
    return JwsCrypto.verify(key, JwsAlgorithm.ES256, message, message.length, signature);
  }

  @Test
  void signatureWhoseRHasXAboveTheOrderVerifies() throws Exception {
    assertThat(verifies(MESSAGE, SIGNATURE)).isTrue();
  }

  @Test
  void theJdkProviderAloneRefusesIt() throws Exception {
    // Why EcdsaLargeX exists; if a later JDK accepts it, the fallback is no longer reached for this case.
    Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
    jdk.initVerify(key());
    jdk.update(MESSAGE);
    assertThat(jdk.verify(SIGNATURE)).isFalse();
  }

  @Test
  void largeXSignatureOfAnotherMessageOrWithAnotherSIsRefused() throws Exception {
    byte[] other = MESSAGE.clone();
    other[0] ^= 1;
    assertThat(verifies(other, SIGNATURE)).isFalse();
    byte[] otherS = SIGNATURE.clone();
    otherS[63] ^= 1;
    assertThat(verifies(MESSAGE, otherS)).isFalse();
    byte[] otherR = SIGNATURE.clone();
    otherR[31] = 7;
    assertThat(verifies(MESSAGE, otherR)).isFalse();
  }
}
