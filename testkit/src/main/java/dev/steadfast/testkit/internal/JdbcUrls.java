package dev.steadfast.testkit.internal;

import java.util.regex.Pattern;

/**
 * Takes apart and rebuilds JDBC URLs of the form {@code jdbc:<driver>://host[:port][,host2...][/database][?params]}.
 */
public final class JdbcUrls {

  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)(password|pwd)=[^&;]*");

  private JdbcUrls() {}

  /** The URL with its database replaced by {@code database}; parameters are kept. */
  public static String withDatabase(String url, String database) {
    Parts parts = Parts.of(url);
    return parts.prefix + "//" + parts.authority + "/" + database + parts.parameters;
  }

  /** The URL with its host list replaced by {@code address}; database and parameters are kept. */
  public static String withAddress(String url, HostPort address) {
    Parts parts = Parts.of(url);
    return parts.prefix + "//" + address + parts.path + parts.parameters;
  }

  /** The first host of the URL and its port, or {@code defaultPort} when the URL names none. */
  public static HostPort address(String url, int defaultPort) {
    String first = Parts.of(url).authority.split(",", -1)[0];
    int colon = first.lastIndexOf(':');
    if (colon > 0 && colon > first.lastIndexOf(']')) {
      return HostPort.parse("JDBC URL " + redact(url), first);
    }
    String host = first.startsWith("[") ? first.substring(1, first.length() - 1) : first;
    return new HostPort(host.isEmpty() ? "localhost" : host, defaultPort);
  }

  /** The URL with the values of {@code password=} parameters replaced, fit for logs and messages. */
  public static String redact(String url) {
    return PASSWORD_PARAMETER.matcher(url).replaceAll("$1=***");
  }

  private static final class Parts {
    final String prefix;
    final String authority;
    final String path;
    final String parameters;

    private Parts(String prefix, String authority, String path, String parameters) {
      this.prefix = prefix;
      this.authority = authority;
      this.path = path;
      this.parameters = parameters;
    }

    static Parts of(String url) {
      int slashes = url.indexOf("//");
      if (!url.startsWith("jdbc:") || slashes < 0) {
        throw new IllegalArgumentException(
            "JDBC URL must look like jdbc:<driver>://host:port/database, was '" + redact(url) + "'");
      }
      int start = slashes + 2;
      int end = start;
      while (end < url.length() && url.charAt(end) != '/' && url.charAt(end) != '?') {
        end++;
      }
      int query = url.indexOf('?', end);
      String path = query < 0 ? url.substring(end) : url.substring(end, query);
      String parameters = query < 0 ? "" : url.substring(query);
      return new Parts(url.substring(0, slashes), url.substring(start, end), path, parameters);
    }
  }
}
