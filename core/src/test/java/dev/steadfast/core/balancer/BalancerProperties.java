package dev.steadfast.core.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.core.balancer.internal.ZoneSpill;
import dev.steadfast.core.spi.VirtualTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BalancerProperties {

  private static List<Endpoint> weighted(List<Integer> weights) {
    return IntStream.range(0, weights.size()).mapToObj(i -> Endpoint.of("h" + i + ":80", weights.get(i))).toList();
  }

  /** Over whole rounds of the total weight, each endpoint gets exactly its weight's share of picks. */
  @Property(tries = 200)
  void weightedRoundRobinConvergesToTheWeights(
      @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 50) Integer> weights,
      @ForAll @IntRange(min = 1, max = 5) int rounds) {
    LoadBalancer lb =
        LoadBalancer.builder("w")
            .endpoints(weighted(weights))
            .strategy(Strategy.weightedRoundRobin())
            .timeSource(new VirtualTime())
            .build();
    int total = weights.stream().mapToInt(Integer::intValue).sum();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < total * rounds; i++) {
      Lease lease = lb.pick();
      counts.merge(lease.endpoint().address(), 1, Integer::sum);
      lease.success(1);
    }
    for (int i = 0; i < weights.size(); i++) {
      assertThat(counts.getOrDefault("h" + i + ":80", 0)).isEqualTo(weights.get(i) * rounds);
    }
  }

  /** With many keys, each endpoint's share of keys approaches its share of the weight. */
  @Property(tries = 30)
  void affinityStrategiesSpreadKeysByWeight(
      @ForAll("affinity") Strategy strategy,
      @ForAll @Size(min = 2, max = 8) List<@IntRange(min = 1, max = 4) Integer> weights) {
    LoadBalancer lb =
        LoadBalancer.builder("k").endpoints(weighted(weights)).strategy(strategy).timeSource(new VirtualTime()).build();
    int keys = 20_000;
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < keys; i++) {
      Lease lease = lb.pick("user-" + i);
      counts.merge(lease.endpoint().address(), 1, Integer::sum);
      lease.release();
    }
    int total = weights.stream().mapToInt(Integer::intValue).sum();
    for (int i = 0; i < weights.size(); i++) {
      double expected = weights.get(i) / (double) total;
      double actual = counts.getOrDefault("h" + i + ":80", 0) / (double) keys;
      assertThat(actual).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.3 * expected + 0.01));
    }
  }

  @Provide
  Arbitrary<Strategy> affinity() {
    return Arbitraries.of(Strategy.ringHash(100), Strategy.rendezvous(), Strategy.maglev(65_537));
  }

  @Provide
  Arbitrary<Strategy> minimalMovement() {
    return Arbitraries.of(Strategy.ringHash(100), Strategy.rendezvous());
  }

  @Provide
  Arbitrary<Strategy> powerOfChoices() {
    return Arbitraries.of(Strategy.leastRequest(2), Strategy.leastRequest(3), Strategy.peakEwma());
  }

  /**
   * Whatever fails, a power-of-choices pick never returns an ejected endpoint unless the balancer is in panic
   * (too few healthy endpoints), in which case it may return any.
   */
  @Property(tries = 200)
  void powerOfChoicesNeverPicksAnEjectedEndpointOutsidePanic(
      @ForAll("powerOfChoices") Strategy strategy,
      @ForAll @IntRange(min = 2, max = 30) int hosts,
      @ForAll @IntRange(min = 0, max = 100) int panicPercent,
      @ForAll @IntRange(min = 0, max = 100) int maxEjectionPercent,
      @ForAll long seed) {
    VirtualTime time = new VirtualTime();
    SplittableRandom outcomes = new SplittableRandom(seed);
    LoadBalancer lb =
        LoadBalancer.builder("p")
            .endpoints(IntStream.range(0, hosts).mapToObj(i -> Endpoint.of("h" + i)).toList())
            .strategy(strategy)
            .timeSource(time)
            .random(new SplittableRandom(seed + 1))
            .panicThresholdPercent(panicPercent)
            .outlierDetection(
                OutlierDetection.builder().consecutiveFailures(2).maxEjectionPercent(maxEjectionPercent).build())
            .build();
    Set<Integer> failing = new HashSet<>();
    for (int i = 0; i < hosts; i++) {
      if (outcomes.nextInt(3) == 0) {
        failing.add(i);
      }
    }
    for (int i = 0; i < 400; i++) {
      List<Endpoint> unhealthy = lb.unhealthy();
      boolean panic = lb.inPanic();
      Lease lease = lb.pick();
      if (!panic) {
        assertThat(unhealthy).doesNotContain(lease.endpoint());
      }
      int host = Integer.parseInt(lease.endpoint().address().substring(1));
      if (failing.contains(host)) {
        lease.failure(1_000_000);
      } else {
        lease.success(1_000_000);
      }
    }
  }

  /**
   * When one of n endpoints is removed, only the keys it held move (about 1/n of them), and none of the
   * others' keys do.
   */
  @Property(tries = 60)
  void ringAndRendezvousMoveOnlyTheRemovedEndpointsKeys(
      @ForAll("minimalMovement") Strategy strategy,
      @ForAll @IntRange(min = 2, max = 50) int hosts,
      @ForAll @IntRange(min = 0, max = 49) int removedIndex) {
    int removed = removedIndex % hosts;
    List<Endpoint> all = IntStream.range(0, hosts).mapToObj(i -> Endpoint.of("10.1.0." + i + ":80")).toList();
    LoadBalancer lb = LoadBalancer.builder("a").endpoints(all).strategy(strategy).timeSource(new VirtualTime()).build();
    int keys = 5000;
    List<Endpoint> before = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      before.add(lb.pick("key-" + i).endpoint());
    }
    List<Endpoint> remaining = new ArrayList<>(all);
    remaining.remove(removed);
    lb.update(remaining);
    int moved = 0;
    for (int i = 0; i < keys; i++) {
      Endpoint after = lb.pick("key-" + i).endpoint();
      if (!after.equals(before.get(i))) {
        moved++;
        assertThat(before.get(i)).isEqualTo(all.get(removed));
      }
    }
    assertThat(moved / (double) keys).isLessThanOrEqualTo(1.5 / hosts + 0.02);
  }

  /**
   * Maglev's movement is near-minimal rather than minimal: when one of n endpoints is removed, about 1/n of the
   * keys move, a few of them from endpoints that stayed.
   */
  @Property(tries = 40)
  void maglevMovesAboutOneNthOfTheKeys(
      @ForAll @IntRange(min = 2, max = 50) int hosts, @ForAll @IntRange(min = 0, max = 49) int removedIndex) {
    int removed = removedIndex % hosts;
    List<Endpoint> all = IntStream.range(0, hosts).mapToObj(i -> Endpoint.of("10.2.0." + i + ":80")).toList();
    LoadBalancer lb =
        LoadBalancer.builder("m").endpoints(all).strategy(Strategy.maglev(65_537)).timeSource(new VirtualTime()).build();
    int keys = 5000;
    List<Endpoint> before = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      before.add(lb.pick("key-" + i).endpoint());
    }
    List<Endpoint> remaining = new ArrayList<>(all);
    remaining.remove(removed);
    lb.update(remaining);
    int moved = 0;
    for (int i = 0; i < keys; i++) {
      if (!lb.pick("key-" + i).endpoint().equals(before.get(i))) {
        moved++;
      }
    }
    assertThat(moved / (double) keys).isLessThanOrEqualTo(1.5 / hosts + 0.03);
  }

  /** With the same load per endpoint in every zone, nothing spills, whatever the zone sizes and the ratio. */
  @Property(tries = 500)
  void withEqualLoadPerEndpointNothingSpills(
      @ForAll @IntRange(min = 1, max = 50) int localHosts,
      @ForAll @IntRange(min = 1, max = 50) int remoteHosts,
      @ForAll @IntRange(min = 0, max = 1000) int perHost,
      @ForAll @DoubleRange(min = 1, max = 10) double ratio) {
    assertThat(ZoneSpill.spills((long) perHost * localHosts, localHosts, (long) perHost * remoteHosts,
        remoteHosts, ratio)).isFalse();
  }

  /** Spilling is monotonic: a local zone that spills at some load spills at every higher one. */
  @Property(tries = 500)
  void spillingGrowsMonotonicallyWithLocalLoad(
      @ForAll @IntRange(min = 1, max = 50) int localHosts,
      @ForAll @IntRange(min = 1, max = 50) int remoteHosts,
      @ForAll @IntRange(min = 0, max = 10_000) int remoteInFlight,
      @ForAll @IntRange(min = 0, max = 10_000) int lighter,
      @ForAll @IntRange(min = 0, max = 10_000) int more,
      @ForAll @DoubleRange(min = 1, max = 10) double ratio) {
    boolean low = ZoneSpill.spills(lighter, localHosts, remoteInFlight, remoteHosts, ratio);
    boolean high = ZoneSpill.spills((long) lighter + more, localHosts, remoteInFlight, remoteHosts, ratio);
    assertThat(!low || high).as("spills at %s but not at %s", lighter, lighter + more).isTrue();
  }

  /**
   * With the local zone overloaded (requests held, never released), it stays at its capacity and every pick
   * beyond goes to the others: the spilled share of all picks grows with the load.
   */
  @Property(tries = 100)
  void anOverloadedLocalZoneStaysAtCapacityAndTheSpilledShareGrows(
      @ForAll @IntRange(min = 1, max = 5) int localHosts,
      @ForAll @IntRange(min = 1, max = 8) int remoteHosts,
      @ForAll @IntRange(min = 1, max = 4) int ratio,
      @ForAll("spillable") Strategy strategy) {
    LoadBalancer lb = zoned(localHosts, remoteHosts, ratio, strategy);
    int local = 0;
    double firstShare = 0;
    for (int round = 1; round <= 5; round++) {
      for (int i = 0; i < 20 * (localHosts + remoteHosts); i++) {
        if ("local".equals(lb.pick().endpoint().zone())) {
          local++;
        }
      }
      int picks = round * 20 * (localHosts + remoteHosts);
      int remote = picks - local;
      // at capacity, local / localHosts <= ratio * (remote / remoteHosts + 1), give or take the last pick...
      assertThat((double) (local - 1) * remoteHosts)
          .isLessThanOrEqualTo((double) ratio * (remote + remoteHosts) * localHosts);
      // ...and a pick spilled only when it was over: before the last spilled pick, local exceeded capacity
      assertThat((double) local * remoteHosts)
          .isGreaterThan((double) ratio * (remote - 1 + remoteHosts) * localHosts);
      double share = remote / (double) picks;
      if (round == 1) {
        firstShare = share;
      } else {
        assertThat(share).isGreaterThanOrEqualTo(firstShare);
      }
    }
  }

  private static LoadBalancer zoned(int localHosts, int remoteHosts, int ratio, Strategy strategy) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < localHosts + remoteHosts; i++) {
      endpoints.add(Endpoint.of("h" + i + ":80", 1, i < localHosts ? "local" : "other", Map.of()));
    }
    return LoadBalancer.builder("z")
        .endpoints(endpoints)
        .strategy(strategy)
        .localZone("local", 100)
        .zoneSpillOver(ratio)
        .timeSource(new VirtualTime())
        .build();
  }

  /** With full health and the local zone within its capacity, every pick of a real balancer stays local. */
  @Property(tries = 100)
  void whileTheLocalZoneHasCapacityEveryPickStaysLocal(
      @ForAll @IntRange(min = 1, max = 5) int localHosts,
      @ForAll @IntRange(min = 1, max = 8) int remoteHosts,
      @ForAll @IntRange(min = 1, max = 4) int ratio,
      @ForAll("spillable") Strategy strategy) {
    LoadBalancer lb = zoned(localHosts, remoteHosts, ratio, strategy);
    List<Lease> held = new ArrayList<>();
    for (int i = 0; i < ratio * localHosts; i++) { // up to `ratio` in flight per local endpoint
      held.add(lb.pick());
    }
    assertThat(held).allMatch(lease -> "local".equals(lease.endpoint().zone()));
  }

  @Provide
  Arbitrary<Strategy> spillable() {
    return Arbitraries.of(
        Strategy.roundRobin(), Strategy.random(), Strategy.leastRequest(2), Strategy.peakEwma());
  }
}
