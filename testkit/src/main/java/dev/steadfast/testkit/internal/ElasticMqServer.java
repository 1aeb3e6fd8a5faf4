package dev.steadfast.testkit.internal;

import java.net.URI;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe handle on an embedded ElasticMQ (an SQS-compatible server) on a free loopback port, started once for
 * the run and stopped by {@link #close()}. The only class that touches {@code org.elasticmq}.
 */
public final class ElasticMqServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ElasticMqServer.class);

  /** The region ElasticMQ puts into queue ARNs and the clients sign for. */
  public static final String REGION = "us-east-1";

  private final SQSRestServer server;
  private final URI endpoint;

  private ElasticMqServer(SQSRestServer server, URI endpoint) {
    this.server = server;
    this.endpoint = endpoint;
  }

  /** Starts ElasticMQ and waits until it listens. */
  public static ElasticMqServer start() {
    long started = System.nanoTime();
    SQSRestServer server =
        SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().withAWSRegion(REGION).start();
    int port = server.waitUntilStarted().localAddress().getPort();
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    LOG.info(
        "SQS for tests: embedded ElasticMQ at {} (started in {} ms)",
        endpoint,
        (System.nanoTime() - started) / 1_000_000);
    return new ElasticMqServer(server, endpoint);
  }

  /** Where the SQS API answers. */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    server.stopAndWait();
  }
}
