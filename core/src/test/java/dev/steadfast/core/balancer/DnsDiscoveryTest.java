package dev.steadfast.core.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steadfast.core.spi.VirtualTime;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** DNS discovery against a resolver the test controls: no network. */
class DnsDiscoveryTest {

  private final VirtualTime time = new VirtualTime();
  private final AtomicReference<List<String>> records = new AtomicReference<>(List.of());
  private final AtomicInteger lookups = new AtomicInteger();

  private final DnsDiscovery.Resolver resolver =
      hostname -> {
        lookups.incrementAndGet();
        assertThat(hostname).isEqualTo("search.prod.svc.cluster.local");
        List<String> answer = records.get();
        if (answer == null) {
          throw new UnknownHostException(hostname);
        }
        InetAddress[] addresses = new InetAddress[answer.size()];
        for (int i = 0; i < addresses.length; i++) {
          addresses[i] = InetAddress.getByName(answer.get(i)); // literals only: never a lookup
        }
        return addresses;
      };

  private LoadBalancer balancer() {
    return LoadBalancer.builder("search")
        .timeSource(time)
        .strategy(Strategy.roundRobin())
        .discovery(DnsDiscovery.of("search.prod.svc.cluster.local", 8080, resolver), Duration.ofSeconds(15))
        .build();
  }

  @Test
  void everyAAndAaaaRecordBecomesAnEndpointWithThePort() throws Exception {
    records.set(List.of("10.0.0.2", "10.0.0.1", "fd00::7"));
    List<Endpoint> endpoints = DnsDiscovery.of("search.prod.svc.cluster.local", 8080, resolver).discover();
    assertThat(endpoints)
        .extracting(Endpoint::address)
        .containsExactly("10.0.0.1:8080", "10.0.0.2:8080", "[fd00:0:0:0:0:0:0:7]:8080");
  }

  @Test
  void theBalancerResolvesWhenBuiltAndRefreshesOnItsInterval() {
    records.set(List.of("10.0.0.1", "10.0.0.2"));
    LoadBalancer lb = balancer();
    assertThat(lookups).hasValue(1);
    assertThat(lb.endpoints()).extracting(Endpoint::address).containsExactly("10.0.0.1:8080", "10.0.0.2:8080");

    records.set(List.of("10.0.0.2", "10.0.0.3"));
    time.advance(Duration.ofSeconds(14));
    assertThat(lookups).hasValue(1);
    time.advance(Duration.ofSeconds(1));
    assertThat(lookups).hasValue(2);
    assertThat(lb.endpoints()).extracting(Endpoint::address).containsExactly("10.0.0.2:8080", "10.0.0.3:8080");
    lb.close();
    time.advance(Duration.ofSeconds(60));
    assertThat(lookups).hasValue(2);
  }

  @Test
  void aFailedOrEmptyAnswerKeepsTheCurrentEndpoints() {
    records.set(List.of("10.0.0.1"));
    LoadBalancer lb = balancer();
    records.set(null);
    time.advance(Duration.ofSeconds(15));
    assertThat(lookups).hasValue(2);
    assertThat(lb.endpoints()).extracting(Endpoint::address).containsExactly("10.0.0.1:8080");
    records.set(List.of());
    time.advance(Duration.ofSeconds(15));
    assertThat(lookups).hasValue(3);
    assertThat(lb.endpoints()).extracting(Endpoint::address).containsExactly("10.0.0.1:8080");
  }

  @Test
  void aLeaseOnAnEndpointThatLeftDnsCompletes() {
    records.set(List.of("10.0.0.1", "10.0.0.2"));
    LoadBalancer lb = balancer();
    Lease first = lb.pick();
    Lease second = lb.pick();
    records.set(List.of("10.0.0.3"));
    time.advance(Duration.ofSeconds(15));
    first.success(1);
    second.failure(1);
    assertThat(lb.pick().endpoint().address()).isEqualTo("10.0.0.3:8080");
  }

  @Test
  void badSettingsAreRejectedByName() {
    assertThatThrownBy(() -> DnsDiscovery.of(" ", 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hostname must not be blank, was ' '");
    assertThatThrownBy(() -> DnsDiscovery.of("svc", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be between 1 and 65535, was 0");
  }
}
