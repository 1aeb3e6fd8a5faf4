package dev.steadfast.core.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.spi.VirtualTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LoadBalancerTest {

  private final VirtualTime time = new VirtualTime();
  private final RandomGenerator random = new SplittableRandom(42);

  static List<Endpoint> hosts(int n) {
    return IntStream.range(0, n).mapToObj(i -> Endpoint.of("10.0.0." + i + ":80")).toList();
  }

  static List<Strategy> allStrategies() {
    return List.of(
        Strategy.roundRobin(),
        Strategy.weightedRoundRobin(),
        Strategy.random(),
        Strategy.leastRequest(2),
        Strategy.leastRequest(3),
        Strategy.peakEwma(),
        Strategy.ringHash(100),
        Strategy.maglev(65_537),
        Strategy.rendezvous());
  }

  private LoadBalancerBuilder builder(int n) {
    return LoadBalancer.builder("test").endpoints(hosts(n)).timeSource(time).random(random);
  }

  @Test
  void roundRobinVisitsEachEndpointInTurn() {
    LoadBalancer lb = builder(3).strategy(Strategy.roundRobin()).build();
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Lease lease = lb.pick();
      order.add(lease.endpoint().address());
      lease.success(1);
    }
    assertThat(order)
        .containsExactly("10.0.0.0:80", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.0:80", "10.0.0.1:80", "10.0.0.2:80");
  }

  @Test
  void weightedRoundRobinInterleavesByWeight() {
    LoadBalancer lb =
        LoadBalancer.builder("w")
            .endpoints(List.of(Endpoint.of("a", 5), Endpoint.of("b", 1), Endpoint.of("c", 1)))
            .strategy(Strategy.weightedRoundRobin())
            .timeSource(time)
            .build();
    StringBuilder order = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      Lease lease = lb.pick();
      order.append(lease.endpoint().address());
      lease.release();
    }
    assertThat(order.chars().filter(c -> c == 'a').count()).isEqualTo(5);
    assertThat(order.toString()).isEqualTo("aaabcaa");
  }

  @ParameterizedTest
  @MethodSource("allStrategies")
  void pickOtherNeverReturnsTheAvoidedEndpointWhileAnotherExists(Strategy strategy) {
    LoadBalancer lb = builder(4).strategy(strategy).build();
    for (int i = 0; i < 500; i++) {
      Endpoint avoid = hosts(4).get(i % 4);
      Lease lease = i % 2 == 0 ? lb.pickOther(avoid) : lb.pickOther("key-" + i, avoid);
      assertThat(lease.endpoint()).isNotEqualTo(avoid);
      lease.success(1_000_000);
    }
  }

  @ParameterizedTest
  @MethodSource("allStrategies")
  void pickOtherReturnsTheOnlyEndpointWhenNoOtherExists(Strategy strategy) {
    LoadBalancer lb = builder(1).strategy(strategy).build();
    Lease lease = lb.pickOther(hosts(1).get(0));
    assertThat(lease.endpoint()).isEqualTo(hosts(1).get(0));
  }

  @Test
  void leastRequestPrefersTheEndpointWithFewerRequestsInFlight() {
    LoadBalancer lb = builder(2).strategy(Strategy.leastRequest(2)).build();
    Lease busy = lb.pick();
    for (int i = 0; i < 10; i++) {
      Lease next = lb.pick();
      assertThat(next.endpoint()).isNotEqualTo(busy.endpoint());
      next.success(1);
    }
  }

  @Test
  void peakEwmaAvoidsAnEndpointThatTurnedSlow() {
    LoadBalancer lb = builder(2).strategy(Strategy.peakEwma()).build();
    Endpoint slow = hosts(2).get(0);
    // both answer in 10 ms, then host 0 answers once in 2 s
    for (int i = 0; i < 20; i++) {
      Lease lease = lb.pick();
      lease.success(Duration.ofMillis(10).toNanos());
      time.advance(Duration.ofMillis(1));
    }
    Lease toSlow = lb.pickOther(hosts(2).get(1));
    toSlow.success(Duration.ofSeconds(2).toNanos());
    int toSlowHost = 0;
    for (int i = 0; i < 100; i++) {
      Lease lease = lb.pick();
      if (lease.endpoint().equals(slow)) {
        toSlowHost++;
      }
      lease.success(Duration.ofMillis(10).toNanos());
      time.advance(Duration.ofMillis(1));
    }
    assertThat(toSlowHost).isZero();
  }

  @Test
  void peakEwmaCountsAFastFailureAsASlowCall() {
    LoadBalancer lb = builder(2).strategy(Strategy.peakEwma(Duration.ofSeconds(10), Duration.ofSeconds(1))).build();
    Endpoint failing = hosts(2).get(0);
    for (int i = 0; i < 20; i++) {
      Lease lease = lb.pick();
      if (lease.endpoint().equals(failing)) {
        lease.failure(Duration.ofMillis(1).toNanos()); // fails in 1 ms
      } else {
        lease.success(Duration.ofMillis(50).toNanos());
      }
      time.advance(Duration.ofMillis(1));
    }
    int toFailing = 0;
    for (int i = 0; i < 100; i++) {
      Lease lease = lb.pick();
      if (lease.endpoint().equals(failing)) {
        toFailing++;
      }
      lease.success(Duration.ofMillis(50).toNanos());
    }
    assertThat(toFailing).isZero();
  }

  @Test
  void consecutiveFailuresEjectAndTheEjectionGrowsWithEachEjection() {
    LoadBalancer lb =
        builder(10)
            .strategy(Strategy.roundRobin())
            .outlierDetection(
                OutlierDetection.builder()
                    .consecutiveFailures(3)
                    .interval(Duration.ofSeconds(1))
                    .baseEjectionTime(Duration.ofSeconds(10))
                    .maxEjectionTime(Duration.ofSeconds(25))
                    .maxEjectionPercent(50)
                    .build())
            .build();
    Endpoint bad = hosts(10).get(3);
    failThreeTimes(lb, bad);
    assertThat(lb.unhealthy()).containsExactly(bad);
    assertThat(pickMany(lb, 100)).doesNotContain(bad);

    time.advance(Duration.ofSeconds(9));
    assertThat(lb.unhealthy()).containsExactly(bad);
    time.advance(Duration.ofSeconds(1));
    assertThat(lb.unhealthy()).isEmpty();

    failThreeTimes(lb, bad); // second ejection: 20 s
    time.advance(Duration.ofSeconds(19));
    assertThat(lb.unhealthy()).containsExactly(bad);
    time.advance(Duration.ofSeconds(1));
    assertThat(lb.unhealthy()).isEmpty();

    failThreeTimes(lb, bad); // third: 30 s, capped at 25 s
    time.advance(Duration.ofSeconds(24));
    assertThat(lb.unhealthy()).containsExactly(bad);
    time.advance(Duration.ofSeconds(1));
    assertThat(lb.unhealthy()).isEmpty();
    lb.close();
  }

  private static void failThreeTimes(LoadBalancer lb, Endpoint bad) {
    for (int i = 0; i < 3; i++) {
      lb.pickOther(null); // keep round robin moving
      Lease lease = lb.pickOther(null);
      while (!lease.endpoint().equals(bad)) {
        lease.success(1);
        lease = lb.pick();
      }
      lease.failure(1);
    }
  }

  private static List<Endpoint> pickMany(LoadBalancer lb, int n) {
    List<Endpoint> picked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Lease lease = lb.pick();
      picked.add(lease.endpoint());
      lease.success(1);
    }
    return picked;
  }

  @Test
  void maxEjectionPercentStopsFurtherEjections() {
    LoadBalancer lb =
        builder(10)
            .strategy(Strategy.roundRobin())
            .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).maxEjectionPercent(20).build())
            .build();
    for (int i = 0; i < 100; i++) {
      lb.pick().failure(1);
    }
    assertThat(lb.unhealthy()).hasSize(2);
  }

  @Test
  void belowThePanicThresholdPicksGoToEveryEndpoint() {
    LoadBalancer lb =
        builder(4)
            .strategy(Strategy.roundRobin())
            .panicThresholdPercent(60)
            .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).maxEjectionPercent(100).build())
            .build();
    lb.pick().failure(1); // ejects host 0: 75 % healthy
    assertThat(lb.inPanic()).isFalse();
    assertThat(pickMany(lb, 30)).doesNotContain(hosts(4).get(0));
    lb.pickOther(hosts(4).get(0)).failure(1); // a second: 50 % healthy, below 60 %
    assertThat(lb.unhealthy()).hasSize(2);
    assertThat(lb.inPanic()).isTrue();
    assertThat(new HashSet<>(pickMany(lb, 40))).containsExactlyInAnyOrderElementsOf(hosts(4));
  }

  @Test
  void successRateEjectsTheOutlierAtTheInterval() {
    LoadBalancer lb =
        builder(6)
            .strategy(Strategy.roundRobin())
            .outlierDetection(
                OutlierDetection.builder()
                    .consecutiveFailures(0)
                    .successRate(1000, 5, 50)
                    .interval(Duration.ofSeconds(10))
                    .maxEjectionPercent(50)
                    .build())
            .build();
    Endpoint bad = hosts(6).get(2);
    for (int i = 0; i < 600; i++) {
      Lease lease = lb.pick();
      if (lease.endpoint().equals(bad) && i % 2 == 0) {
        lease.failure(1);
      } else {
        lease.success(1);
      }
    }
    assertThat(lb.unhealthy()).isEmpty();
    time.advance(Duration.ofSeconds(10));
    assertThat(lb.unhealthy()).containsExactly(bad);
  }

  @Test
  void failurePercentageEjectsAboveItsThreshold() {
    LoadBalancer lb =
        builder(5)
            .strategy(Strategy.roundRobin())
            .outlierDetection(
                OutlierDetection.builder()
                    .consecutiveFailures(0)
                    .successRate(0, 1, 1)
                    .failurePercentage(50, 5, 10)
                    .maxEjectionPercent(50)
                    .build())
            .build();
    Endpoint bad = hosts(5).get(1);
    for (int i = 0; i < 200; i++) {
      Lease lease = lb.pick();
      if (lease.endpoint().equals(bad) && (i / 5) % 4 != 0) { // 75 % failures
        lease.failure(1);
      } else {
        lease.success(1);
      }
    }
    time.advance(Duration.ofSeconds(10));
    assertThat(lb.unhealthy()).containsExactly(bad);
  }

  @Test
  void slowStartGivesANewEndpointAGrowingShareOfWeightedPicks() {
    LoadBalancer lb =
        builder(4)
            .strategy(Strategy.weightedRoundRobin())
            .slowStart(Duration.ofSeconds(60), 1.0, 10)
            .build();
    List<Endpoint> five = new ArrayList<>(hosts(4));
    Endpoint fresh = Endpoint.of("10.0.0.99:80");
    five.add(fresh);
    lb.update(five);
    double early = share(lb, fresh, 1000);
    time.advance(Duration.ofSeconds(30));
    double half = share(lb, fresh, 1000);
    time.advance(Duration.ofSeconds(30));
    double full = share(lb, fresh, 1000);
    // weight 0.1, then 0.5, then 1 against four endpoints of weight 1
    assertThat(early).isBetween(0.1 / 4.1 - 0.02, 0.1 / 4.1 + 0.02);
    assertThat(half).isBetween(0.5 / 4.5 - 0.03, 0.5 / 4.5 + 0.03);
    assertThat(full).isBetween(0.2 - 0.03, 0.2 + 0.03);
  }

  private static double share(LoadBalancer lb, Endpoint endpoint, int picks) {
    int hits = 0;
    for (int i = 0; i < picks; i++) {
      Lease lease = lb.pick();
      if (lease.endpoint().equals(endpoint)) {
        hits++;
      }
      lease.success(1);
    }
    return hits / (double) picks;
  }

  @Test
  void localZoneIsPreferredWhileHealthyAndSpillsOverBelowTheThreshold() {
    List<Endpoint> endpoints =
        List.of(
            Endpoint.of("a1", 1, "a", Map.of()),
            Endpoint.of("a2", 1, "a", Map.of()),
            Endpoint.of("b1", 1, "b", Map.of()),
            Endpoint.of("b2", 1, "b", Map.of()));
    LoadBalancer lb =
        LoadBalancer.builder("zones")
            .endpoints(endpoints)
            .timeSource(time)
            .strategy(Strategy.roundRobin())
            .localZone("a", 100)
            .panicThresholdPercent(0)
            .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).maxEjectionPercent(50).build())
            .build();
    assertThat(new HashSet<>(pickMany(lb, 20))).containsExactlyInAnyOrder(endpoints.get(0), endpoints.get(1));
    lb.pickOther(endpoints.get(1)).failure(1); // a1 ejected: zone a is 50 % healthy, below 100 %
    assertThat(new HashSet<>(pickMany(lb, 20)))
        .containsExactlyInAnyOrder(endpoints.get(1), endpoints.get(2), endpoints.get(3));
  }

  @Test
  void localZoneKeepsEveryPickWhileItHasCapacityAndSpillsTheExcessByLoad() {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      endpoints.add(Endpoint.of("10.0.0." + i + ":8080", 1, i < 2 ? "eu-west-1a" : "eu-west-1b", Map.of()));
    }
    // tag::zone-spill[]
    LoadBalancer balancer =
        LoadBalancer.builder("inventory")
            .endpoints(endpoints) // 2 in eu-west-1a, 4 in eu-west-1b
            .strategy(Strategy.leastRequest(2))
            .localZone("eu-west-1a", 70) // while at least 70 % of the local zone is healthy...
            .zoneSpillOver(2) // ...keep every pick local until it carries 2 x (the others' load + 1)
            .build();
    // end::zone-spill[]
    List<Lease> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // 2 in flight per local endpoint: within capacity
      held.add(balancer.pick());
    }
    assertThat(held).allMatch(lease -> "eu-west-1a".equals(lease.endpoint().zone()));
    for (int i = 0; i < 196; i++) {
      held.add(balancer.pick());
    }
    long local = held.stream().filter(lease -> "eu-west-1a".equals(lease.endpoint().zone())).count();
    long remote = held.size() - local;
    // the local zone stays at its capacity, local / 2 = 2 x (remote / 4 + 1), i.e. local = remote + 4: 102 and 98
    assertThat(local).isBetween(101L, 103L);
    assertThat(remote).isEqualTo(200 - local);
    held.forEach(Lease::release);
    assertThat(pickMany(balancer, 20)).allMatch(e -> "eu-west-1a".equals(e.zone()));
  }

  @Test
  void zoneSpillOverRatioBelowOneIsRefusedNamingTheValue() {
    assertThatThrownBy(() -> LoadBalancer.builder("x").zoneSpillOver(0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("zoneSpillOver loadRatio must be >= 1, was 0.5");
    assertThatThrownBy(() -> LoadBalancer.builder("x").zoneSpillOver(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("zoneSpillOver loadRatio must be >= 1, was NaN");
  }

  @Test
  void badInputFailsWithAMessageNamingTheSettingAndValue() {
    assertThatThrownBy(() -> LoadBalancer.builder("x").endpoints(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoints must not be empty, was []");
    assertThatThrownBy(() -> Endpoint.of("h", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must be >= 0, was -1");
    assertThatThrownBy(
            () ->
                LoadBalancer.builder("x")
                    .endpoints(List.of(Endpoint.of("h", 1, "eu-1a", Map.of())))
                    .localZone("us-1a", 50)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("localZone 'us-1a' matches no endpoint's zone, zones are [eu-1a]");
    assertThatThrownBy(() -> LoadBalancer.builder("x").endpoints(List.of(Endpoint.of("h"), Endpoint.of("h", 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoints must not repeat an address, 'h' appears twice");
    assertThatThrownBy(() -> Strategy.maglev(65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tableSize must be a prime, was 65536");
    assertThatThrownBy(() -> Strategy.leastRequest(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("choices must be >= 2, was 1");
    assertThatThrownBy(() -> LoadBalancer.builder("x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs endpoints(...) or discovery(...)");
    assertThatThrownBy(() -> OutlierDetection.builder().maxEjectionPercent(101))
        .hasMessage("maxEjectionPercent must be between 0 and 100, was 101");
  }

  @Test
  void aLeaseOnARemovedEndpointCompletesAndKeptEndpointsKeepTheirLoad() {
    LoadBalancer lb = builder(3).strategy(Strategy.leastRequest(2)).build();
    List<Lease> held = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      held.add(lb.pick());
    }
    lb.update(hosts(2)); // host 2 leaves
    for (Lease lease : held) {
      lease.success(1); // including those on host 2
    }
    assertThat(lb.endpoints()).containsExactlyElementsOf(hosts(2));
    assertThat(new HashSet<>(pickMany(lb, 20))).containsExactlyInAnyOrderElementsOf(hosts(2));
  }

  @Test
  void callReportsSuccessAndFailureAndRethrows() {
    LoadBalancer lb =
        builder(2)
            .strategy(Strategy.roundRobin())
            .outlierDetection(OutlierDetection.builder().consecutiveFailures(2).maxEjectionPercent(50).build())
            .build();
    assertThat(lb.call(Endpoint::address)).isEqualTo("10.0.0.0:80");
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(
              () ->
                  lb.call(
                      e -> {
                        throw new IllegalStateException("down " + e.address());
                      }))
          .hasMessage("down 10.0.0.1:80");
      lb.call(Endpoint::address); // host 0 succeeds in between
    }
    assertThat(lb.unhealthy()).containsExactly(hosts(2).get(1));
  }

  @Test
  void metersCountPicksAndEjectionsWithHostTagsOnlyWhenAllowed() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    LoadBalancer lb =
        builder(3)
            .strategy(Strategy.roundRobin())
            .meterRegistry(meters)
            .hostTags(3)
            .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).maxEjectionPercent(50).build())
            .build();
    pickMany(lb, 9);
    lb.pick().failure(1);
    assertThat(meters.get("steadfast.balancer.picks").counter().count()).isEqualTo(10);
    assertThat(meters.get("steadfast.balancer.endpoint.picks").tag("endpoint", "10.0.0.0:80").counter().count())
        .isEqualTo(4);
    assertThat(meters.get("steadfast.balancer.ejections").tag("reason", "consecutive-failures").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("steadfast.balancer.panic").gauge().value()).isZero();

    SimpleMeterRegistry untagged = new SimpleMeterRegistry();
    LoadBalancer many = builder(20).meterRegistry(untagged).hostTags(10).build();
    pickMany(many, 5);
    assertThat(untagged.find("steadfast.balancer.endpoint.picks").counters()).isEmpty();
  }

  @Test
  void anEndpointFailingTheActiveHealthCheckIsTakenOutAndComesBack() {
    Map<String, Boolean> healthy = new HashMap<>();
    hosts(3).forEach(e -> healthy.put(e.address(), true));
    LoadBalancer lb =
        builder(3)
            .strategy(Strategy.roundRobin())
            .healthCheck(e -> healthy.get(e.address()), Duration.ofSeconds(5), 2, 1)
            .build();
    healthy.put("10.0.0.1:80", false);
    time.advance(Duration.ofSeconds(5));
    assertThat(lb.unhealthy()).isEmpty(); // one failed probe is not enough
    time.advance(Duration.ofSeconds(5));
    assertThat(lb.unhealthy()).containsExactly(hosts(3).get(1));
    assertThat(pickMany(lb, 20)).doesNotContain(hosts(3).get(1));
    healthy.put("10.0.0.1:80", true);
    time.advance(Duration.ofSeconds(5));
    assertThat(lb.unhealthy()).isEmpty();
    lb.close();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void anEmptyBalancerThrowsNoEndpointAvailable() {
    AtomicBoolean asked = new AtomicBoolean();
    LoadBalancer lb =
        LoadBalancer.builder("empty")
            .timeSource(time)
            .discovery(
                () -> {
                  asked.set(true);
                  return List.of();
                },
                Duration.ofSeconds(30))
            .build();
    assertThat(asked).isTrue();
    assertThatThrownBy(lb::pick)
        .isInstanceOf(NoEndpointAvailableException.class)
        .hasMessage("load balancer 'empty' has no endpoints");
  }
}
