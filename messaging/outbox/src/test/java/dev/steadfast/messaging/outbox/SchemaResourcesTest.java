package dev.steadfast.messaging.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.messaging.outbox.spi.OutboxDialect;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchemaResourcesTest {

  @ParameterizedTest
  @CsvSource({"postgresql", "mariadb", "h2"})
  void theShippedSqlFileHoldsExactlyTheStatementsCreateSchemaRuns(String name) throws IOException {
    OutboxDialect dialect = switch (name) {
      case "postgresql" -> OutboxDialects.postgresql();
      case "mariadb" -> OutboxDialects.mariadb();
      default -> OutboxDialects.h2();
    };
    List<String> expected = new ArrayList<>(dialect.createOutboxTable("steadfast_outbox"));
    expected.addAll(dialect.createInboxTable("steadfast_inbox"));
    String file;
    try (InputStream in = Objects.requireNonNull(
        getClass().getResourceAsStream("schema/" + name + ".sql"), "schema/" + name + ".sql")) {
      file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> statements = new ArrayList<>();
    for (String line : file.split("\n")) {
      if (!line.isBlank() && !line.startsWith("--")) {
        statements.add(line.substring(0, line.length() - 1)); // without the ';'
      }
    }
    assertThat(statements).containsExactlyElementsOf(expected);
  }
}
