package dev.steadfast.core.balancer.internal;

import dev.steadfast.core.balancer.Endpoint;
import dev.steadfast.core.balancer.EndpointDiscovery;
import dev.steadfast.core.balancer.HealthProbe;
import dev.steadfast.core.balancer.Lease;
import dev.steadfast.core.balancer.LoadBalancer;
import dev.steadfast.core.balancer.NoEndpointAvailableException;
import dev.steadfast.core.balancer.OutlierDetection;
import dev.steadfast.core.spi.TimeSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load balancer; thread-safe.
 *
 * <p>Design: everything a pick needs sits in one immutable {@link Snapshot} (the endpoints, the candidates
 * after health, panic and zone filtering, and the strategy's picker for them) read from a volatile field, so a
 * pick takes no lock and allocates nothing beyond what the picker does. Everything that changes the candidate
 * set (a membership change, an ejection, its end, a health-check verdict) happens under {@code lock} and ends
 * by publishing a new snapshot. Those are rare events, so rebuilding a snapshot (and a ring) each time is
 * cheaper than making picks consult shared mutable state. Discovery, probes and listeners run outside the
 * lock.
 */
public final class BalancerEngine implements LoadBalancer {

  static final Logger LOG = LoggerFactory.getLogger("dev.steadfast.core.balancer.LoadBalancer");

  /** The candidates and how to pick among them; immutable. */
  static final class Snapshot {
    final EndpointState[] all;
    final EndpointState[] candidates;
    final @Nullable Picker picker;
    final boolean panic;
    final Map<Endpoint, EndpointState> byEndpoint;
    // Spill-over by load: the other zones' healthy endpoints and their picker, when candidates are the local
    // zone's and another zone has healthy endpoints; otherwise null and 0.
    final @Nullable Picker remotePicker;
    final int remoteCount;

    Snapshot(EndpointState[] all, EndpointState[] candidates, @Nullable Picker picker, boolean panic) {
      this(all, candidates, picker, panic, null, 0);
    }

    Snapshot(
        EndpointState[] all,
        EndpointState[] candidates,
        @Nullable Picker picker,
        boolean panic,
        @Nullable Picker remotePicker,
        int remoteCount) {
      this.all = all;
      this.candidates = candidates;
      this.picker = picker;
      this.panic = panic;
      this.remotePicker = remotePicker;
      this.remoteCount = remoteCount;
      Map<Endpoint, EndpointState> map = new HashMap<>();
      for (EndpointState s : all) {
        map.put(s.endpoint(), s);
      }
      this.byEndpoint = Map.copyOf(map);
    }
  }

  private final String name;
  private final BalancerSettings settings;
  private final PickerFactory factory;
  private final TimeSource time;
  private final @Nullable RandomGenerator random;
  private final boolean needsTime;
  private final boolean tracksLatency;
  private final double inverseDecayNanos;
  // The latest report's time: Peak-EWMA's "now" for picks, so that a pick reads no clock.
  private volatile long recentNanos;
  private static final long RECENT_STEP_NANOS = 10_000;
  private final long failurePenaltyNanos;
  private final long slowStartWindowNanos;
  private final @Nullable OutlierDetection outliers;
  private final boolean judgesHealth;
  // Requests in flight to the local zone's endpoints and to the others', for spill-over by load; null without
  // a local zone. LongAdders: every pick and release of a zoned balancer updates one of them.
  private final @Nullable LongAdder localInFlight;
  private final @Nullable LongAdder remoteInFlight;

  private final ReentrantLock lock = new ReentrantLock();
  // @GuardedBy("lock"): address -> state, in the order given
  private Map<String, EndpointState> states = new LinkedHashMap<>();
  // @GuardedBy("lock")
  private final List<TimeSource.Cancellable> timers = new ArrayList<>();
  // @GuardedBy("lock")
  private boolean closed;
  // @GuardedBy("lock")
  private boolean initialized;

  private volatile Snapshot snapshot =
      new Snapshot(new EndpointState[0], new EndpointState[0], null, false);

  private final @Nullable Counter picks;
  private final @Nullable MeterRegistry meters;
  private final Map<String, Counter> ejectionCounters = new HashMap<>();

  /** Builds the balancer; with discovery, discovers once on the calling thread. */
  public BalancerEngine(BalancerSettings settings) {
    this.settings = settings;
    this.name = settings.name();
    this.factory = (PickerFactory) settings.strategy();
    this.time = settings.time();
    this.random = settings.random();
    this.slowStartWindowNanos =
        settings.slowStartWindow() == null ? 0 : TimeSource.toNanosSaturated(settings.slowStartWindow());
    this.needsTime = slowStartWindowNanos > 0 && factory.usesWeights();
    if (factory instanceof Strategies.PeakEwmaStrategy ewma) {
      this.tracksLatency = true;
      this.inverseDecayNanos = 1.0 / ewma.decayNanos;
      this.failurePenaltyNanos = ewma.failurePenaltyNanos;
    } else {
      this.tracksLatency = false;
      this.inverseDecayNanos = 1;
      this.failurePenaltyNanos = 0;
    }
    this.recentNanos = time.nanoTime();
    boolean zoned = settings.localZone() != null && settings.zoneSpillLoadRatio() != Double.POSITIVE_INFINITY;
    this.localInFlight = zoned ? new LongAdder() : null;
    this.remoteInFlight = zoned ? new LongAdder() : null;
    this.outliers = settings.outlierDetection();
    this.judgesHealth = outliers != null || settings.healthProbe() != null;
    this.meters = settings.meterRegistry();
    if (meters != null) {
      picks = Counter.builder("steadfast.balancer.picks").tag("balancer", name).register(meters);
      for (String reason : List.of("consecutive-failures", "success-rate", "failure-percentage")) {
        ejectionCounters.put(
            reason,
            Counter.builder("steadfast.balancer.ejections")
                .tag("balancer", name)
                .tag("reason", reason)
                .register(meters));
      }
      Gauge.builder("steadfast.balancer.panic", this, e -> e.inPanic() ? 1 : 0)
          .tag("balancer", name)
          .description("1 while the balancer routes to all endpoints because too few are healthy")
          .register(meters);
      Gauge.builder("steadfast.balancer.endpoints", this, e -> e.snapshot.all.length - e.unhealthyCount())
          .tag("balancer", name)
          .tag("state", "healthy")
          .register(meters);
      Gauge.builder("steadfast.balancer.endpoints", this, BalancerEngine::unhealthyCount)
          .tag("balancer", name)
          .tag("state", "unhealthy")
          .register(meters);
    } else {
      picks = null;
    }

    if (!settings.endpoints().isEmpty()) {
      update(settings.endpoints());
    }
    EndpointDiscovery discovery = settings.discovery();
    if (discovery != null) {
      refresh(discovery);
    }
    lock.lock();
    try {
      initialized = true;
      if (discovery != null) {
        scheduleRepeating(() -> refresh(discovery), TimeSource.toNanosSaturated(settings.refreshInterval()));
      }
      if (outliers != null) {
        scheduleRepeating(this::evaluateOutliers, TimeSource.toNanosSaturated(outliers.interval()));
      }
      HealthProbe probe = settings.healthProbe();
      if (probe != null) {
        scheduleRepeating(
            () -> runHealthChecks(probe), TimeSource.toNanosSaturated(settings.healthCheckInterval()));
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- picking -------------------------------------------------------------------------------------------

  @Override
  public String name() {
    return name;
  }

  @Override
  public Lease pick() {
    return pick(0, false, null);
  }

  @Override
  public Lease pick(CharSequence key) {
    return pick(Hashing.hash(key), true, null);
  }

  @Override
  public Lease pickOther(@Nullable Endpoint avoid) {
    return pick(0, false, avoid);
  }

  @Override
  public Lease pickOther(CharSequence key, @Nullable Endpoint avoid) {
    return pick(Hashing.hash(key), true, avoid);
  }

  private Lease pick(long keyHash, boolean keyed, @Nullable Endpoint avoid) {
    Snapshot s = snapshot;
    Picker picker = s.picker;
    if (picker == null) {
      throw new NoEndpointAvailableException(name);
    }
    // Peak-EWMA decays costs to the latest report's time rather than reading the clock per pick: a balancer
    // with traffic gets reports all the time, and one without has nothing new to decay towards.
    long now = needsTime ? time.nanoTime() : recentNanos;
    EndpointState avoidState = avoid == null ? null : s.byEndpoint.get(avoid);
    RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
    Picker remote = s.remotePicker;
    if (remote != null && spills(s)) {
      picker = remote;
    }
    EndpointState chosen = picker.pick(now, keyHash, keyed, avoidState, r);
    chosen.acquire();
    Counter counter = picks;
    if (counter != null) {
      counter.increment();
    }
    return chosen;
  }

  /** Whether this pick goes to another zone because the local one is over capacity ({@link ZoneSpill}). */
  private boolean spills(Snapshot s) {
    return ZoneSpill.spills(
        Objects.requireNonNull(localInFlight).sum(),
        s.candidates.length,
        Objects.requireNonNull(remoteInFlight).sum(),
        s.remoteCount,
        settings.zoneSpillLoadRatio());
  }

  @Override
  public <T> T call(Function<? super Endpoint, ? extends T> call) {
    return attempt(pick(), call);
  }

  private <T> T attempt(Lease lease, Function<? super Endpoint, ? extends T> call) {
    long start = time.nanoTime();
    T result;
    try {
      result = call.apply(lease.endpoint());
    } catch (RuntimeException | Error e) {
      if (Thread.currentThread().isInterrupted()) {
        lease.release(); // cancelled (a hedge lost or a timeout fired): not the endpoint's failure alone
      } else {
        lease.failure(time.nanoTime() - start);
      }
      throw e;
    }
    lease.success(time.nanoTime() - start);
    return result;
  }

  @Override
  public <T> Supplier<T> attempts(Function<? super Endpoint, ? extends T> call) {
    Objects.requireNonNull(call, "call");
    return new Supplier<>() {
      private volatile @Nullable Endpoint previous;

      @Override
      public T get() {
        Lease lease = pickOther(previous);
        previous = lease.endpoint();
        return attempt(lease, call);
      }
    };
  }

  @Override
  public <T> Supplier<CompletionStage<T>> asyncAttempts(
      Function<? super Endpoint, ? extends CompletionStage<T>> call) {
    Objects.requireNonNull(call, "call");
    return new Supplier<>() {
      private volatile @Nullable Endpoint previous;

      @Override
      public CompletionStage<T> get() {
        Lease lease = pickOther(previous);
        previous = lease.endpoint();
        long start = time.nanoTime();
        CompletionStage<T> stage;
        try {
          stage = call.apply(lease.endpoint());
        } catch (RuntimeException | Error e) {
          lease.failure(time.nanoTime() - start);
          throw e;
        }
        stage.whenComplete(
            (value, error) -> {
              Throwable cause = error instanceof CompletionException && error.getCause() != null
                  ? error.getCause()
                  : error;
              if (cause == null) {
                lease.success(time.nanoTime() - start);
              } else if (cause instanceof CancellationException) {
                lease.release();
              } else {
                lease.failure(time.nanoTime() - start);
              }
            });
        return stage;
      }
    };
  }

  // ---- what endpoint state reads -------------------------------------------------------------------------

  /** The in-flight counter of {@code endpoint}'s side (local zone or not) for spill-over, or null. */
  @Nullable LongAdder zoneInFlight(Endpoint endpoint) {
    String zone = settings.localZone();
    if (zone == null || localInFlight == null) {
      return null;
    }
    return zone.equals(endpoint.zone()) ? localInFlight : remoteInFlight;
  }

  boolean tracksLatency() {
    return tracksLatency;
  }

  long nowNanos() {
    return time.nanoTime();
  }

  /**
   * {@code exp(-ageNanos / decay)}: 1 for a non-positive age; for ages under 1 % of the decay (the usual case
   * on a busy balancer) the Taylor polynomial to the cubic term, within 5e-11 of {@code Math.exp} and several
   * times cheaper.
   */
  double decay(long ageNanos) {
    if (ageNanos <= 0) {
      return 1;
    }
    double x = ageNanos * inverseDecayNanos;
    return x < 0.01 ? 1 - x * (1 - x * (0.5 - x / 6)) : Math.exp(-x);
  }

  /**
   * Records the time of a report, which Peak-EWMA picks use as "now" (see {@link #pick}), in steps of at
   * least {@link #RECENT_STEP_NANOS}: every pick reads this field, so writing it on every report of a busy
   * balancer would make each core's picks miss on it. Lagging by up to 10 µs changes a decay over seconds by
   * less than a millionth.
   */
  void observedAt(long nanos) {
    if (nanos - recentNanos >= RECENT_STEP_NANOS) {
      recentNanos = nanos;
    }
  }

  long failurePenaltyNanos() {
    return failurePenaltyNanos;
  }

  /** Envoy's slow-start factor {@code max(minWeightPercent / 100, (t / window) ^ (1 / aggression))}; 1 when done. */
  double slowStartFactor(long elapsedNanos) {
    if (slowStartWindowNanos <= 0 || elapsedNanos >= slowStartWindowNanos) {
      return 1;
    }
    double t = Math.max(0, elapsedNanos) / (double) slowStartWindowNanos;
    return Math.max(
        settings.slowStartMinWeightPercent() / 100, Math.pow(t, 1 / settings.slowStartAggression()));
  }

  // ---- membership ----------------------------------------------------------------------------------------

  /** Validates an endpoint list: not empty, no address twice; returns an immutable copy. */
  public static List<Endpoint> validEndpoints(Collection<Endpoint> endpoints) {
    Objects.requireNonNull(endpoints, "endpoints");
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints must not be empty, was []");
    }
    Set<String> addresses = new HashSet<>();
    for (Endpoint e : endpoints) {
      Objects.requireNonNull(e, "endpoints must not contain null");
      if (!addresses.add(e.address())) {
        throw new IllegalArgumentException(
            "endpoints must not repeat an address, '" + e.address() + "' appears twice");
      }
    }
    return List.copyOf(endpoints);
  }

  @Override
  public void update(Collection<Endpoint> endpoints) {
    List<Endpoint> list = validEndpoints(endpoints);
    int added = 0;
    int removed;
    boolean firstMembership;
    lock.lock();
    try {
      firstMembership = states.isEmpty();
      long now = time.nanoTime();
      Map<String, EndpointState> next = new LinkedHashMap<>();
      for (Endpoint e : list) {
        EndpointState existing = states.get(e.address());
        if (existing != null && existing.endpoint().equals(e)) {
          next.put(e.address(), existing);
        } else {
          EndpointState fresh = new EndpointState(e, this, now);
          if (initialized && slowStartWindowNanos > 0) {
            fresh.startSlowStart(now);
          }
          next.put(e.address(), fresh);
          added++;
        }
      }
      removed = states.size() - (next.size() - added);
      states = next;
      rebuild();
    } finally {
      lock.unlock();
    }
    if (added > 0 || removed > 0) {
      (firstMembership ? LOG.atDebug() : LOG.atInfo())
          .addKeyValue("balancer", name)
          .addKeyValue("added", added)
          .addKeyValue("removed", removed)
          .addKeyValue("endpoints", list.size())
          .log("endpoints changed");
    }
  }

  private void refresh(EndpointDiscovery discovery) {
    List<Endpoint> found;
    try {
      found = discovery.discover();
    } catch (Exception e) {
      LOG.atWarn()
          .addKeyValue("balancer", name)
          .setCause(e)
          .log("discovery failed, keeping the current endpoints");
      return;
    }
    if (found.isEmpty()) {
      LOG.atWarn().addKeyValue("balancer", name).log("discovery found no endpoints, keeping the current ones");
      return;
    }
    try {
      update(found);
    } catch (IllegalArgumentException e) {
      LOG.atWarn()
          .addKeyValue("balancer", name)
          .setCause(e)
          .log("discovery returned invalid endpoints, keeping the current ones");
    }
  }

  // @GuardedBy("lock")
  private void scheduleRepeating(Runnable work, long intervalNanos) {
    Executor executor = settings.refreshExecutor();
    Runnable[] self = new Runnable[1];
    self[0] =
        () -> {
          Runnable body =
              () -> {
                try {
                  work.run();
                } finally {
                  lock.lock();
                  try {
                    if (!closed) {
                      timers.add(time.schedule(self[0], intervalNanos));
                    }
                  } finally {
                    lock.unlock();
                  }
                }
              };
          if (executor == null) {
            body.run();
          } else {
            executor.execute(body);
          }
        };
    timers.add(time.schedule(self[0], intervalNanos));
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      timers.forEach(TimeSource.Cancellable::cancel);
      timers.clear();
    } finally {
      lock.unlock();
    }
  }

  // ---- health --------------------------------------------------------------------------------------------

  void onFailure(EndpointState state, int consecutive) {
    OutlierDetection od = outliers;
    if (od == null || od.consecutiveFailures() == 0 || consecutive < od.consecutiveFailures() || state.ejected) {
      return;
    }
    lock.lock();
    try {
      if (states.get(state.endpoint().address()) != state || state.ejected || !ejectionAllowed()) {
        return;
      }
      long now = time.nanoTime();
      eject(state, now, "consecutive-failures");
      rebuild();
    } finally {
      lock.unlock();
    }
  }

  // @GuardedBy("lock")
  private boolean ejectionAllowed() {
    OutlierDetection od = Objects.requireNonNull(outliers);
    int ejected = 0;
    for (EndpointState s : states.values()) {
      if (s.ejected) {
        ejected++;
      }
    }
    return ejected * 100.0 < od.maxEjectionPercent() * (double) states.size();
  }

  // @GuardedBy("lock")
  private void eject(EndpointState state, long now, String reason) {
    OutlierDetection od = Objects.requireNonNull(outliers);
    state.ejectionMultiplier++;
    long base = TimeSource.toNanosSaturated(od.baseEjectionTime());
    long cap = Math.max(base, TimeSource.toNanosSaturated(od.maxEjectionTime()));
    long duration = base > cap / state.ejectionMultiplier ? cap : Math.min(cap, base * state.ejectionMultiplier);
    state.ejected = true;
    state.ejectedUntilNanos = now + duration;
    state.resetConsecutiveFailures();
    Counter counter = ejectionCounters.get(reason);
    if (counter != null) {
      counter.increment();
    }
    LOG.atWarn()
        .addKeyValue("balancer", name)
        .addKeyValue("endpoint", state.endpoint().address())
        .addKeyValue("reason", reason)
        .addKeyValue("ejectionMs", duration / 1_000_000)
        .log("endpoint ejected");
  }

  /** One outlier-detection interval, as gRFC A50 describes it. */
  void evaluateOutliers() {
    OutlierDetection od = Objects.requireNonNull(outliers);
    lock.lock();
    try {
      long now = time.nanoTime();
      List<EndpointState> all = new ArrayList<>(states.values());
      int[][] counts = new int[all.size()][];
      for (int i = 0; i < all.size(); i++) {
        counts[i] = all.get(i).drainCounts();
      }
      if (od.successRateStdevFactor() > 0) {
        List<Integer> judged = judged(all, counts, od.successRateRequestVolume());
        if (judged.size() >= od.successRateMinimumHosts()) {
          double sum = 0;
          double[] rates = new double[all.size()];
          for (int i : judged) {
            rates[i] = counts[i][0] / (double) (counts[i][0] + counts[i][1]);
            sum += rates[i];
          }
          double mean = sum / judged.size();
          double squares = 0;
          for (int i : judged) {
            squares += (rates[i] - mean) * (rates[i] - mean);
          }
          double threshold = mean - Math.sqrt(squares / judged.size()) * od.successRateStdevFactor() / 1000.0;
          for (int i : judged) {
            if (rates[i] < threshold && !all.get(i).ejected && ejectionAllowed()) {
              eject(all.get(i), now, "success-rate");
            }
          }
        }
      }
      if (od.failurePercentageThreshold() > 0) {
        List<Integer> judged = judged(all, counts, od.failurePercentageRequestVolume());
        if (judged.size() >= od.failurePercentageMinimumHosts()) {
          for (int i : judged) {
            double failurePercent = 100.0 * counts[i][1] / (counts[i][0] + counts[i][1]);
            if (failurePercent > od.failurePercentageThreshold() && !all.get(i).ejected && ejectionAllowed()) {
              eject(all.get(i), now, "failure-percentage");
            }
          }
        }
      }
      for (EndpointState s : all) {
        if (s.ejected) {
          if (now - s.ejectedUntilNanos >= 0) {
            s.ejected = false;
            if (slowStartWindowNanos > 0) {
              s.startSlowStart(now);
            }
            LOG.atInfo()
                .addKeyValue("balancer", name)
                .addKeyValue("endpoint", s.endpoint().address())
                .log("endpoint returns from ejection");
          }
        } else if (s.ejectionMultiplier > 0) {
          s.ejectionMultiplier--;
        }
      }
      rebuild();
    } finally {
      lock.unlock();
    }
  }

  private static List<Integer> judged(List<EndpointState> all, int[][] counts, int volume) {
    List<Integer> judged = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (counts[i][0] + counts[i][1] >= volume) {
        judged.add(i);
      }
    }
    return judged;
  }

  private void runHealthChecks(HealthProbe probe) {
    EndpointState[] all = snapshot.all;
    boolean[] verdicts = new boolean[all.length];
    for (int i = 0; i < all.length; i++) {
      try {
        verdicts[i] = probe.isHealthy(all[i].endpoint());
      } catch (Exception e) {
        verdicts[i] = false;
      }
    }
    lock.lock();
    try {
      long now = time.nanoTime();
      boolean changed = false;
      for (int i = 0; i < all.length; i++) {
        EndpointState s = all[i];
        if (verdicts[i] == s.probeHealthy) {
          s.probeStreak = 0;
          continue;
        }
        s.probeStreak++;
        int needed = s.probeHealthy ? settings.unhealthyThreshold() : settings.healthyThreshold();
        if (s.probeStreak >= needed) {
          s.probeHealthy = verdicts[i];
          s.probeStreak = 0;
          changed = true;
          if (s.probeHealthy && slowStartWindowNanos > 0) {
            s.startSlowStart(now);
          }
          LOG.atWarn()
              .addKeyValue("balancer", name)
              .addKeyValue("endpoint", s.endpoint().address())
              .addKeyValue("healthy", s.probeHealthy)
              .log("health check verdict changed");
        }
      }
      if (changed) {
        rebuild();
      }
    } finally {
      lock.unlock();
    }
  }

  // @GuardedBy("lock")
  private void rebuild() {
    EndpointState[] all = states.values().toArray(new EndpointState[0]);
    List<EndpointState> healthy = new ArrayList<>();
    for (EndpointState s : all) {
      if (!s.ejected && s.probeHealthy) {
        healthy.add(s);
      }
    }
    boolean panic =
        judgesHealth
            && all.length > 0
            && (healthy.isEmpty() || healthy.size() * 100.0 < settings.panicThresholdPercent() * all.length);
    List<EndpointState> base = panic ? List.of(all) : healthy;
    List<EndpointState> remote = new ArrayList<>();
    String zone = settings.localZone();
    if (zone != null) {
      int zoneTotal = 0;
      int zoneHealthy = 0;
      List<EndpointState> local = new ArrayList<>();
      for (EndpointState s : all) {
        if (zone.equals(s.endpoint().zone())) {
          zoneTotal++;
          if (!s.ejected && s.probeHealthy) {
            zoneHealthy++;
          }
        }
      }
      for (EndpointState s : base) {
        if (zone.equals(s.endpoint().zone())) {
          local.add(s);
        }
      }
      if (!local.isEmpty() && zoneHealthy * 100.0 >= settings.zoneMinHealthyPercent() * zoneTotal) {
        for (EndpointState s : base) {
          if (!zone.equals(s.endpoint().zone())) {
            remote.add(s);
          }
        }
        base = local;
      }
    }
    EndpointState[] candidates = base.toArray(new EndpointState[0]);
    Snapshot previous = snapshot;
    Picker picker = candidates.length == 0 ? null : factory.create(candidates, previous.picker);
    Picker remotePicker =
        remote.isEmpty() || localInFlight == null
            ? null
            : factory.create(remote.toArray(new EndpointState[0]), previous.remotePicker);
    if (panic != previous.panic) {
      LOG.atWarn()
          .addKeyValue("balancer", name)
          .addKeyValue("healthy", healthy.size())
          .addKeyValue("endpoints", all.length)
          .log(panic ? "panic: too few healthy endpoints, balancing across all" : "panic over");
    }
    assignHostMeters(all);
    snapshot =
        new Snapshot(all, candidates, picker, panic, remotePicker, remotePicker == null ? 0 : remote.size());
  }

  // @GuardedBy("lock")
  private void assignHostMeters(EndpointState[] all) {
    MeterRegistry registry = meters;
    if (registry == null) {
      return;
    }
    boolean tagged = all.length <= settings.maxHostTags();
    for (EndpointState s : all) {
      s.picksMeter =
          tagged
              ? Counter.builder("steadfast.balancer.endpoint.picks")
                  .tag("balancer", name)
                  .tag("endpoint", s.endpoint().address())
                  .register(registry)
              : null;
    }
  }

  // ---- views ---------------------------------------------------------------------------------------------

  @Override
  public List<Endpoint> endpoints() {
    List<Endpoint> list = new ArrayList<>();
    for (EndpointState s : snapshot.all) {
      list.add(s.endpoint());
    }
    return List.copyOf(list);
  }

  @Override
  public List<Endpoint> unhealthy() {
    List<Endpoint> list = new ArrayList<>();
    for (EndpointState s : snapshot.all) {
      if (s.ejected || !s.probeHealthy) {
        list.add(s.endpoint());
      }
    }
    return List.copyOf(list);
  }

  private int unhealthyCount() {
    return unhealthy().size();
  }

  @Override
  public boolean inPanic() {
    return snapshot.panic;
  }

  /** The state behind {@code endpoint}, for tests and the simulator; null if it is not a member. */
  public @Nullable EndpointState stateOf(Endpoint endpoint) {
    return snapshot.byEndpoint.get(endpoint);
  }

  @Override
  public String toString() {
    return "LoadBalancer[" + name + ", " + factory + ", " + snapshot.all.length + " endpoints]";
  }
}
