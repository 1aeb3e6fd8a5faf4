package dev.steadfast.core.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The raw settings of one pipeline or budget, read as typed values. A bad value is recorded as a problem that
 * names the key as it was written and the value, and the setting is marked failed so that cross-setting checks
 * involving it are skipped instead of reporting a second, derived problem. Not thread-safe: one reader per parse.
 */
final class SettingValues {

  /** A value and the key it was written under (a property name or an environment variable). */
  record Raw(String key, String value) {}

  /** Pipeline and budget names: lower-case letters and digits, optionally separated by single '-'. */
  static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,10}");

  private final Setting.Scope scope;
  private final String name;
  private final Map<Setting, Raw> values;
  private final List<String> problems;
  private final Set<Setting> failed = EnumSet.noneOf(Setting.class);

  SettingValues(Setting.Scope scope, String name, Map<Setting, Raw> values, List<String> problems) {
    this.scope = scope;
    this.name = name;
    this.values = values.isEmpty() ? new EnumMap<>(Setting.class) : new EnumMap<>(values);
    this.problems = problems;
  }

  /** The canonical name of the pipeline or budget. */
  String name() {
    return name;
  }

  /** The key of {@code setting} as written, or in its documented form if it was not set. */
  String key(Setting setting) {
    Raw raw = values.get(setting);
    return raw != null ? raw.key() : scope.key(name, setting.property());
  }

  /** {@code key (value)}, marking a default as such, for cross-setting messages. */
  String describe(Setting setting, Object value) {
    return key(setting) + " (" + value + (has(setting) ? ")" : ", the default)");
  }

  boolean has(Setting setting) {
    return values.containsKey(setting);
  }

  /** The settings present that belong to {@code policy} ({@code retry}, {@code hedge}, ...). */
  List<Setting> present(String policy) {
    List<Setting> present = new ArrayList<>();
    for (Setting setting : values.keySet()) {
      if (setting.policy().equals(policy)) {
        present.add(setting);
      }
    }
    return present;
  }

  /** Whether none of {@code settings} has a bad value. */
  boolean ok(Setting... settings) {
    for (Setting setting : settings) {
      if (failed.contains(setting)) {
        return false;
      }
    }
    return true;
  }

  void problem(String problem) {
    problems.add(problem);
  }

  /** Records that {@code setting} must be set (saying {@code why}) unless it is. */
  void require(Setting setting, String why) {
    if (!has(setting)) {
      failed.add(setting);
      problem(key(setting) + " is required " + why);
    }
  }

  /** Records that {@code setting}, if set, is not allowed here, saying {@code why}. */
  void reject(Setting setting, String why) {
    if (has(setting)) {
      failed.add(setting);
      problem(key(setting) + " " + why);
    }
  }

  /** An integer in {@code [min, max]}, or {@code otherwise} when not set or bad. */
  int integer(Setting setting, int min, int max, int otherwise) {
    Raw raw = values.get(setting);
    if (raw == null) {
      return otherwise;
    }
    String text = raw.value().strip();
    if (INTEGER.matcher(text).matches()) {
      long value = Long.parseLong(text);
      if (value >= min && value <= max) {
        return (int) value;
      }
    }
    bad(setting, raw, "an integer " + range(min, max));
    return otherwise;
  }

  /**
   * A decimal number in the range {@code low..high} (each end inclusive or not), or {@code otherwise} when not set
   * or bad.
   */
  double number(
      Setting setting,
      double low,
      boolean lowInclusive,
      double high,
      boolean highInclusive,
      double otherwise) {
    Raw raw = values.get(setting);
    if (raw == null) {
      return otherwise;
    }
    Double value = decimal(raw.value());
    if (value != null
        && (lowInclusive ? value >= low : value > low)
        && (highInclusive ? value <= high : value < high)) {
      return value;
    }
    String range =
        Double.isInfinite(high)
            ? (lowInclusive ? ">= " : "> ") + plain(low)
            : "in " + (lowInclusive ? "[" : "(") + plain(low) + ", " + plain(high) + (highInclusive ? "]" : ")");
    bad(setting, raw, "a number " + range);
    return otherwise;
  }

  /**
   * A duration in {@code [min, max]} ({@code min} exclusive when {@code minExclusive}), or {@code otherwise} when
   * not set or bad.
   */
  Duration duration(Setting setting, Duration min, boolean minExclusive, @Nullable Duration max, Duration otherwise) {
    Raw raw = values.get(setting);
    if (raw == null) {
      return otherwise;
    }
    Duration value = DurationFormat.parse(raw.value());
    if (value != null
        && (minExclusive ? value.compareTo(min) > 0 : value.compareTo(min) >= 0)
        && (max == null || value.compareTo(max) <= 0)) {
      return value;
    }
    String range =
        max != null
            ? "between " + human(min) + " and " + human(max)
            : (minExclusive ? "> " : ">= ") + human(min);
    bad(setting, raw, "a duration " + range + " (like 500ms, 2s, 1m, 1h or PT2S)");
    return otherwise;
  }

  /**
   * One of {@code type}'s constants, written as its name in lower case with '-' for '_' (and matched in canonical
   * form, so {@code token-bucket}, {@code tokenBucket} and {@code TOKEN_BUCKET} are one value), or {@code
   * otherwise} when not set or bad.
   */
  <E extends Enum<E>> E choice(Setting setting, Class<E> type, E otherwise) {
    Raw raw = values.get(setting);
    if (raw == null) {
      return otherwise;
    }
    String wanted = Setting.canonical(raw.value().strip()).replace("_", "");
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      String written = written(constant);
      if (Setting.canonical(written).equals(wanted)) {
        return constant;
      }
      names.add(written);
    }
    bad(setting, raw, "one of " + String.join(", ", names));
    return otherwise;
  }

  /** A pipeline or budget name, in canonical form, or null when not set or bad. */
  @Nullable String reference(Setting setting, String what) {
    Raw raw = values.get(setting);
    if (raw == null) {
      return null;
    }
    String text = raw.value().strip();
    if (NAME.matcher(text).matches()) {
      return Setting.canonical(text);
    }
    bad(setting, raw, "the name of a " + what + " (lower-case letters and digits, optionally separated by '-')");
    return null;
  }

  /** How a constant is written in configuration: {@code TOKEN_BUCKET} as {@code token-bucket}. */
  static String written(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private void bad(Setting setting, Raw raw, String expected) {
    failed.add(setting);
    problem(raw.key() + " must be " + expected + ", was '" + raw.value() + "'");
  }

  private static @Nullable Double decimal(String text) {
    try {
      double value = new BigDecimal(text.strip()).doubleValue();
      return Double.isFinite(value) ? value : null;
    } catch (NumberFormatException notANumber) {
      return null;
    }
  }

  private static String range(int min, int max) {
    return max == Integer.MAX_VALUE ? ">= " + min : "in [" + min + ", " + max + "]";
  }

  private static String plain(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  /** {@code 0}, {@code 1ms}, {@code 1s}, {@code 1h}: the bounds used in messages, in the simple form. */
  static String human(Duration duration) {
    if (duration.isZero()) {
      return "0";
    }
    if (duration.getNano() % 1_000_000 != 0) {
      return duration.toNanos() + "ns";
    }
    if (duration.getNano() != 0) {
      return duration.toMillis() + "ms";
    }
    long seconds = duration.getSeconds();
    if (seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    if (seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
