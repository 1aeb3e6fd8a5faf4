package dev.steadfast.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {

  @Test
  void theDemoTellsItsStory() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SimpleMeterRegistry meters = Demo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String output = bytes.toString(StandardCharsets.UTF_8);

    assertThat(output)
        .contains("flaky (20% fail)", "brownout (70% fail)", "down (100% fail)", "healthy")
        .contains("from CLOSED to OPEN")
        .contains("from HALF OPEN to CLOSED");
    assertThat(meters.get("steadfast.pipeline.retries.refused").tag("reason", "budget").counter().count())
        .as("the budget refused retries during the brownout")
        .isPositive();
    assertThat(meters.get("steadfast.pipeline.retries").tag("kind", "retry").counter().count()).isPositive();
  }

  @Test
  void theDemoIsDeterministic() {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    ByteArrayOutputStream second = new ByteArrayOutputStream();
    Demo.run(new PrintStream(first, true, StandardCharsets.UTF_8));
    Demo.run(new PrintStream(second, true, StandardCharsets.UTF_8));
    assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo(second.toString(StandardCharsets.UTF_8));
  }
}
