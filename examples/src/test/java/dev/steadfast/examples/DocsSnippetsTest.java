package dev.steadfast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java snippet in README.md and docs/ is compiled code: a block preceded by {@code <!-- snippet:
 * path/To.java#tag -->} must equal the region between {@code // tag::tag[]} and {@code // end::tag[]} in that
 * file, its path relative to the repository root (indentation removed). A Java block without such a marker
 * fails the test.
 */
class DocsSnippetsTest {

  private static final Path EXAMPLES = Path.of("").toAbsolutePath();
  private static final Path ROOT = EXAMPLES.getParent();
  private static final Pattern BLOCK =
      Pattern.compile("(<!-- snippet: (\\S+)#(\\S+) -->\\s*)?```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyJavaSnippetInTheDocsIsCompiledCode() throws IOException {
    List<Path> documents = new ArrayList<>();
    documents.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    int checked = 0;
    for (Path document : documents) {
      Matcher block = BLOCK.matcher(Files.readString(document));
      while (block.find()) {
        assertThat(block.group(1))
            .as("a ```java block in %s without a <!-- snippet: File.java#tag --> marker", ROOT.relativize(document))
            .isNotNull();
        String expected = region(ROOT.resolve(block.group(2)), block.group(3));
        assertThat(block.group(4).strip())
            .as("snippet %s#%s in %s", block.group(2), block.group(3), ROOT.relativize(document))
            .isEqualTo(expected);
        checked++;
      }
    }
    assertThat(checked).as("snippets checked").isPositive();
  }

  private static String region(Path source, String tag) throws IOException {
    List<String> lines = Files.readAllLines(source);
    int start = indexOf(lines, "// tag::" + tag + "[]", source);
    int end = indexOf(lines, "// end::" + tag + "[]", source);
    List<String> body = lines.subList(start + 1, end);
    int indent =
        body.stream()
            .filter(line -> !line.isBlank())
            .mapToInt(line -> line.length() - line.stripLeading().length())
            .min()
            .orElse(0);
    return body.stream()
        .map(line -> line.length() >= indent ? line.substring(indent) : line.strip())
        .collect(Collectors.joining("\n"))
        .strip();
  }

  private static int indexOf(List<String> lines, String marker, Path source) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError("no '" + marker + "' in " + source);
  }
}
