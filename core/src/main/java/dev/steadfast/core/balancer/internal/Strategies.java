package dev.steadfast.core.balancer.internal;

import dev.steadfast.core.balancer.Strategy;
import dev.steadfast.core.spi.TimeSource;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/** The strategies behind {@link Strategy}'s factories, each a {@link PickerFactory}. */
public final class Strategies {

  private Strategies() {}

  /** Base of every strategy: a name and how to build pickers. */
  private abstract static class Base implements Strategy, PickerFactory {
    private final String name;

    Base(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public boolean usesWeights() {
      return false;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Round robin. */
  public static Strategy roundRobin() {
    return new Base("round-robin") {
      @Override
      public Picker create(EndpointState[] candidates, @Nullable Picker previous) {
        return new RoundRobin(candidates, previous);
      }
    };
  }

  /** Random. */
  public static Strategy random() {
    return new Base("random") {
      @Override
      public Picker create(EndpointState[] candidates, @Nullable Picker previous) {
        return (now, keyHash, keyed, avoid, random) -> {
          int n = candidates.length;
          int i = random.nextInt(n);
          if (candidates[i] == avoid && n > 1) {
            i = (i + 1 + random.nextInt(n - 1)) % n;
          }
          return candidates[i];
        };
      }
    };
  }

  /** Smooth weighted round robin. */
  public static Strategy weightedRoundRobin() {
    return new Base("weighted-round-robin") {
      @Override
      public Picker create(EndpointState[] candidates, @Nullable Picker previous) {
        return new EarliestDeadlineFirst(candidates);
      }

      @Override
      public boolean usesWeights() {
        return true;
      }
    };
  }

  /** Least request, power of {@code choices} choices. */
  public static Strategy leastRequest(int choices) {
    if (choices < 2) {
      throw new IllegalArgumentException("choices must be >= 2, was " + choices);
    }
    return new Base("least-request") {
      @Override
      public Picker create(EndpointState[] candidates, @Nullable Picker previous) {
        return new PowerOfChoices(candidates, choices, false);
      }

      @Override
      public boolean usesWeights() {
        return true;
      }
    };
  }

  /** Peak-EWMA, power of two choices. */
  public static Strategy peakEwma(Duration decay, Duration failurePenalty) {
    Objects.requireNonNull(decay, "decay");
    Objects.requireNonNull(failurePenalty, "failurePenalty");
    if (decay.isNegative() || decay.isZero()) {
      throw new IllegalArgumentException("decay must be > 0, was " + decay);
    }
    if (failurePenalty.isNegative()) {
      throw new IllegalArgumentException("failurePenalty must be >= 0, was " + failurePenalty);
    }
    return new PeakEwmaStrategy(TimeSource.toNanosSaturated(decay), TimeSource.toNanosSaturated(failurePenalty));
  }

  /** Peak-EWMA's settings, read by the engine. */
  public static final class PeakEwmaStrategy extends Base {
    final long decayNanos;
    final long failurePenaltyNanos;

    PeakEwmaStrategy(long decayNanos, long failurePenaltyNanos) {
      super("peak-ewma");
      this.decayNanos = decayNanos;
      this.failurePenaltyNanos = failurePenaltyNanos;
    }

    @Override
    public Picker create(EndpointState[] candidates, @Nullable Picker previous) {
      return new PowerOfChoices(candidates, 2, true);
    }

    @Override
    public boolean usesWeights() {
      return true;
    }
  }

  /** Ring hash. */
  public static Strategy ringHash(int pointsPerWeight) {
    if (pointsPerWeight < 1) {
      throw new IllegalArgumentException("pointsPerWeight must be >= 1, was " + pointsPerWeight);
    }
    return new Base("ring-hash") {
      @Override
      public Picker create(EndpointState[] candidates, @Nullable Picker previous) {
        return new Ring(candidates, pointsPerWeight, previous);
      }
    };
  }

  /** Maglev hashing. */
  public static Strategy maglev(int tableSize) {
    if (tableSize < 2 || !java.math.BigInteger.valueOf(tableSize).isProbablePrime(30)) {
      throw new IllegalArgumentException("tableSize must be a prime, was " + tableSize);
    }
    return new Base("maglev") {
      @Override
      public Picker create(EndpointState[] candidates, @Nullable Picker previous) {
        return new Maglev(candidates, tableSize, previous);
      }
    };
  }

  /**
   * Thread-safe Maglev lookup table (Eisenbud et al., NSDI 2016, with Envoy's weighting): immutable once built.
   * Each endpoint walks its own permutation {@code (offset + skip × j) mod M} of the slots and claims the first
   * free one when its turn comes; an endpoint of weight w gets a turn in w / maxWeight of the rounds.
   */
  static final class Maglev extends RoundRobin {
    private final int[] table;

    Maglev(EndpointState[] candidates, int tableSize, @Nullable Picker previous) {
      super(candidates, previous);
      if (candidates.length > tableSize) {
        throw new IllegalArgumentException(
            "maglev tableSize must be >= the number of endpoints, was " + tableSize + " for " + candidates.length);
      }
      int n = candidates.length;
      boolean allZero = Arrays.stream(candidates).allMatch(s -> s.weight() == 0);
      double maxWeight = 0;
      for (EndpointState s : candidates) {
        maxWeight = Math.max(maxWeight, allZero ? 1 : s.weight());
      }
      long[] offset = new long[n];
      long[] skip = new long[n];
      long[] next = new long[n];
      double[] weight = new double[n];
      double[] target = new double[n];
      for (int i = 0; i < n; i++) {
        long h = candidates[i].addressHash();
        offset[i] = Long.remainderUnsigned(h, tableSize);
        skip[i] = Long.remainderUnsigned(Hashing.mix(h ^ 0x632be59bd9b4e019L), tableSize - 1) + 1;
        weight[i] = (allZero ? 1 : candidates[i].weight()) / maxWeight;
        target[i] = 1;
      }
      int[] slots = new int[tableSize];
      Arrays.fill(slots, -1);
      int filled = 0;
      for (long iteration = 1; filled < tableSize; iteration++) {
        for (int i = 0; i < n && filled < tableSize; i++) {
          if (weight[i] == 0 || iteration * weight[i] < target[i]) {
            continue;
          }
          target[i] += 1;
          int slot;
          do {
            slot = (int) ((offset[i] + skip[i] * next[i]) % tableSize);
            next[i]++;
          } while (slots[slot] >= 0);
          slots[slot] = i;
          filled++;
        }
      }
      this.table = slots;
    }

    @Override
    public EndpointState pick(
        long now, long keyHash, boolean keyed, @Nullable EndpointState avoid, RandomGenerator random) {
      if (!keyed) {
        return super.pick(now, keyHash, keyed, avoid, random);
      }
      int slot = (int) Long.remainderUnsigned(keyHash, table.length);
      for (int step = 0; step < table.length; step++) {
        EndpointState s = candidates[table[(slot + step) % table.length]];
        if (s != avoid || candidates.length == 1) {
          return s;
        }
      }
      return candidates[0];
    }
  }

  /** Rendezvous hashing. */
  public static Strategy rendezvous() {
    return new Base("rendezvous") {
      @Override
      public Picker create(EndpointState[] candidates, @Nullable Picker previous) {
        return new Rendezvous(candidates, previous);
      }
    };
  }

  /** Thread-safe, lock-free round robin: each candidate in turn; the position survives candidate changes. */
  static class RoundRobin implements Picker {
    final EndpointState[] candidates;
    final AtomicInteger next;

    RoundRobin(EndpointState[] candidates, @Nullable Picker previous) {
      this.candidates = candidates;
      this.next = previous instanceof RoundRobin rr ? rr.next : new AtomicInteger();
    }

    @Override
    public EndpointState pick(
        long now, long keyHash, boolean keyed, @Nullable EndpointState avoid, RandomGenerator random) {
      int n = candidates.length;
      EndpointState chosen = candidates[Math.floorMod(next.getAndIncrement(), n)];
      if (chosen == avoid && n > 1) {
        chosen = candidates[Math.floorMod(next.getAndIncrement(), n)];
      }
      return chosen;
    }
  }

  /**
   * Thread-safe and lock-free: samples {@code choices} candidates (two distinct ones when {@code choices == 2}) and returns the cheapest:
   * requests in flight plus one per unit of weight, or the Peak-EWMA load per unit of weight.
   */
  static final class PowerOfChoices implements Picker {
    private final EndpointState[] candidates;
    private final int choices;
    private final boolean ewma;

    PowerOfChoices(EndpointState[] candidates, int choices, boolean ewma) {
      this.candidates = candidates;
      this.choices = choices;
      this.ewma = ewma;
    }

    /**
     * Whether {@code a} costs less than {@code b}, cost being load per unit of weight (load: requests in
     * flight plus one, or the Peak-EWMA load). The fractions are compared by cross-multiplying: a pick does no
     * division. A weight of 0 (possible early in slow start) makes an endpoint the most expensive.
     */
    private boolean cheaper(EndpointState a, EndpointState b, long now) {
      double loadA;
      double loadB;
      double capacityA = a.weightAt(now);
      double capacityB = b.weightAt(now);
      if (ewma) {
        loadA = a.ewmaWork(now);
        loadB = b.ewmaWork(now);
        capacityA *= a.ewmaSuccessSquared(now);
        capacityB *= b.ewmaSuccessSquared(now);
      } else {
        loadA = a.inFlight() + 1;
        loadB = b.inFlight() + 1;
      }
      if (capacityA <= 0 || capacityB <= 0) {
        return capacityA > 0;
      }
      return loadA * capacityB < loadB * capacityA;
    }

    @Override
    public EndpointState pick(
        long now, long keyHash, boolean keyed, @Nullable EndpointState avoid, RandomGenerator random) {
      EndpointState[] c = candidates;
      int n = c.length;
      if (n == 1) {
        return c[0];
      }
      if (choices == 2 || n == 2) {
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
          b++;
        }
        EndpointState x = c[a];
        EndpointState y = c[b];
        if (x == avoid) {
          return y;
        }
        if (y == avoid) {
          return x;
        }
        return cheaper(y, x, now) ? y : x;
      }
      EndpointState best = null;
      for (int i = 0; i < choices; i++) {
        EndpointState s = c[random.nextInt(n)];
        if (s == avoid) {
          continue;
        }
        if (best == null || cheaper(s, best, now)) {
          best = s;
        }
      }
      if (best == null) { // every sample was the one to avoid
        for (EndpointState s : c) {
          if (s != avoid) {
            return s;
          }
        }
        return c[0];
      }
      return best;
    }
  }

  /**
   * Thread-safe weighted round robin by earliest deadline first (Envoy's EDF scheduler): each candidate's next deadline
   * is its last plus 1 / weight; the earliest goes next. A binary heap of candidate indices under a lock;
   * weights are read when a candidate is rescheduled, so slow start takes effect as it goes.
   */
  static final class EarliestDeadlineFirst implements Picker {
    private final EndpointState[] candidates;
    private final ReentrantLock lock = new ReentrantLock();
    private final boolean allZero;
    // @GuardedBy("lock")
    private final double[] deadline;
    // @GuardedBy("lock")
    private final int[] heap;

    EarliestDeadlineFirst(EndpointState[] candidates) {
      this.candidates = candidates;
      int n = candidates.length;
      this.deadline = new double[n];
      this.heap = new int[n];
      boolean zero = true;
      for (EndpointState s : candidates) {
        zero &= s.weight() == 0;
      }
      this.allZero = zero;
      for (int i = 0; i < n; i++) {
        deadline[i] = step(candidates[i], 0) / 2; // start half a step in, so equal weights interleave
        heap[i] = i;
      }
      for (int i = n / 2 - 1; i >= 0; i--) {
        siftDown(i);
      }
    }

    private double step(EndpointState s, long now) {
      double w = allZero ? 1 : s.weightAt(now);
      return w > 0 ? 1 / w : Double.MAX_VALUE;
    }

    @Override
    public EndpointState pick(
        long now, long keyHash, boolean keyed, @Nullable EndpointState avoid, RandomGenerator random) {
      lock.lock();
      try {
        EndpointState chosen = next(now);
        if (chosen == avoid && candidates.length > 1) {
          chosen = next(now);
        }
        return chosen;
      } finally {
        lock.unlock();
      }
    }

    private EndpointState next(long now) {
      int top = heap[0];
      EndpointState s = candidates[top];
      double d = deadline[top];
      deadline[top] = d == Double.MAX_VALUE ? d : d + step(s, now);
      siftDown(0);
      return s;
    }

    private boolean before(int a, int b) {
      return deadline[a] < deadline[b] || (deadline[a] == deadline[b] && a < b);
    }

    private void siftDown(int i) {
      int n = heap.length;
      while (true) {
        int l = 2 * i + 1;
        if (l >= n) {
          return;
        }
        int smallest = l + 1 < n && before(heap[l + 1], heap[l]) ? l + 1 : l;
        if (!before(heap[smallest], heap[i])) {
          return;
        }
        int t = heap[i];
        heap[i] = heap[smallest];
        heap[smallest] = t;
        i = smallest;
      }
    }
  }

  /**
   * A Ketama ring: sorted 64-bit points, each with its owner's index in the low 16 bits (so the ring is one
   * {@code long[]}, searched with a binary search and no allocation).
   */
  static final class Ring extends RoundRobin {
    private static final long OWNER_MASK = 0xFFFF;
    private final long[] points;

    Ring(EndpointState[] candidates, int pointsPerWeight, @Nullable Picker previous) {
      super(candidates, previous);
      if (candidates.length > OWNER_MASK) {
        throw new IllegalArgumentException(
            "ring hash supports at most " + OWNER_MASK + " endpoints, was " + candidates.length);
      }
      boolean allZero = Arrays.stream(candidates).allMatch(s -> s.weight() == 0);
      int total = 0;
      for (EndpointState s : candidates) {
        total += Math.max(allZero ? 1 : s.weight(), 0) * pointsPerWeight;
      }
      long[] ring = new long[total];
      int k = 0;
      for (int owner = 0; owner < candidates.length; owner++) {
        EndpointState s = candidates[owner];
        int count = (allZero ? 1 : s.weight()) * pointsPerWeight;
        for (int i = 0; i < count; i++) {
          long point = Hashing.mix(s.addressHash() + 0x9e3779b97f4a7c15L * (i + 1));
          ring[k++] = (point & ~OWNER_MASK) | owner;
        }
      }
      Arrays.sort(ring);
      this.points = ring;
    }

    @Override
    public EndpointState pick(
        long now, long keyHash, boolean keyed, @Nullable EndpointState avoid, RandomGenerator random) {
      if (!keyed || points.length == 0) {
        return super.pick(now, keyHash, keyed, avoid, random);
      }
      int i = Arrays.binarySearch(points, keyHash & ~OWNER_MASK);
      if (i < 0) {
        i = -i - 1;
      }
      for (int step = 0; step < points.length; step++) {
        EndpointState s = candidates[(int) (points[(i + step) % points.length] & OWNER_MASK)];
        if (s != avoid || candidates.length == 1) {
          return s;
        }
      }
      return candidates[0];
    }
  }

  /** Weighted rendezvous hashing: the highest {@code -weight / ln(u)} wins, u uniform from (key, endpoint). */
  static final class Rendezvous extends RoundRobin {
    private final boolean allZero;
    private final boolean equalWeights;

    Rendezvous(EndpointState[] candidates, @Nullable Picker previous) {
      super(candidates, previous);
      this.allZero = Arrays.stream(candidates).allMatch(s -> s.weight() == 0);
      this.equalWeights = Arrays.stream(candidates).allMatch(s -> s.weight() == candidates[0].weight());
    }

    @Override
    public EndpointState pick(
        long now, long keyHash, boolean keyed, @Nullable EndpointState avoid, RandomGenerator random) {
      if (!keyed) {
        return super.pick(now, keyHash, keyed, avoid, random);
      }
      EndpointState best = candidates[0];
      double bestScore = Double.NEGATIVE_INFINITY;
      for (EndpointState s : candidates) {
        if (s == avoid && candidates.length > 1) {
          continue;
        }
        double u = Hashing.unitInterval(Hashing.mix(keyHash ^ s.addressHash()));
        // with equal weights the score -w / ln(u) orders endpoints as u does, so skip the logarithm
        double weight = allZero || equalWeights ? 1 : s.weight();
        double score =
            weight == 0 ? Double.NEGATIVE_INFINITY : equalWeights || allZero ? u : -weight / Math.log(u);
        if (score > bestScore || (score == bestScore && s.addressHash() < best.addressHash())) {
          best = s;
          bestScore = score;
        }
      }
      return best;
    }
  }
}
