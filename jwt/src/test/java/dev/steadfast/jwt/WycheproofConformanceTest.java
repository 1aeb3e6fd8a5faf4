package dev.steadfast.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.jwt.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every case of the Project Wycheproof files named in the issue, read from the directory in the system
 * property {@code steadfast.wycheproof.dir} (set by jwt/pom.xml to ../shared/vectors/wycheproof; the files are
 * not copied into the repository). Skipped, with the reason, when the directory is absent.
 */
class WycheproofConformanceTest {
  static final String PROPERTY = "steadfast.wycheproof.dir";

  static final String KEY_BOUND = "marked valid: a PS384 token for a JWK whose alg is PS256 (RFC 7520 figure 20 with "
      + "an alg the RFC's key does not have). The same file marks #338 and #340 invalid, a PS256 and a PS384 token "
      + "whose signatures verify for a JWK whose alg is PS512 (flag WrongPrimitive: 'a different algorithm than "
      + "the algorithm specified in the key'). No verifier can match both; this one honours the JWK's alg (RFC 7517 "
      + "section 4.4, and the issue: each key is bound to its algorithms)";
  static final String CONTRADICTORY = "marked invalid, but the token is byte-for-byte the token of valid case #357 "
      + "(same group, same key; C2SP/wycheproof issue 236). A verifier is a function of key and token, so it "
      + "cannot match both; this one accepts the canonical token";
  static final String NOT_BASE64URL = "marked valid, but a segment contains '?', which is not base64url (RFC 7515 "
      + "section 2), and the MAC is #357's, computed over the input without '?'. Accepting it means dropping the "
      + "character before decoding and MACing something other than the received signing input, i.e. malleable "
      + "tokens; the issue requires non-canonical base64url to be refused";

  /**
   * Cases whose expected result this library deliberately does not give, each with the reason. The test
   * asserts the library's actual behaviour for them, so a change is noticed.
   */
  static final Map<String, String> DEVIATIONS = Map.ofEntries(
      Map.entry("json_web_signature_test.json#346", KEY_BOUND),
      Map.entry("json_web_signature_test.json#350", KEY_BOUND),
      Map.entry("json_web_signature_test.json#367", CONTRADICTORY),
      Map.entry("json_web_signature_test.json#370", CONTRADICTORY),
      Map.entry("json_web_signature_test.json#372", NOT_BASE64URL),
      Map.entry("json_web_signature_test.json#373", NOT_BASE64URL));

  static final Map<String, int[]> SUMMARY = new TreeMap<>();

  static @Nullable Path dir() {
    String d = System.getProperty(PROPERTY);
    return d == null ? null : Path.of(d);
  }

  static Map<String, Object> load(String file) throws IOException {
    Path dir = dir();
    Assumptions.assumeTrue(dir != null && Files.isDirectory(dir),
        "Wycheproof vectors not found: set -D" + PROPERTY + " to the wycheproof directory (was " + dir + ")");
    return Json.parseObject(Files.readAllBytes(dir.resolve(file)), 64, file);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object o) {
    return (List<Map<String, Object>>) o;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  interface Case {
    boolean accepts() throws Exception;
  }

  static List<DynamicTest> run(String file, List<Map.Entry<Map<String, Object>, Case>> cases) {
    List<DynamicTest> tests = new ArrayList<>();
    int[] counts = new int[4]; // run, matched, deviations, not applicable
    SUMMARY.put(file, counts);
    for (Map.Entry<Map<String, Object>, Case> e : cases) {
      Map<String, Object> t = e.getKey();
      String id = file + "#" + t.get("tcId");
      String expected = (String) t.get("result");
      tests.add(DynamicTest.dynamicTest(id + " " + t.get("comment") + " -> " + expected, () -> {
        boolean accepted;
        try {
          accepted = e.getValue().accepts();
        } catch (JwtException | IllegalArgumentException refused) {
          accepted = false;
        }
        counts[0]++;
        String deviation = DEVIATIONS.get(id);
        if (deviation != null) {
          counts[2]++;
          assertThat(accepted).as(id + ": " + deviation).isEqualTo(!expected.equals("valid"));
          return;
        }
        if (!expected.equals("acceptable")) {
          assertThat(accepted).as(id).isEqualTo(expected.equals("valid"));
        }
        counts[1]++;
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> jsonWebSignature() throws IOException {
    return jose("json_web_signature_test.json");
  }

  @TestFactory
  List<DynamicTest> jsonWebKey() throws IOException {
    return jose("json_web_key_test.json");
  }

  private List<DynamicTest> jose(String file) throws IOException {
    List<Map.Entry<Map<String, Object>, Case>> cases = new ArrayList<>();
    for (Map<String, Object> group : list(load(file).get("testGroups"))) {
      Object key = group.get("public") != null ? group.get("public") : group.get("private");
      String keyJson = new String(Json.write(map(key)), StandardCharsets.UTF_8);
      for (Map<String, Object> t : list(group.get("tests"))) {
        cases.add(Map.entry(t, () -> {
          List<JwtKey> keys = map(key).containsKey("keys") ? Jwk.parseSet(keyJson) : List.of(Jwk.parse(keyJson));
          if (keys.isEmpty()) {
            return false;
          }
          JwtVerifier verifier = JwtVerifier.builder().keys(keys).build();
          verifier.verifySignature((String) t.get("jws"));
          return true;
        }));
      }
    }
    return run(file, cases);
  }

  @TestFactory
  List<DynamicTest> hmac() throws IOException {
    List<DynamicTest> out = new ArrayList<>();
    out.addAll(mac("hmac_sha256_test.json", JwsAlgorithm.HS256));
    out.addAll(mac("hmac_sha384_test.json", JwsAlgorithm.HS384));
    out.addAll(mac("hmac_sha512_test.json", JwsAlgorithm.HS512));
    return out;
  }

  private List<DynamicTest> mac(String file, JwsAlgorithm alg) throws IOException {
    List<Map.Entry<Map<String, Object>, Case>> cases = new ArrayList<>();
    int notApplicable = 0;
    for (Map<String, Object> group : list(load(file).get("testGroups"))) {
      long keySize = (Long) group.get("keySize");
      long tagSize = (Long) group.get("tagSize");
      if (keySize < alg.hashBits() || tagSize != alg.hashBits()) {
        // JWS uses the full tag, and this library refuses HMAC keys shorter than the hash at configuration.
        notApplicable += list(group.get("tests")).size();
        continue;
      }
      for (Map<String, Object> t : list(group.get("tests"))) {
        cases.add(Map.entry(t, () -> {
          JwtKey key = JwtKey.hmac(hex(t.get("key")), alg);
          byte[] msg = hex(t.get("msg"));
          return JwsCrypto.verify(key, alg, msg, msg.length, hex(t.get("tag")));
        }));
      }
    }
    List<DynamicTest> tests = run(file, cases);
    SUMMARY.get(file)[3] = notApplicable;
    return tests;
  }

  @TestFactory
  List<DynamicTest> signatures() throws IOException {
    List<DynamicTest> out = new ArrayList<>();
    out.addAll(signature("rsa_signature_2048_sha256_test.json", JwsAlgorithm.RS256));
    out.addAll(signature("rsa_pss_2048_sha256_mgf1_32_test.json", JwsAlgorithm.PS256));
    out.addAll(signature("ecdsa_secp256r1_sha256_p1363_test.json", JwsAlgorithm.ES256));
    out.addAll(signature("ecdsa_secp384r1_sha384_p1363_test.json", JwsAlgorithm.ES384));
    out.addAll(signature("ecdsa_secp521r1_sha512_p1363_test.json", JwsAlgorithm.ES512));
    out.addAll(signature("ed25519_test.json", JwsAlgorithm.EdDSA));
    return out;
  }

  private List<DynamicTest> signature(String file, JwsAlgorithm alg) throws IOException {
    List<Map.Entry<Map<String, Object>, Case>> cases = new ArrayList<>();
    for (Map<String, Object> group : list(load(file).get("testGroups"))) {
      String pem = (String) group.get("publicKeyPem");
      for (Map<String, Object> t : list(group.get("tests"))) {
        cases.add(Map.entry(t, () -> {
          JwtKey key = JwtKey.verifying(Pem.publicKey(pem), alg);
          byte[] msg = hex(t.get("msg"));
          return JwsCrypto.verify(key, alg, msg, msg.length, hex(t.get("sig")));
        }));
      }
    }
    return run(file, cases);
  }

  static byte[] hex(@Nullable Object s) {
    return HexFormat.of().parseHex((String) s);
  }

  @org.junit.jupiter.api.AfterAll
  static void printSummary() throws IOException {
    StringBuilder sb = new StringBuilder("file | cases run | matched | deliberate deviations | not applicable\n");
    SUMMARY.forEach((f, c) -> sb.append(f).append(" | ").append(c[0]).append(" | ").append(c[1]).append(" | ")
        .append(c[2]).append(" | ").append(c[3]).append('\n'));
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "wycheproof-summary.txt"), sb.toString());
  }
}
