package dev.steadfast.testkit.internal;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** Names for per-class databases and per-test queues that no other run uses. */
public final class DatabaseNames {

  private static final int MAX_CLASS_PART = 30;

  private DatabaseNames() {}

  /**
   * {@code steadfast_<class name in lower case>_<8 random hex digits>}: at most 50 characters of {@code [a-z0-9_]},
   * a valid unquoted identifier for PostgreSQL and MariaDB alike.
   */
  public static String forClass(Class<?> testClass) {
    String simple = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    if (simple.length() > MAX_CLASS_PART) {
      simple = simple.substring(0, MAX_CLASS_PART);
    }
    return "steadfast_" + simple + "_" + randomSuffix();
  }

  /** Eight random hex digits. */
  public static String randomSuffix() {
    return String.format(Locale.ROOT, "%08x", ThreadLocalRandom.current().nextInt());
  }
}
