package dev.steadfast.benchmarks;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import dev.steadfast.jwt.Claims;
import dev.steadfast.jwt.JwsAlgorithm;
import dev.steadfast.jwt.JwtKey;
import dev.steadfast.jwt.JwtSigner;
import dev.steadfast.jwt.JwtVerifier;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JWT verification (signature plus issuer, audience and expiry checks) and signing of one fixed token with six
 * claims ({@code iss, sub, aud, exp, iat, scope}), for HS256, RS256 and ES256: steadfast-jwt against
 * nimbus-jose-jwt 10.10, jjwt 0.13.0 and auth0 java-jwt 4.6.2, with the raw JCA operation on the signing input
 * as the floor ({@code jcaFloor}: signature or MAC only, no parsing, no claims).
 *
 * <p>Targets: HS256 verify+validate at most 1.0 µs; RS256 and ES256 at most 1.05x the JCA floor; signing
 * likewise.
 *
 * <p>Run (from the repository root; figures in docs/jwt.md):
 *
 * <pre>
 * ./mvnw -B -o -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar \
 *     "JwtBenchmark.(steadfast|nimbus|jjwt|auth0|jcaFloor|signSteadfast|signJcaFloor)$" \
 *     -p alg=HS256 -prof gc -f 2 -wi 3 -w 1s -i 5 -r 1s
 * java -jar benchmarks/target/benchmarks.jar \
 *     "JwtBenchmark.(steadfast|nimbus|jjwt|auth0|jcaFloor|signSteadfast|signJcaFloor)$" \
 *     -p alg=RS256 -prof gc -f 3 -wi 5 -w 1s -i 10 -r 1s   (then the same with -p alg=ES256)
 * </pre>
 *
 * <p>On a shared machine, compare only figures from one run, and note the load average; the ratios to the
 * floor need the longer RS256/ES256 runs (the library's own work is under 1 µs of a 30 µs-1 ms operation).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class JwtBenchmark {
  static final String ISSUER = "https://issuer.example";
  static final String AUDIENCE = "api";

  @Param({"HS256", "RS256", "ES256"})
  public String alg;

  String token;
  byte[] signingInput;
  byte[] signature;
  Claims claims;
  JWTClaimsSet nimbusClaims;

  JwtVerifier steadfastVerifier;
  JwtSigner steadfastSigner;
  JWSVerifier nimbusVerifier;
  JWSSigner nimbusSigner;
  DefaultJWTClaimsVerifier<com.nimbusds.jose.proc.SecurityContext> nimbusClaimsVerifier;
  JwtParser jjwtParser;
  java.security.Key jjwtSigningKey;
  com.auth0.jwt.interfaces.JWTVerifier auth0Verifier;
  Algorithm auth0Algorithm;
  Mac mac;
  Signature jcaVerify;
  Signature jcaSign;
  java.security.PublicKey publicKey;
  java.security.PrivateKey privateKey;

  @Setup
  public void setUp() throws Exception {
    Instant now = Instant.now();
    Instant exp = now.plusSeconds(86_400);
    claims = Claims.builder().issuer(ISSUER).subject("user-1234").audience(AUDIENCE).expiresAt(exp)
        .issuedAt(now).scopes(List.of("read", "write")).build();
    nimbusClaims = new JWTClaimsSet.Builder().issuer(ISSUER).subject("user-1234").audience(AUDIENCE)
        .expirationTime(Date.from(exp)).issueTime(Date.from(now)).claim("scope", "read write").build();
    nimbusClaimsVerifier = new DefaultJWTClaimsVerifier<>(AUDIENCE,
        new JWTClaimsSet.Builder().issuer(ISSUER).build(), Set.of("exp"));
    JwtKey key;
    switch (alg) {
      case "HS256" -> {
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        key = JwtKey.hmac(secret, JwsAlgorithm.HS256);
        SecretKey secretKey = new SecretKeySpec(secret, "HmacSHA256");
        nimbusVerifier = new MACVerifier(secret);
        nimbusSigner = new MACSigner(secret);
        jjwtSigningKey = secretKey;
        jjwtParser = Jwts.parser().verifyWith(secretKey).requireIssuer(ISSUER).requireAudience(AUDIENCE).build();
        auth0Algorithm = Algorithm.HMAC256(secret);
        mac = Mac.getInstance("HmacSHA256");
        mac.init(secretKey);
      }
      case "RS256" -> {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        key = JwtKey.signing(pair, JwsAlgorithm.RS256);
        publicKey = pair.getPublic();
        privateKey = pair.getPrivate();
        nimbusVerifier = new RSASSAVerifier((RSAPublicKey) publicKey);
        nimbusSigner = new RSASSASigner(privateKey);
        jjwtSigningKey = privateKey;
        jjwtParser = Jwts.parser().verifyWith(publicKey).requireIssuer(ISSUER).requireAudience(AUDIENCE).build();
        auth0Algorithm = Algorithm.RSA256((RSAPublicKey) publicKey, (RSAPrivateKey) privateKey);
        jcaVerify = Signature.getInstance("SHA256withRSA");
        jcaSign = Signature.getInstance("SHA256withRSA");
      }
      default -> {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        key = JwtKey.signing(pair, JwsAlgorithm.ES256);
        publicKey = pair.getPublic();
        privateKey = pair.getPrivate();
        nimbusVerifier = new ECDSAVerifier((ECPublicKey) publicKey);
        nimbusSigner = new ECDSASigner((ECPrivateKey) privateKey);
        jjwtSigningKey = privateKey;
        jjwtParser = Jwts.parser().verifyWith(publicKey).requireIssuer(ISSUER).requireAudience(AUDIENCE).build();
        auth0Algorithm = Algorithm.ECDSA256((ECPublicKey) publicKey, (ECPrivateKey) privateKey);
        jcaVerify = Signature.getInstance("SHA256withECDSAinP1363Format");
        jcaSign = Signature.getInstance("SHA256withECDSAinP1363Format");
      }
    }
    steadfastSigner = JwtSigner.of(key);
    steadfastVerifier = JwtVerifier.builder().keys(List.of(key)).issuer(ISSUER).audience(AUDIENCE).build();
    auth0Verifier = JWT.require(auth0Algorithm).withIssuer(ISSUER).withAudience(AUDIENCE).build();
    token = steadfastSigner.sign(claims);
    int lastDot = token.lastIndexOf('.');
    signingInput = token.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII);
    signature = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
    // Every library must accept the token before it is measured.
    steadfast();
    nimbus();
    jjwt();
    auth0();
    if (!jcaFloor()) {
      throw new IllegalStateException("the JCA floor refused the token");
    }
  }

  @Benchmark
  public Object steadfast() {
    return steadfastVerifier.verify(token);
  }

  @Benchmark
  public Object nimbus() throws Exception {
    SignedJWT jwt = SignedJWT.parse(token);
    if (!jwt.verify(nimbusVerifier)) {
      throw new IllegalStateException("nimbus refused the token");
    }
    JWTClaimsSet set = jwt.getJWTClaimsSet();
    nimbusClaimsVerifier.verify(set, null);
    return set;
  }

  @Benchmark
  public Object jjwt() {
    return jjwtParser.parseSignedClaims(token);
  }

  @Benchmark
  public Object auth0() {
    return auth0Verifier.verify(token);
  }

  @Benchmark
  public boolean jcaFloor() throws Exception {
    if (mac != null) {
      return MessageDigest.isEqual(mac.doFinal(signingInput), signature);
    }
    jcaVerify.initVerify(publicKey);
    jcaVerify.update(signingInput);
    return jcaVerify.verify(signature);
  }

  @Benchmark
  public String signSteadfast() {
    return steadfastSigner.sign(claims);
  }

  @Benchmark
  public String signNimbus() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.parse(alg)), nimbusClaims);
    jwt.sign(nimbusSigner);
    return jwt.serialize();
  }

  @Benchmark
  public String signJjwt() {
    return Jwts.builder().issuer(ISSUER).subject("user-1234").audience().add(AUDIENCE).and()
        .expiration(Date.from(claims.expiresAt())).issuedAt(Date.from(claims.issuedAt()))
        .claim("scope", "read write").signWith(jjwtSigningKey).compact();
  }

  @Benchmark
  public String signAuth0() {
    return JWT.create().withIssuer(ISSUER).withSubject("user-1234").withAudience(AUDIENCE)
        .withExpiresAt(claims.expiresAt()).withIssuedAt(claims.issuedAt()).withClaim("scope", "read write")
        .sign(auth0Algorithm);
  }

  @Benchmark
  public byte[] signJcaFloor() throws Exception {
    if (mac != null) {
      return mac.doFinal(signingInput);
    }
    jcaSign.initSign(privateKey);
    jcaSign.update(signingInput);
    return jcaSign.sign();
  }
}
