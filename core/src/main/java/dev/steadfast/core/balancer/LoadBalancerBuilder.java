package dev.steadfast.core.balancer;

import dev.steadfast.core.balancer.internal.BalancerEngine;
import dev.steadfast.core.balancer.internal.BalancerSettings;
import dev.steadfast.core.balancer.internal.PickerFactory;
import dev.steadfast.core.spi.TimeSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link LoadBalancer}. Not thread-safe: use one builder on one thread. Each setter validates its
 * argument; {@link #build()} checks the settings together.
 *
 * <p>Defaults: {@link Strategy#peakEwma()}, no outlier detection (so no panic mode), panic threshold 50 %, no
 * slow start, no zone preference, no meters, the system time source and {@code ThreadLocalRandom}.
 *
 * @since 0.1.0
 */
public final class LoadBalancerBuilder {

  private final String name;
  private Strategy strategy = Strategy.peakEwma();
  private @Nullable List<Endpoint> endpoints;
  private @Nullable EndpointDiscovery discovery;
  private Duration refreshInterval = Duration.ofSeconds(30);
  private @Nullable Executor refreshExecutor;
  private TimeSource time = TimeSource.system();
  private @Nullable RandomGenerator random;
  private @Nullable OutlierDetection outlierDetection;
  private double panicThresholdPercent = 50;
  private @Nullable Duration slowStartWindow;
  private double slowStartAggression = 1.0;
  private double slowStartMinWeightPercent = 10;
  private @Nullable String localZone;
  private double zoneMinHealthyPercent = 70;
  private double zoneSpillLoadRatio = 2;
  private @Nullable MeterRegistry meterRegistry;
  private int maxHostTags;
  private @Nullable HealthProbe healthProbe;
  private Duration healthCheckInterval = Duration.ofSeconds(10);
  private int unhealthyThreshold = 3;
  private int healthyThreshold = 2;

  LoadBalancerBuilder(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
    }
    this.name = name;
  }

  /** How endpoints are chosen (default {@link Strategy#peakEwma()}). */
  public LoadBalancerBuilder strategy(Strategy strategy) {
    Objects.requireNonNull(strategy, "strategy");
    if (!(strategy instanceof PickerFactory)) {
      throw new IllegalArgumentException(
          "strategy must come from Strategy's factories, was " + strategy.getClass().getName());
    }
    this.strategy = strategy;
    return this;
  }

  /**
   * A static endpoint list; with {@link #discovery}, the endpoints used until discovery answers.
   *
   * @throws IllegalArgumentException if {@code endpoints} is empty or repeats an address
   */
  public LoadBalancerBuilder endpoints(Collection<Endpoint> endpoints) {
    this.endpoints = BalancerEngine.validEndpoints(endpoints);
    return this;
  }

  /**
   * Discovers endpoints with {@code discovery}, once at {@link #build()} and then every {@code
   * refreshInterval}, on the refresh executor. A failed or empty answer keeps the current endpoints.
   */
  public LoadBalancerBuilder discovery(EndpointDiscovery discovery, Duration refreshInterval) {
    this.discovery = Objects.requireNonNull(discovery, "discovery");
    this.refreshInterval = positive("refreshInterval", refreshInterval);
    return this;
  }

  /**
   * Where discovery and health probes run (they may block). Default: the time source's scheduler thread,
   * which is fine for quick lookups but delays other timers while a lookup blocks.
   */
  public LoadBalancerBuilder refreshExecutor(Executor executor) {
    this.refreshExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /** The time source for latencies, ejections, slow start and refreshes (default {@link TimeSource#system()}). */
  public LoadBalancerBuilder timeSource(TimeSource time) {
    this.time = Objects.requireNonNull(time, "time");
    return this;
  }

  /**
   * The random numbers for random and power-of-choices picks; must be thread-safe if the balancer is shared
   * (default: {@code ThreadLocalRandom}, per thread). Inject a seeded one for deterministic tests.
   */
  public LoadBalancerBuilder random(RandomGenerator random) {
    this.random = Objects.requireNonNull(random, "random");
    return this;
  }

  /** Ejects failing endpoints (default: none). */
  public LoadBalancerBuilder outlierDetection(OutlierDetection outlierDetection) {
    this.outlierDetection = Objects.requireNonNull(outlierDetection, "outlierDetection");
    return this;
  }

  /**
   * Below this percentage of healthy endpoints the balancer panics and uses all of them, healthy or not, as
   * Envoy does (default 50; with 0 it panics only when no endpoint is healthy).
   */
  public LoadBalancerBuilder panicThresholdPercent(double percent) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("panicThresholdPercent must be between 0 and 100, was " + percent);
    }
    this.panicThresholdPercent = percent;
    return this;
  }

  /**
   * Slow start, Envoy's formula: an endpoint added after the balancer was built, or returning from ejection,
   * gets weight {@code weight × max(minWeightPercent / 100, (t / window) ^ (1 / aggression))} for {@code t}
   * from 0 to {@code window}. Applies to weighted round robin, least request and Peak-EWMA.
   */
  public LoadBalancerBuilder slowStart(Duration window, double aggression, double minWeightPercent) {
    this.slowStartWindow = positive("slowStart window", window);
    if (!(aggression > 0) || Double.isInfinite(aggression)) {
      throw new IllegalArgumentException("slowStart aggression must be > 0, was " + aggression);
    }
    if (!(minWeightPercent >= 0 && minWeightPercent <= 100)) {
      throw new IllegalArgumentException(
          "slowStart minWeightPercent must be between 0 and 100, was " + minWeightPercent);
    }
    this.slowStartAggression = aggression;
    this.slowStartMinWeightPercent = minWeightPercent;
    return this;
  }

  /**
   * Prefers endpoints in {@code zone} (the caller's) while at least {@code minHealthyPercent} of that zone's
   * endpoints are healthy and it has capacity; below that share, traffic goes to all zones. Capacity is relative
   * load, see {@link #zoneSpillOver(double)}.
   */
  public LoadBalancerBuilder localZone(String zone, double minHealthyPercent) {
    Objects.requireNonNull(zone, "zone");
    if (zone.isBlank()) {
      throw new IllegalArgumentException("localZone must not be blank, was '" + zone + "'");
    }
    if (!(minHealthyPercent >= 0 && minHealthyPercent <= 100)) {
      throw new IllegalArgumentException(
          "localZone minHealthyPercent must be between 0 and 100, was " + minHealthyPercent);
    }
    this.localZone = zone;
    this.zoneMinHealthyPercent = minHealthyPercent;
    return this;
  }

  /**
   * How much busier than the other zones the local zone may get before picks spill over to them (default 2;
   * only with {@link #localZone}). Load is requests in flight per healthy endpoint: while the local zone's is at
   * most {@code loadRatio × (others' + 1)}, every pick stays local; a pick made while it is over that goes to
   * the other zones' healthy endpoints, chosen by the same strategy, so the local zone stays at its capacity
   * and only the excess spills. {@code Double.POSITIVE_INFINITY} turns spill-over by load off (then only
   * health spills).
   *
   * @throws IllegalArgumentException if {@code loadRatio} is NaN or below 1
   */
  public LoadBalancerBuilder zoneSpillOver(double loadRatio) {
    if (!(loadRatio >= 1)) {
      throw new IllegalArgumentException("zoneSpillOver loadRatio must be >= 1, was " + loadRatio);
    }
    this.zoneSpillLoadRatio = loadRatio;
    return this;
  }

  /**
   * Publishes {@code steadfast.balancer.*} meters. Tags are bounded: {@code balancer} only, unless {@link
   * #hostTags(int)} allows per-endpoint pick counters.
   */
  public LoadBalancerBuilder meterRegistry(MeterRegistry registry) {
    this.meterRegistry = Objects.requireNonNull(registry, "registry");
    return this;
  }

  /**
   * Opts in to per-endpoint pick counters (tag {@code endpoint}) while the balancer has at most {@code
   * maxHosts} endpoints (default 0: never). Beyond that count no per-endpoint meter is created, so the tag's
   * cardinality stays bounded.
   */
  public LoadBalancerBuilder hostTags(int maxHosts) {
    if (maxHosts < 0 || maxHosts > 100) {
      throw new IllegalArgumentException("hostTags maxHosts must be between 0 and 100, was " + maxHosts);
    }
    this.maxHostTags = maxHosts;
    return this;
  }

  /**
   * Active health checks: every {@code interval}, {@code probe} runs against each endpoint; {@code
   * unhealthyThreshold} failed probes in a row take it out, {@code healthyThreshold} passed ones bring it back.
   */
  public LoadBalancerBuilder healthCheck(
      HealthProbe probe, Duration interval, int unhealthyThreshold, int healthyThreshold) {
    this.healthProbe = Objects.requireNonNull(probe, "probe");
    this.healthCheckInterval = positive("healthCheck interval", interval);
    if (unhealthyThreshold < 1) {
      throw new IllegalArgumentException("unhealthyThreshold must be >= 1, was " + unhealthyThreshold);
    }
    if (healthyThreshold < 1) {
      throw new IllegalArgumentException("healthyThreshold must be >= 1, was " + healthyThreshold);
    }
    this.unhealthyThreshold = unhealthyThreshold;
    this.healthyThreshold = healthyThreshold;
    return this;
  }

  /**
   * Builds the balancer and, with discovery, runs the first discovery on the calling thread. This builder is
   * not changed and can build again.
   *
   * @throws IllegalArgumentException if neither endpoints nor discovery is set, or the local zone matches no
   *     static endpoint's zone
   */
  public LoadBalancer build() {
    if (endpoints == null && discovery == null) {
      throw new IllegalArgumentException(
          "load balancer '" + name + "' needs endpoints(...) or discovery(...), got neither");
    }
    if (localZone != null && endpoints != null && discovery == null) {
      Set<String> zones = new TreeSet<>();
      for (Endpoint e : endpoints) {
        if (e.zone() != null) {
          zones.add(e.zone());
        }
      }
      if (!zones.contains(localZone)) {
        throw new IllegalArgumentException(
            "localZone '" + localZone + "' matches no endpoint's zone, zones are " + zones);
      }
    }
    return new BalancerEngine(
        new BalancerSettings(
            name,
            strategy,
            endpoints == null ? List.of() : endpoints,
            discovery,
            refreshInterval,
            refreshExecutor,
            time,
            random,
            outlierDetection,
            panicThresholdPercent,
            slowStartWindow,
            slowStartAggression,
            slowStartMinWeightPercent,
            localZone,
            zoneMinHealthyPercent,
            zoneSpillLoadRatio,
            meterRegistry,
            maxHostTags,
            healthProbe,
            healthCheckInterval,
            unhealthyThreshold,
            healthyThreshold));
  }

  private static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }
}
