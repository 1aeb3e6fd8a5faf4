package dev.steadfast.testkit;

import dev.steadfast.testkit.internal.Faults;
import dev.steadfast.testkit.internal.HostPort;
import dev.steadfast.testkit.internal.ProxyEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Thread-safe in-JVM TCP proxy that injects network faults between a client and a real server, in the manner of
 * Toxiproxy; faults may be set, changed and cleared at any time, and apply to live connections at once.
 *
 * <p>The proxy listens on a free loopback port and forwards each accepted connection to the target. The faults:
 *
 * <ul>
 *   <li>{@linkplain #latency(Duration, Duration) latency} with jitter, added to <em>each</em> direction, so a
 *       request-response round trip takes at least twice the latency longer;
 *   <li>a {@linkplain #bandwidthLimit(long) bandwidth limit} in bytes per second for each direction;
 *   <li>a {@linkplain #blackhole(boolean) blackhole}: connections are accepted and kept, but nothing is forwarded
 *       until it is turned off; held data is then delivered, as after a healed network partition;
 *   <li>{@linkplain #resetConnections() resetting} the open connections, and {@linkplain #resetNewConnections(boolean)
 *       new ones} as they arrive, with a TCP RST ({@code SO_LINGER} 0);
 *   <li>{@linkplain #closeAfterBytes(long) closing} a connection once it has forwarded a number of bytes.
 * </ul>
 *
 * <pre>{@code
 * try (TcpFaultProxy proxy = TcpFaultProxy.start(POSTGRES.host(), POSTGRES.port())) {
 *   DataSource slow = dataSourceFor(POSTGRES.jdbcUrl(proxy.host(), proxy.port()));
 *   proxy.latency(Duration.ofMillis(200));
 *   ...
 *   proxy.resetConnections();
 * }
 * }</pre>
 *
 * <p>Every connection costs four platform threads; the proxy is meant for tests, not for load.
 *
 * @since 0.1.0
 */
public final class TcpFaultProxy implements AutoCloseable {

  private static final Duration MAX_LATENCY = Duration.ofHours(24);

  private final ProxyEngine engine;
  private final HostPort target;

  private TcpFaultProxy(ProxyEngine engine, HostPort target) {
    this.engine = engine;
    this.target = target;
  }

  /**
   * Starts a proxy on a free loopback port that forwards to {@code targetHost:targetPort}, with no faults.
   *
   * @throws IllegalArgumentException when the host is blank or the port is not in 1..65535
   * @throws UncheckedIOException when no port can be bound
   */
  public static TcpFaultProxy start(String targetHost, int targetPort) {
    return builder(targetHost, targetPort).start();
  }

  /**
   * A builder for a proxy that forwards to {@code targetHost:targetPort}.
   *
   * @throws IllegalArgumentException when the host is blank or the port is not in 1..65535
   */
  public static Builder builder(String targetHost, int targetPort) {
    return new Builder(targetHost, targetPort);
  }

  /** The host clients connect to (the proxy's listening address). */
  public String host() {
    return address().getAddress().getHostAddress();
  }

  /** The port clients connect to. */
  public int port() {
    return address().getPort();
  }

  /** The address clients connect to. */
  public InetSocketAddress address() {
    return engine.address();
  }

  /** The host the proxy forwards to. */
  public String targetHost() {
    return target.host();
  }

  /** The port the proxy forwards to. */
  public int targetPort() {
    return target.port();
  }

  /**
   * Delays each direction's data by {@code latency}, without jitter; {@link Duration#ZERO} removes the delay.
   *
   * @throws IllegalArgumentException when it is negative or longer than a day
   */
  public TcpFaultProxy latency(Duration latency) {
    return latency(latency, Duration.ZERO);
  }

  /**
   * Delays each direction's data by {@code latency}, varied uniformly by up to {@code jitter} either way (never
   * below zero, and never reordering bytes).
   *
   * @throws IllegalArgumentException when either is negative or longer than a day
   */
  public TcpFaultProxy latency(Duration latency, Duration jitter) {
    long latencyNanos = checkDuration("latency", latency);
    long jitterNanos = checkDuration("jitter", jitter);
    engine.update(faults -> faults.withLatency(latencyNanos, jitterNanos));
    return this;
  }

  /**
   * Limits each direction of each connection to {@code bytesPerSecond}.
   *
   * @throws IllegalArgumentException when it is not positive
   */
  public TcpFaultProxy bandwidthLimit(long bytesPerSecond) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("bandwidthLimit must be > 0 bytes/s, was " + bytesPerSecond);
    }
    engine.update(faults -> faults.withBytesPerSecond(bytesPerSecond));
    return this;
  }

  /** Removes the bandwidth limit. */
  public TcpFaultProxy noBandwidthLimit() {
    engine.update(faults -> faults.withBytesPerSecond(0));
    return this;
  }

  /**
   * Turns the blackhole on or off. While on, connections are accepted (and connected to the target) but no byte is
   * forwarded in either direction; clients see it as a server that stopped answering (a read timeout). Held data is
   * forwarded when it is turned off.
   */
  public TcpFaultProxy blackhole(boolean on) {
    engine.update(faults -> faults.withBlackhole(on));
    return this;
  }

  /** While on, each new connection is reset (RST) as soon as it is accepted. */
  public TcpFaultProxy resetNewConnections(boolean on) {
    engine.update(faults -> faults.withResetNewConnections(on));
    return this;
  }

  /**
   * Resets (RST, {@code SO_LINGER} 0) every open connection, on the client's side and the server's.
   *
   * @return how many connections were reset
   */
  public int resetConnections() {
    return engine.resetConnections();
  }

  /**
   * Closes (FIN) each connection once it has forwarded {@code bytes} bytes, counting both directions from the
   * connection's start; a connection already past that closes at its next data.
   *
   * @throws IllegalArgumentException when it is negative
   */
  public TcpFaultProxy closeAfterBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("closeAfterBytes must be >= 0, was " + bytes);
    }
    engine.update(faults -> faults.withCloseAfterBytes(bytes));
    return this;
  }

  /** Removes the byte limit. */
  public TcpFaultProxy noByteLimit() {
    engine.update(faults -> faults.withCloseAfterBytes(-1));
    return this;
  }

  /** Removes every fault: the proxy forwards transparently again (held data is released). */
  public TcpFaultProxy clearFaults() {
    engine.update(faults -> Faults.NONE);
    return this;
  }

  /** Connections open now. */
  public int openConnections() {
    return engine.openConnections();
  }

  /** Connections accepted since the start, including those reset at once. */
  public long acceptedConnections() {
    return engine.acceptedConnections();
  }

  /** Stops listening and closes every connection; waits up to five seconds for the proxy's threads to end. */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    Faults faults = engine.faults();
    return "TcpFaultProxy["
        + address()
        + " -> "
        + target
        + ", latency="
        + Duration.ofNanos(faults.latencyNanos())
        + ", jitter="
        + Duration.ofNanos(faults.jitterNanos())
        + ", bandwidthLimit="
        + (faults.bytesPerSecond() == 0 ? "none" : faults.bytesPerSecond() + " B/s")
        + ", closeAfterBytes="
        + (faults.closeAfterBytes() < 0 ? "none" : faults.closeAfterBytes())
        + ", blackhole="
        + faults.blackhole()
        + ", resetNewConnections="
        + faults.resetNewConnections()
        + "]";
  }

  private static long checkDuration(String setting, Duration value) {
    Objects.requireNonNull(value, setting);
    if (value.isNegative()) {
      throw new IllegalArgumentException(setting + " must be >= 0, was " + value);
    }
    if (value.compareTo(MAX_LATENCY) > 0) {
      throw new IllegalArgumentException(setting + " must be <= " + MAX_LATENCY + ", was " + value);
    }
    return value.toNanos();
  }

  /** Configures a {@link TcpFaultProxy}. Not thread-safe. */
  public static final class Builder {
    private final HostPort target;
    private InetAddress listenAddress = InetAddress.getLoopbackAddress();
    private int listenPort;
    private Duration connectTimeout = Duration.ofSeconds(5);

    private Builder(String targetHost, int targetPort) {
      Objects.requireNonNull(targetHost, "targetHost");
      if (targetHost.isBlank()) {
        throw new IllegalArgumentException("targetHost must not be blank");
      }
      if (targetPort < 1 || targetPort > 65535) {
        throw new IllegalArgumentException("targetPort must be in 1..65535, was " + targetPort);
      }
      this.target = new HostPort(targetHost, targetPort);
    }

    /** The address to listen on; the loopback address by default. */
    public Builder listenAddress(InetAddress address) {
      this.listenAddress = Objects.requireNonNull(address, "listenAddress");
      return this;
    }

    /**
     * The port to listen on; 0 (the default) for a free one.
     *
     * @throws IllegalArgumentException when it is not in 0..65535
     */
    public Builder listenPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("listenPort must be in 0..65535, was " + port);
      }
      this.listenPort = port;
      return this;
    }

    /**
     * How long the proxy waits to connect to the target for each accepted connection (5 seconds by default); when it
     * cannot, it resets the client's connection.
     *
     * @throws IllegalArgumentException when it is not positive
     */
    public Builder connectTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "connectTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be > 0, was " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * Starts a proxy with no faults; the builder may start more.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public TcpFaultProxy start() {
      try {
        return new TcpFaultProxy(ProxyEngine.start(listenAddress, listenPort, target, connectTimeout), target);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "could not listen on " + listenAddress.getHostAddress() + ":" + listenPort, e);
      }
    }
  }
}
