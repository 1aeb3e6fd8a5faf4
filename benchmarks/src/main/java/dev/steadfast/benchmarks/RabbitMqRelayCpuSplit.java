package dev.steadfast.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU goes while {@link RabbitMqRelayBenchmark}'s methods move their messages: a diagnostic beside the
 * benchmark, not a measurement of speed (that is the benchmark's). It runs the benchmark's methods round by round,
 * interleaved ({@code rawAsyncConfirms}, {@code rawMandatory}, {@code adapterOnly}, {@code relay}, {@code
 * relayStarted}, then again), so
 * each round's methods share the machine's load of that moment, and reads the CPU time of this JVM, of the
 * PostgreSQL processes and of RabbitMQ's {@code beam.smp} from {@code /proc} around the timed part of each round
 * (the filling of the outbox is outside it). Linux only.
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip
 * java -cp benchmarks/target/benchmarks.jar dev.steadfast.benchmarks.RabbitMqRelayCpuSplit quorum 25 1000 4
 * </pre>
 *
 * <p>Arguments: the queue type ({@code classic} or {@code quorum}), the rounds (the first eight warm up and are not
 * counted), the batch size and the relay's workers. It prints, per method, the median rate, the median of the
 * round-by-round ratios to {@code rawAsyncConfirms}, and the CPU milliseconds per 10,000 messages of each process
 * group and the idle time of the machine.
 */
public final class RabbitMqRelayCpuSplit {

  private static final int WARM_UP_ROUNDS = 8;
  /** {@code /proc} counts CPU time in ticks of 10 ms (USER_HZ is 100 on Linux). */
  private static final double MILLIS_PER_TICK = 10;

  enum Group { JVM, POSTGRES, BEAM, OTHER, IDLE }

  /** The benchmark's methods, in the order each round runs them; named as in {@link RabbitMqRelayBenchmark}. */
  enum BenchmarkMethod {
    RAW("rawAsyncConfirms"),
    RAW_MANDATORY("rawMandatory"),
    ADAPTER_ONLY("adapterOnly"),
    RELAY("relay"),
    RELAY_STARTED("relayStarted");

    final String benchmarkName;

    BenchmarkMethod(String benchmarkName) {
      this.benchmarkName = benchmarkName;
    }
  }

  private RabbitMqRelayCpuSplit() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      throw new IllegalArgumentException("arguments: queueType rounds batchSize relayWorkers, were " + List.of(args));
    }
    int rounds = Integer.parseInt(args[1]);
    if (rounds <= WARM_UP_ROUNDS) {
      throw new IllegalArgumentException("rounds must be > " + WARM_UP_ROUNDS + ", was " + rounds);
    }
    RabbitMqRelayBenchmark benchmark = new RabbitMqRelayBenchmark();
    RabbitMqRelayBenchmark.Broker broker = new RabbitMqRelayBenchmark.Broker();
    broker.queueType = args[0];
    broker.batchSize = Integer.parseInt(args[2]);
    broker.relayWorkers = Integer.parseInt(args[3]);
    broker.open();
    RabbitMqRelayBenchmark.Relay relay = new RabbitMqRelayBenchmark.Relay();
    relay.open(broker);
    RabbitMqRelayBenchmark.Raw raw = new RabbitMqRelayBenchmark.Raw();
    raw.open();
    RabbitMqRelayBenchmark.FromMemory fromMemory = new RabbitMqRelayBenchmark.FromMemory();

    Map<BenchmarkMethod, List<Double>> rates = new EnumMap<>(BenchmarkMethod.class);
    Map<BenchmarkMethod, Map<Group, Long>> ticks = new EnumMap<>(BenchmarkMethod.class);
    try {
      for (int round = 0; round < rounds; round++) {
        for (BenchmarkMethod method : BenchmarkMethod.values()) {
          switch (method) {
            case RAW, RAW_MANDATORY -> raw.purge(broker);
            case ADAPTER_ONLY -> fromMemory.prepare(broker);
            case RELAY, RELAY_STARTED -> relay.fill(broker);
          }
          Map<Group, Long> before = cpuTicks();
          long start = System.nanoTime();
          switch (method) {
            case RAW -> benchmark.rawAsyncConfirms(broker, raw);
            case RAW_MANDATORY -> benchmark.rawMandatory(broker, raw);
            case ADAPTER_ONLY -> benchmark.adapterOnly(broker, fromMemory);
            case RELAY -> benchmark.relay(broker, relay);
            case RELAY_STARTED -> benchmark.relayStarted(broker, relay);
          }
          long nanos = System.nanoTime() - start;
          Map<Group, Long> after = cpuTicks();
          if (method == BenchmarkMethod.RAW || method == BenchmarkMethod.RAW_MANDATORY) {
            raw.check(broker);
          } else {
            broker.expectAll();
          }
          if (round >= WARM_UP_ROUNDS) {
            rates.computeIfAbsent(method, m -> new ArrayList<>())
                .add(RabbitMqRelayBenchmark.MESSAGES / (nanos / 1e9));
            Map<Group, Long> sum = ticks.computeIfAbsent(method, m -> new EnumMap<>(Group.class));
            after.forEach((group, value) -> sum.merge(group, value - before.get(group), Long::sum));
          }
        }
      }
    } finally {
      relay.close();
      raw.close();
      broker.close();
    }
    print(args, rounds - WARM_UP_ROUNDS, rates, ticks);
  }

  private static void print(String[] args, int measured, Map<BenchmarkMethod, List<Double>> rates,
      Map<BenchmarkMethod, Map<Group, Long>> ticks) {
    System.out.printf("%s queue, batches of %s, %s workers: %d rounds of %,d messages after %d warm-up rounds%n",
        args[0], args[2], args[3], measured, RabbitMqRelayBenchmark.MESSAGES, WARM_UP_ROUNDS);
    System.out.printf("%-16s %9s %13s | CPU ms per 10,000 messages: %6s %8s %6s %6s %6s%n",
        "method", "msg/s", "ratio to raw", "jvm", "postgres", "beam", "other", "idle");
    double perTenThousand = MILLIS_PER_TICK * 10_000.0 / ((double) measured * RabbitMqRelayBenchmark.MESSAGES);
    List<Double> rawRates = rates.get(BenchmarkMethod.RAW);
    for (BenchmarkMethod method : BenchmarkMethod.values()) {
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < measured; i++) {
        ratios.add(rates.get(method).get(i) / rawRates.get(i));
      }
      Map<Group, Long> sum = ticks.get(method);
      System.out.printf("%-16s %9.0f %12.0f%% | %34.0f %8.0f %6.0f %6.0f %6.0f%n",
          method.benchmarkName, median(rates.get(method)), 100 * median(ratios),
          sum.get(Group.JVM) * perTenThousand, sum.get(Group.POSTGRES) * perTenThousand,
          sum.get(Group.BEAM) * perTenThousand, sum.get(Group.OTHER) * perTenThousand,
          sum.get(Group.IDLE) * perTenThousand);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  /** CPU ticks so far, user and system, of each process group; and the machine's idle ticks. */
  private static Map<Group, Long> cpuTicks() throws IOException {
    Map<Group, Long> ticks = new EnumMap<>(Group.class);
    for (Group group : Group.values()) {
      ticks.put(group, 0L);
    }
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        String stat;
        try {
          stat = Files.readString(process.resolve("stat"));
        } catch (IOException exited) {
          continue;
        }
        // pid (comm) state ...: the command name may hold spaces and parentheses, the fields after it do not.
        int commEnd = stat.lastIndexOf(')');
        String comm = stat.substring(stat.indexOf('(') + 1, commEnd);
        String[] fields = stat.substring(commEnd + 2).split(" ");
        long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        Group group;
        if (Long.parseLong(process.getFileName().toString()) == self) {
          group = Group.JVM;
        } else if (comm.startsWith("postgres")) {
          group = Group.POSTGRES;
        } else if (comm.startsWith("beam")) {
          group = Group.BEAM;
        } else {
          group = Group.OTHER;
        }
        ticks.merge(group, used, Long::sum);
      }
    }
    String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    ticks.put(Group.IDLE, Long.parseLong(cpu[4]) + Long.parseLong(cpu[5])); // idle, iowait
    return ticks;
  }
}
