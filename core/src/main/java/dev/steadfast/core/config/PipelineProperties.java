package dev.steadfast.core.config;

import dev.steadfast.core.config.Setting.Scope;
import dev.steadfast.core.config.SettingValues.Raw;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The validated configuration of named pipelines and the retry budgets they share, read from properties or
 * environment variables. Immutable and thread-safe. Every factory checks everything it can without building a
 * policy and throws {@link InvalidConfigException} listing every problem, each naming the key (as written) and
 * the value.
 *
 * <p>Keys, below the prefix {@code steadfast.}; see {@code docs/configuration.md} for every setting:
 *
 * <pre>
 * steadfast.pipeline.orders.deadline=2s
 * steadfast.pipeline.orders.retry.max-attempts=3
 * steadfast.pipeline.orders.retry-budget=orders-api
 * steadfast.pipeline.orders.circuit-breaker.failure-rate-threshold=50
 * steadfast.budget.orders-api.type=token-bucket
 * steadfast.budget.orders-api.max-tokens=10
 * </pre>
 *
 * <p>Names are relaxed as Spring Boot relaxes them: a key is matched in its canonical form, lower case with every
 * '-' removed, so {@code retry.max-attempts}, {@code retry.maxAttempts} and {@code retry.maxattempts} are one
 * key, and the environment variable {@code STEADFAST_PIPELINE_ORDERS_RETRY_MAXATTEMPTS} (upper case, '_' for '.')
 * is that key too. Pipeline and budget names are lower-case letters and digits, optionally separated by '-' in
 * property form; the '-' are not part of the name ({@code order-service} and {@code orderservice} are one
 * pipeline, named {@code orderservice}), so that the environment-variable form, which cannot write '-', names the
 * same pipeline.
 *
 * <p>Keys outside {@code steadfast.} are ignored, so that all of a Spring environment or of {@link
 * System#getProperties()} may be passed. Every key inside it must be known.
 *
 * @since 0.1.0
 */
public final class PipelineProperties {

  private static final String ENVIRONMENT_PREFIX = "STEADFAST_";
  private static final PipelineProperties EMPTY = new PipelineProperties(Map.of(), Map.of());

  private final Map<String, PipelineSpec> pipelines;
  private final Map<String, BudgetSpec> budgets;

  private PipelineProperties(Map<String, PipelineSpec> pipelines, Map<String, BudgetSpec> budgets) {
    this.pipelines = Collections.unmodifiableMap(new TreeMap<>(pipelines));
    this.budgets = Collections.unmodifiableMap(new TreeMap<>(budgets));
  }

  /**
   * Reads the {@code steadfast.} keys of {@code properties}, in property form; other keys are ignored.
   *
   * @throws InvalidConfigException listing every unknown key, bad value and contradiction
   */
  public static PipelineProperties of(Map<String, String> properties) {
    Objects.requireNonNull(properties, "properties");
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, String> property : properties.entrySet()) {
      String key = Objects.requireNonNull(property.getKey(), "properties must not contain a null key");
      entries.add(new Entry(key, key, property.getValue()));
    }
    return parse(entries, false);
  }

  /**
   * Reads the {@code steadfast.} keys of {@code properties} (its defaults included), in property form; other keys
   * are ignored, and so are entries whose key or value is not a string.
   *
   * @throws InvalidConfigException listing every unknown key, bad value and contradiction
   */
  public static PipelineProperties of(Properties properties) {
    Objects.requireNonNull(properties, "properties");
    List<Entry> entries = new ArrayList<>();
    for (String key : properties.stringPropertyNames()) {
      entries.add(new Entry(key, key, properties.getProperty(key)));
    }
    return parse(entries, false);
  }

  /**
   * Reads the environment variables that start with {@code STEADFAST_} (as {@link System#getenv()} returns them):
   * lower-cased, with '_' read as '.', each is a key in canonical form, so {@code
   * STEADFAST_PIPELINE_ORDERS_RETRY_MAXATTEMPTS=5} is {@code steadfast.pipeline.orders.retry.max-attempts=5}.
   * Other variables are ignored; problems name the variable.
   *
   * @throws InvalidConfigException listing every unknown variable, bad value and contradiction
   */
  public static PipelineProperties fromEnvironment(Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, String> variable : environment.entrySet()) {
      String name = variable.getKey();
      if (name != null && name.regionMatches(true, 0, ENVIRONMENT_PREFIX, 0, ENVIRONMENT_PREFIX.length())) {
        entries.add(new Entry(name, name.toLowerCase(Locale.ROOT).replace('_', '.'), variable.getValue()));
      }
    }
    return parse(entries, true);
  }

  /** No pipelines and no budgets. */
  public static PipelineProperties empty() {
    return EMPTY;
  }

  /** The names of the configured pipelines, in canonical form ('-' removed), sorted. */
  public Set<String> pipelineNames() {
    return pipelines.keySet();
  }

  /** The names of the configured retry budgets, in canonical form ('-' removed), sorted. */
  public Set<String> budgetNames() {
    return budgets.keySet();
  }

  Map<String, PipelineSpec> pipelines() {
    return pipelines;
  }

  Map<String, BudgetSpec> budgets() {
    return budgets;
  }

  /** Equal when they configure the same pipelines and budgets with the same settings, however written. */
  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof PipelineProperties that
        && pipelines.equals(that.pipelines)
        && budgets.equals(that.budgets);
  }

  @Override
  public int hashCode() {
    return 31 * pipelines.hashCode() + budgets.hashCode();
  }

  @Override
  public String toString() {
    return "PipelineProperties[pipelines=" + pipelines.keySet() + ", budgets=" + budgets.keySet() + "]";
  }

  /** A key as written (for messages), the same key in property form, and its value. */
  private record Entry(String written, String key, @Nullable String value) {}

  private static PipelineProperties parse(List<Entry> entries, boolean environment) {
    entries.sort((a, b) -> a.written().compareTo(b.written()));
    List<String> problems = new ArrayList<>();
    Map<String, Map<Setting, Raw>> pipelineValues = new TreeMap<>();
    Map<String, Map<Setting, Raw>> budgetValues = new TreeMap<>();
    for (Entry entry : entries) {
      String[] parts = entry.key().split("\\.", -1);
      if (parts.length < 2 || !Setting.canonical(parts[0]).equals("steadfast")) {
        continue; // not ours
      }
      String section = Setting.canonical(parts[1]);
      Scope scope =
          section.equals(Scope.PIPELINE.section())
              ? Scope.PIPELINE
              : section.equals(Scope.BUDGET.section()) ? Scope.BUDGET : null;
      if (scope == null) {
        problems.add(
            "unknown setting '" + entry.written() + "': Steadfast reads steadfast.pipeline.<name>.<setting> and"
                + " steadfast.budget.<name>.<setting>");
        continue;
      }
      if (parts.length < 4) {
        problems.add(
            "'" + entry.written() + "' names no setting: expected steadfast." + scope.section()
                + ".<name>.<setting>");
        continue;
      }
      String name = parts[2];
      if (!SettingValues.NAME.matcher(name).matches()) {
        problems.add(
            "the " + scope.section() + " name '" + name + "' in '" + entry.written() + "' must be lower-case"
                + " letters and digits, optionally separated by '-'");
        continue;
      }
      String canonical = Setting.canonical(String.join(".", List.of(parts).subList(3, parts.length)));
      Setting setting = Setting.find(scope, canonical);
      if (setting == null) {
        problems.add(unknownSetting(entry, scope, name, canonical, environment));
        continue;
      }
      String value = entry.value();
      if (value == null) {
        problems.add("'" + entry.written() + "' has no value");
        continue;
      }
      Map<Setting, Raw> values =
          (scope == Scope.PIPELINE ? pipelineValues : budgetValues)
              .computeIfAbsent(Setting.canonical(name), n -> new EnumMap<>(Setting.class));
      Raw earlier = values.get(setting);
      if (earlier == null) {
        values.put(setting, new Raw(entry.written(), value));
      } else if (!earlier.value().strip().equals(value.strip())) {
        problems.add(
            "'" + earlier.key() + "' and '" + entry.written() + "' are the same setting with different values ('"
                + earlier.value() + "' and '" + value + "')");
      }
    }

    Map<String, BudgetSpec> budgets = new TreeMap<>();
    budgetValues.forEach(
        (name, values) -> budgets.put(name, BudgetSpec.read(new SettingValues(Scope.BUDGET, name, values, problems))));
    Map<String, PipelineSpec> pipelines = new TreeMap<>();
    pipelineValues.forEach(
        (name, values) ->
            pipelines.put(
                name,
                PipelineSpec.read(new SettingValues(Scope.PIPELINE, name, values, problems), budgets.keySet())));
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return pipelines.isEmpty() && budgets.isEmpty() ? EMPTY : new PipelineProperties(pipelines, budgets);
  }

  private static String unknownSetting(
      Entry entry, Scope scope, String name, String canonical, boolean environment) {
    String message = "unknown setting '" + entry.written() + "'";
    Setting closest = Setting.closest(scope, canonical);
    if (closest == null) {
      return message;
    }
    String suggestion =
        environment
            ? (ENVIRONMENT_PREFIX + scope.section() + "_" + name + "_" + closest.canonical().replace('.', '_'))
                .toUpperCase(Locale.ROOT)
            : scope.key(name, closest.property());
    return message + "; did you mean '" + suggestion + "'?";
  }
}
