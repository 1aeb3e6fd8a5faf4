package dev.steadfast.testkit.internal;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads a fixture setting once: the system property wins over the environment variable of the same name in upper
 * case with underscores ({@code steadfast.postgres.url} and {@code STEADFAST_POSTGRES_URL}). Blank counts as unset.
 */
public final class Settings {

  private Settings() {}

  /** The value of {@code property}, or of its environment variable, or null when neither is set. */
  public static @Nullable String lookup(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(environmentName(property));
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** {@code steadfast.postgres.url} becomes {@code STEADFAST_POSTGRES_URL}. */
  public static String environmentName(String property) {
    return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
