package dev.steadfast.messaging.rabbitmq.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/** One subscriber's meters, tagged with its queue; thread-safe. Names are listed in {@code docs/rabbitmq.md}. */
public final class ConsumerMeters {

  final Counter consumed;
  final Counter acked;
  final Counter requeued;
  final Counter rejected;
  final Counter unreadable;

  /** Registers (or finds) the meters with the tags {@code adapter} and {@code queue}. */
  public ConsumerMeters(MeterRegistry registry, String adapterName, String queue) {
    Tags tags = Tags.of("adapter", adapterName, "queue", queue);
    consumed =
        Counter.builder("steadfast.rabbitmq.consumed")
            .description("deliveries handed to the handler")
            .tags(tags)
            .register(registry);
    acked =
        Counter.builder("steadfast.rabbitmq.acked")
            .description("deliveries acknowledged")
            .tags(tags)
            .register(registry);
    requeued =
        Counter.builder("steadfast.rabbitmq.rejected")
            .description("deliveries rejected")
            .tags(tags.and("requeue", "true"))
            .register(registry);
    rejected =
        Counter.builder("steadfast.rabbitmq.rejected")
            .description("deliveries rejected")
            .tags(tags.and("requeue", "false"))
            .register(registry);
    unreadable =
        Counter.builder("steadfast.rabbitmq.unreadable")
            .description("deliveries without a UUID message-id, rejected without requeue")
            .tags(tags)
            .register(registry);
  }
}
