package dev.steadfast.testkit.internal;

import org.jspecify.annotations.Nullable;

/**
 * Where a JDBC fixture finds its server: an explicit URL, or else the local default at {@code probe}. Used as the
 * key of the per-run server cache, so equal settings share one server.
 *
 * @param url the configured JDBC URL, or null to probe
 * @param user the user for {@code url}, or null for the fixture's default
 * @param password the password for {@code url}; never printed
 * @param probe where the local default server is looked for when {@code url} is null
 */
public record ServerSettings(
    @Nullable String url, @Nullable String user, @Nullable String password, HostPort probe) {

  @Override
  public String toString() {
    return "ServerSettings[url="
        + (url == null ? "none" : JdbcUrls.redact(url))
        + ", user="
        + user
        + ", password="
        + (password == null ? "none" : "***")
        + ", probe="
        + probe
        + "]";
  }
}
