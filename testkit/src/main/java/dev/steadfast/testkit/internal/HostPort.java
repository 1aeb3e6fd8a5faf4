package dev.steadfast.testkit.internal;

/**
 * A host and a TCP port, as in {@code 127.0.0.1:5432} or {@code [::1]:5432}.
 *
 * @param host a host name or an IP address literal, without brackets
 * @param port 1 to 65535
 */
public record HostPort(String host, int port) {

  /** Checks the parts. */
  public HostPort {
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, was " + port);
    }
  }

  /**
   * Parses {@code host:port}.
   *
   * @param setting the name of the setting the value came from, for the error message
   * @throws IllegalArgumentException naming {@code setting} and the value when it is not {@code host:port}
   */
  public static HostPort parse(String setting, String value) {
    String text = value.trim();
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException(setting + " must be host:port, was '" + value + "'");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(setting + " must be host:port, was '" + value + "'", e);
    }
    if (host.isBlank() || port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          setting + " must be host:port with a port in 1..65535, was '" + value + "'");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
