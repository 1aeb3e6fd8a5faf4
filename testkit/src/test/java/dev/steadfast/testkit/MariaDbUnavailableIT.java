package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

class MariaDbUnavailableIT {

  @Test
  void skipsTheClassWithTheReasonWhenNothingAnswers() {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(NeedsMariaDb.class)).execute();

    results.testEvents().assertStatistics(stats -> stats.started(0).succeeded(0).failed(0));
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(NeedsMariaDb.class),
                skippedWithReason(
                    reason -> reason.contains("nothing answered at 127.0.0.1:1") && reason.contains("skipped"))));
    assertThat(NeedsMariaDb.ran).isFalse();
  }

  /** Run by the test above through the JUnit engine, not by Failsafe. */
  static class NeedsMariaDb {
    @RegisterExtension
    static final MariaDbExtension MARIADB = MariaDbExtension.builder().probe("127.0.0.1:1").build();

    static volatile boolean ran;

    @Test
    void wouldUseTheServer() {
      ran = true;
    }
  }
}
