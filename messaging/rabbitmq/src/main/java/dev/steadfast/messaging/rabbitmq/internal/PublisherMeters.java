package dev.steadfast.messaging.rabbitmq.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The publisher's meters, registered once; thread-safe (Micrometer meters are). Names are listed in {@code
 * docs/rabbitmq.md}.
 */
public final class PublisherMeters {

  private final MeterRegistry registry;
  final Counter published;
  final Counter confirmed;
  final Counter nacked;
  final Counter returned;
  final Counter timedOut;
  final Counter failed;
  private final Timer confirmLatency;

  /** Registers the meters with the tag {@code adapter=name}. */
  public PublisherMeters(MeterRegistry registry, String adapterName) {
    this.registry = registry;
    Tags tags = Tags.of("adapter", adapterName);
    published =
        Counter.builder("steadfast.rabbitmq.published")
            .description("messages written to a channel (not yet confirmed)")
            .tags(tags)
            .register(registry);
    confirmed =
        Counter.builder("steadfast.rabbitmq.confirmed")
            .description("messages the broker confirmed (acked and not returned)")
            .tags(tags)
            .register(registry);
    nacked =
        Counter.builder("steadfast.rabbitmq.nacked")
            .description("messages the broker refused (basic.nack)")
            .tags(tags)
            .register(registry);
    returned =
        Counter.builder("steadfast.rabbitmq.returned")
            .description("mandatory messages the broker returned as unroutable")
            .tags(tags)
            .register(registry);
    timedOut =
        Counter.builder("steadfast.rabbitmq.confirm.timeouts")
            .description("messages whose confirm did not come within the confirm timeout")
            .tags(tags)
            .register(registry);
    failed =
        Counter.builder("steadfast.rabbitmq.publish.failures")
            .description("messages not published or whose confirm was lost with the channel or connection")
            .tags(tags)
            .register(registry);
    confirmLatency =
        Timer.builder("steadfast.rabbitmq.confirm.latency")
            .description("from writing a message to the broker's confirm")
            .tags(tags)
            .register(registry);
  }

  /** The registry's monotonic clock, in nanoseconds. */
  long now() {
    return registry.config().clock().monotonicTime();
  }

  void recordConfirm(long startNanos) {
    confirmLatency.record(now() - startNanos, TimeUnit.NANOSECONDS);
  }
}
