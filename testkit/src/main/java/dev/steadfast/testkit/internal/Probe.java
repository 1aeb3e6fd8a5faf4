package dev.steadfast.testkit.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;

/** Whether something accepts TCP connections at an address. */
public final class Probe {

  /** How long a probe waits for a connection to be accepted. */
  public static final Duration TIMEOUT = Duration.ofSeconds(1);

  private Probe() {}

  /**
   * Connects to {@code address} and closes again.
   *
   * @return empty when the connection was accepted, else why not ("nothing answered at 127.0.0.1:1 (Connection
   *     refused)")
   */
  public static Optional<String> unreachable(HostPort address) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address.host(), address.port()), (int) TIMEOUT.toMillis());
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("nothing answered at " + address + " (" + e.getMessage() + ")");
    }
  }
}
