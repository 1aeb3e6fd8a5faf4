package dev.steadfast.messaging.sqs.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe holder of the adapter's Micrometer meters, tagged {@code broker=sqs} and {@code queue=<name>}; meters
 * are registered once per queue and then looked up without allocating.
 *
 * <ul>
 *   <li>{@code steadfast.messaging.published}: messages handed to the publisher;
 *   <li>{@code steadfast.messaging.confirmed}: messages SQS accepted;
 *   <li>{@code steadfast.messaging.failed} ({@code reason=permanent|retryable}): messages not accepted;
 *   <li>{@code steadfast.messaging.send} (timer): {@code SendMessageBatch} latency;
 *   <li>{@code steadfast.messaging.consumed}: deliveries handed to a handler;
 *   <li>{@code steadfast.messaging.acked}: deliveries acknowledged;
 *   <li>{@code steadfast.messaging.rejected} ({@code requeue=true|false}): deliveries rejected, or whose handler threw.
 * </ul>
 */
public final class SqsMeters {

  private final MeterRegistry registry;
  private final Map<String, QueueMeters> byQueue = new ConcurrentHashMap<>();

  /** Meters in {@code registry}. */
  public SqsMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The meters of queue {@code name}. */
  public QueueMeters queue(String name) {
    return byQueue.computeIfAbsent(name, this::register);
  }

  private QueueMeters register(String queue) {
    return new QueueMeters(
        counter("steadfast.messaging.published", queue, "messages handed to the publisher"),
        counter("steadfast.messaging.confirmed", queue, "messages SQS accepted"),
        Counter.builder("steadfast.messaging.failed").tag("broker", "sqs").tag("queue", queue)
            .tag("reason", "permanent").description("messages not accepted").register(registry),
        Counter.builder("steadfast.messaging.failed").tag("broker", "sqs").tag("queue", queue)
            .tag("reason", "retryable").description("messages not accepted").register(registry),
        Timer.builder("steadfast.messaging.send").tag("broker", "sqs").tag("queue", queue)
            .description("SendMessageBatch latency").register(registry),
        counter("steadfast.messaging.consumed", queue, "deliveries handed to a handler"),
        counter("steadfast.messaging.acked", queue, "deliveries acknowledged"),
        Counter.builder("steadfast.messaging.rejected").tag("broker", "sqs").tag("queue", queue)
            .tag("requeue", "true").description("deliveries rejected").register(registry),
        Counter.builder("steadfast.messaging.rejected").tag("broker", "sqs").tag("queue", queue)
            .tag("requeue", "false").description("deliveries rejected").register(registry));
  }

  private Counter counter(String name, String queue, String description) {
    return Counter.builder(name).tag("broker", "sqs").tag("queue", queue).description(description)
        .register(registry);
  }

  /** The meters of one queue. Thread-safe. */
  public record QueueMeters(
      Counter published, Counter confirmed, Counter failedPermanent, Counter failedRetryable, Timer send,
      Counter consumed, Counter acked, Counter requeued, Counter rejected) {

    /** Records one {@code SendMessageBatch} that took {@code nanos}. */
    public void sent(long nanos) {
      send.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
