package dev.steadfast.messaging.rabbitmq.internal;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.messaging.rabbitmq.RabbitMqPublishException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The RabbitMQ {@link MessagePublisher}: every batch goes to one publishing channel in confirm mode, written on the
 * executor (so that {@code publish} never blocks, also not on TCP back-pressure or the broker's flow control), with
 * a confirm timeout on the scheduler; thread-safe.
 */
public final class ConfirmingPublisher implements MessagePublisher, AutoCloseable {

  private final PublishChannel[] channels;
  private final AtomicInteger nextChannel = new AtomicInteger();
  private final Executor executor;
  private final ScheduledExecutorService scheduler;
  private final long confirmTimeoutNanos;
  private final String confirmTimeoutText;
  private final PublisherMeters meters;
  private volatile boolean closed;

  /** A publisher over {@code channelCount} channels of {@code connections}'s connection. */
  public ConfirmingPublisher(
      ConnectionHolder connections,
      int channelCount,
      Executor executor,
      ScheduledExecutorService scheduler,
      Duration confirmTimeout,
      PublisherMeters meters) {
    RouteCache routes = new RouteCache();
    this.channels = new PublishChannel[channelCount];
    for (int i = 0; i < channelCount; i++) {
      channels[i] = new PublishChannel(connections, routes, meters);
    }
    this.executor = executor;
    this.scheduler = scheduler;
    this.confirmTimeoutNanos = confirmTimeout.toNanos();
    this.confirmTimeoutText = confirmTimeout.toString();
    this.meters = meters;
  }

  @Override
  public CompletionStage<List<PublishOutcome>> publish(List<OutboxMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    if (messages.isEmpty()) {
      return CompletableFuture.completedStage(List.of());
    }
    List<OutboxMessage> copy = List.copyOf(messages);
    PublishBatch batch = new PublishBatch(copy, executor);
    CompletableFuture<List<PublishOutcome>> future = batch.future();
    if (closed) {
      batch.failFrom(0, closedFailure());
      return future.minimalCompletionStage();
    }
    try {
      ScheduledFuture<?> timeout =
          scheduler.schedule(
              () -> meters.timedOut.increment(batch.timeOut(confirmTimeoutText)),
              confirmTimeoutNanos,
              TimeUnit.NANOSECONDS);
      var unused = future.whenComplete((outcomes, failure) -> timeout.cancel(false));
      PublishChannel channel = channels[Math.floorMod(nextChannel.getAndIncrement(), channels.length)];
      executor.execute(() -> channel.publish(batch));
    } catch (RejectedExecutionException shutDown) {
      batch.failFrom(0, closedFailure());
    }
    return future.minimalCompletionStage();
  }

  /** Closes the channels; messages waiting for confirms and later publishes fail. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (PublishChannel channel : channels) {
      channel.close();
    }
  }

  private static RabbitMqPublishException closedFailure() {
    return new RabbitMqPublishException(RabbitMqPublishException.Reason.CLOSED, "the publisher is closed", null);
  }
}
