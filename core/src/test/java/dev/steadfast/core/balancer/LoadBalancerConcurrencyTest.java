package dev.steadfast.core.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.core.balancer.internal.BalancerEngine;
import dev.steadfast.core.spi.VirtualTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Picks, reports, membership changes and ejections from several threads at once lose no lease. */
class LoadBalancerConcurrencyTest {

  static List<Strategy> strategies() {
    return LoadBalancerTest.allStrategies();
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void everyLeaseIsCountedBackWhileMembershipAndHealthChange(Strategy strategy) throws Exception {
    List<Endpoint> all = IntStream.range(0, 8).mapToObj(i -> Endpoint.of("h" + i)).toList();
    LoadBalancer lb =
        LoadBalancer.builder("c")
            .endpoints(all)
            .strategy(strategy)
            .timeSource(new VirtualTime())
            .outlierDetection(OutlierDetection.builder().consecutiveFailures(3).maxEjectionPercent(50).build())
            .build();
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        work.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 20_000; i++) {
                    Lease lease = i % 3 == 0 ? lb.pick("k" + (i % 97)) : lb.pick();
                    if ((i + seed) % 11 == 0) {
                      lease.failure(1_000);
                    } else {
                      lease.success(1_000 + i % 5);
                    }
                  }
                  return null;
                }));
      }
      work.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 200; i++) {
                  lb.update(i % 2 == 0 ? all : all.subList(0, 6));
                }
                lb.update(all);
                return null;
              }));
      start.countDown();
      for (Future<?> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    BalancerEngine engine = (BalancerEngine) lb;
    for (Endpoint e : all) {
      assertThat(Objects.requireNonNull(engine.stateOf(e)).inFlight()).as(e.address()).isZero();
    }
  }
}
