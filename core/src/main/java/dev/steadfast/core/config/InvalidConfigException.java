package dev.steadfast.core.config;

import java.util.List;

/**
 * Configuration that cannot be used, with every problem found, each naming the key (as it was written) and, for a
 * bad value, the value. Thrown before anything is built or changed.
 *
 * @since 0.1.0
 */
public final class InvalidConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  // An array rather than a List: the exception is Serializable, and List is not.
  private final String[] problems;

  InvalidConfigException(List<String> problems) {
    super(message(problems));
    this.problems = problems.toArray(new String[0]);
  }

  /** Every problem found, one sentence each, in the order of the keys; never empty. */
  public List<String> problems() {
    return List.of(problems);
  }

  private static String message(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an InvalidConfigException needs at least one problem");
    }
    if (problems.size() == 1) {
      return problems.get(0);
    }
    StringBuilder message =
        new StringBuilder().append(problems.size()).append(" problems in the Steadfast configuration:");
    for (String problem : problems) {
      message.append("\n  - ").append(problem);
    }
    return message.toString();
  }
}
