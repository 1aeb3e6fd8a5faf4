package dev.steadfast.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PipelinePropertiesProperties {

  /** Values for each setting that are valid in any combination (the companions they need are added below). */
  private static final Map<Setting, List<String>> VALUES = new EnumMap<>(Setting.class);

  static {
    VALUES.put(Setting.DEADLINE, List.of("30s", "PT45S", "1m"));
    VALUES.put(Setting.RETRY_MAX_ATTEMPTS, List.of("1", "2", "5"));
    VALUES.put(Setting.RETRY_BACKOFF, List.of("exponential", "EXPONENTIAL"));
    VALUES.put(Setting.RETRY_INITIAL_DELAY, List.of("0ms", "50ms", "PT0.1S"));
    VALUES.put(Setting.RETRY_MULTIPLIER, List.of("1", "1.5", "2.0"));
    VALUES.put(Setting.RETRY_MAX_DELAY, List.of("1s", "10s"));
    VALUES.put(Setting.RETRY_JITTER, List.of("none", "full", "EQUAL", "decorrelated"));
    VALUES.put(Setting.RETRY_MAX_PUSHBACK, List.of("0s", "5s"));
    VALUES.put(Setting.RETRY_BUDGET, List.of("shared-api", "sharedapi"));
    VALUES.put(Setting.HEDGE_MAX_ATTEMPTS, List.of("2", "4"));
    VALUES.put(Setting.HEDGE_DELAY, List.of("0ms", "10ms"));
    VALUES.put(Setting.BREAKER_FAILURE_RATE_THRESHOLD, List.of("50", "12.5"));
    VALUES.put(Setting.BREAKER_SLIDING_WINDOW_SIZE, List.of("10", "100"));
    VALUES.put(Setting.BREAKER_MINIMUM_NUMBER_OF_CALLS, List.of("5", "10"));
    VALUES.put(Setting.BREAKER_WAIT_IN_OPEN, List.of("1s", "PT30S"));
    VALUES.put(Setting.BREAKER_PERMITTED_CALLS_IN_HALF_OPEN, List.of("1", "3"));
    VALUES.put(Setting.BREAKER_SLOW_CALL_DURATION, List.of("2s", "500ms"));
    VALUES.put(Setting.BREAKER_SLOW_CALL_RATE_THRESHOLD, List.of("100", "60"));
    VALUES.put(Setting.BULKHEAD_MAX_CONCURRENT_CALLS, List.of("1", "64"));
    VALUES.put(Setting.BULKHEAD_MAX_WAIT, List.of("0s", "5ms"));
    VALUES.put(Setting.RATE_LIMITER_LIMIT_FOR_PERIOD, List.of("10", "1000"));
    VALUES.put(Setting.RATE_LIMITER_PERIOD, List.of("1s", "100ms"));
    VALUES.put(Setting.RATE_LIMITER_TIMEOUT, List.of("0s", "25ms"));
    VALUES.put(Setting.ADAPTIVE_LIMIT_ALGORITHM, List.of("aimd", "AIMD"));
    VALUES.put(Setting.ADAPTIVE_LIMIT_INITIAL_LIMIT, List.of("10", "20"));
    VALUES.put(Setting.ADAPTIVE_LIMIT_MIN_LIMIT, List.of("1", "5"));
    VALUES.put(Setting.ADAPTIVE_LIMIT_MAX_LIMIT, List.of("50", "100"));
    VALUES.put(Setting.ADAPTIVE_LIMIT_BACKOFF_RATIO, List.of("0.5", "0.9"));
    VALUES.put(Setting.ADAPTIVE_LIMIT_TIMEOUT, List.of("1s", "5s"));
    VALUES.put(Setting.ATTEMPT_TIMEOUT, List.of("1s", "500ms"));
  }

  /** One pipeline: its name in property form and a value index per setting. */
  record GeneratedPipeline(String name, Map<Setting, Integer> settings, int spelling) {}

  @Property
  void theEnvironmentFormIsTheSameConfigurationAsThePropertyForm(
      @ForAll("pipelineLists") List<GeneratedPipeline> pipelines) {
    Map<String, String> properties = new HashMap<>();
    Map<String, String> environment = new HashMap<>();
    environment.put("PATH", "/usr/bin"); // not ours
    for (GeneratedPipeline pipeline : pipelines) {
      Map<Setting, String> values = withCompanions(pipeline);
      for (Map.Entry<Setting, String> entry : values.entrySet()) {
        Setting setting = entry.getKey();
        properties.put(
            "steadfast.pipeline." + pipeline.name() + "." + spelled(setting, pipeline.spelling() >> setting.ordinal()),
            entry.getValue());
        environment.put(environmentVariable("PIPELINE", pipeline.name(), setting), entry.getValue());
      }
      if (values.containsKey(Setting.RETRY_BUDGET)) {
        properties.put("steadfast.budget.shared-api.type", "percent");
        properties.put("steadfast.budget.shared-api.window", "20s");
        environment.put("STEADFAST_BUDGET_SHAREDAPI_TYPE", "PERCENT");
        environment.put("STEADFAST_BUDGET_SHAREDAPI_WINDOW", "PT20S");
      }
    }

    PipelineProperties fromProperties = PipelineProperties.of(properties);
    PipelineProperties fromEnvironment = PipelineProperties.fromEnvironment(environment);

    assertThat(fromEnvironment).isEqualTo(fromProperties);
    assertThat(fromEnvironment.pipelineNames()).hasSize(pipelines.size());
  }

  @Property
  void anUnknownSettingIsRejectedInEitherFormNamingTheKeyAsWritten(
      @ForAll("names") String name, @ForAll("unknownSettings") String setting) {
    String property = "steadfast.pipeline." + name + "." + setting;
    String variable = ("STEADFAST_PIPELINE_" + Setting.canonical(name) + "_" + setting.replace('.', '_'))
        .toUpperCase(Locale.ROOT);

    InvalidConfigException fromProperties =
        catchThrowableOfType(InvalidConfigException.class, () -> PipelineProperties.of(Map.of(property, "1")));
    InvalidConfigException fromEnvironment =
        catchThrowableOfType(
            InvalidConfigException.class, () -> PipelineProperties.fromEnvironment(Map.of(variable, "1")));

    assertThat(fromProperties.problems()).singleElement().asString().startsWith("unknown setting '" + property + "'");
    assertThat(fromEnvironment.problems()).singleElement().asString().startsWith("unknown setting '" + variable + "'");
  }

  @Provide
  Arbitrary<List<GeneratedPipeline>> pipelineLists() {
    return pipelines().list().ofMinSize(1).ofMaxSize(3).uniqueElements(pipeline -> Setting.canonical(pipeline.name()));
  }

  Arbitrary<GeneratedPipeline> pipelines() {
    return Combinators.combine(
            names(),
            Arbitraries.maps(Arbitraries.of(VALUES.keySet()), Arbitraries.integers().between(0, 3)).ofMinSize(1).ofMaxSize(12),
            Arbitraries.integers())
        .as(GeneratedPipeline::new);
  }

  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> part = Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(6);
    return part.list().ofMinSize(1).ofMaxSize(3).map(parts -> String.join("-", parts));
  }

  @Provide
  Arbitrary<String> unknownSettings() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .ofMinLength(1)
        .ofMaxLength(8)
        .list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(parts -> String.join(".", parts))
        .filter(setting -> Setting.find(Setting.Scope.PIPELINE, Setting.canonical(setting)) == null);
  }

  /** The chosen values, plus the settings they cannot be read without. */
  private static Map<Setting, String> withCompanions(GeneratedPipeline pipeline) {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    pipeline.settings().forEach((setting, index) -> {
      List<String> choices = VALUES.get(setting);
      values.put(setting, choices.get(index % choices.size()));
    });
    if (values.containsKey(Setting.HEDGE_MAX_ATTEMPTS)) {
      values.putIfAbsent(Setting.HEDGE_DELAY, "5ms");
    }
    if (values.keySet().stream().anyMatch(s -> s.policy().equals("rate-limiter"))) {
      values.putIfAbsent(Setting.RATE_LIMITER_LIMIT_FOR_PERIOD, "50");
      values.putIfAbsent(Setting.RATE_LIMITER_PERIOD, "1s");
    }
    if (values.keySet().stream().anyMatch(s -> s.policy().equals("adaptive-limit"))) {
      values.putIfAbsent(Setting.ADAPTIVE_LIMIT_ALGORITHM, "aimd");
    }
    if (values.containsKey(Setting.RETRY_BUDGET) && !values.containsKey(Setting.HEDGE_DELAY)) {
      values.putIfAbsent(Setting.RETRY_MAX_ATTEMPTS, "3");
    }
    return values;
  }

  /** {@code setting} in kebab case, camel case or lower case, as {@code choice} picks. */
  private static String spelled(Setting setting, int choice) {
    switch (choice & 3) {
      case 1:
        return camelCase(setting.property());
      case 2:
        return setting.canonical();
      default:
        return setting.property();
    }
  }

  private static String camelCase(String kebab) {
    StringBuilder camel = new StringBuilder();
    boolean upper = false;
    for (char c : kebab.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        camel.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return camel.toString();
  }

  private static String environmentVariable(String section, String name, Setting setting) {
    return ("STEADFAST_" + section + "_" + Setting.canonical(name) + "_" + setting.canonical().replace('.', '_'))
        .toUpperCase(Locale.ROOT);
  }
}
