package dev.steadfast.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The two ways a configured duration may be written: ISO-8601 ({@code PT2S}, {@code PT0.5S}) and a whole number
 * with a unit ({@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}; also {@code ns}, {@code us} and {@code d}), as
 * Spring Boot reads them. A number without a unit is rejected: it would be milliseconds in one tool and seconds
 * in the next.
 */
final class DurationFormat {

  /** How {@link #parse} describes what it accepts, for error messages. */
  static final String EXPECTED = "a duration like 500ms, 2s, 1m, 1h or PT2S";

  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,18})\\s*(ns|us|ms|s|m|h|d)");

  private DurationFormat() {}

  /** The duration {@code text} denotes, or null if it is neither form (or too long for a {@link Duration}). */
  static @Nullable Duration parse(String text) {
    String value = text.strip();
    Matcher simple = SIMPLE.matcher(value.toLowerCase(Locale.ROOT));
    try {
      if (simple.matches()) {
        long amount = Long.parseLong(simple.group(1));
        return Duration.of(amount, unit(simple.group(2)));
      }
      if (value.length() > 1 && Character.toUpperCase(value.charAt(0)) == 'P') {
        return Duration.parse(value);
      }
      if (value.length() > 2 && value.charAt(0) == '-' && Character.toUpperCase(value.charAt(1)) == 'P') {
        return Duration.parse(value);
      }
    } catch (DateTimeParseException | ArithmeticException notADuration) {
      return null;
    }
    return null;
  }

  private static ChronoUnit unit(String symbol) {
    return switch (symbol) {
      case "ns" -> ChronoUnit.NANOS;
      case "us" -> ChronoUnit.MICROS;
      case "ms" -> ChronoUnit.MILLIS;
      case "s" -> ChronoUnit.SECONDS;
      case "m" -> ChronoUnit.MINUTES;
      case "h" -> ChronoUnit.HOURS;
      case "d" -> ChronoUnit.DAYS;
      default -> throw new AssertionError("unit not in the pattern: " + symbol);
    };
  }
}
