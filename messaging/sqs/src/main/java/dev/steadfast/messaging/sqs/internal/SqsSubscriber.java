package dev.steadfast.messaging.sqs.internal;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.Delivery;
import dev.steadfast.messaging.outbox.spi.MessageHandler;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.sqs.SqsAdapterConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * A thread-safe long-polling subscriber of one SQS queue.
 *
 * <p>Design: one receive is outstanding at a time ({@code receiving}); it asks for as many messages as the
 * in-flight limit leaves room for, and when the limit is reached, the next settle starts the next receive. Every
 * received message becomes an {@link SqsDelivery} in {@code inFlight} until it is settled; while it is, a
 * heartbeat on the scheduler extends its visibility. Acks go to a {@link DeleteBatcher}; a rejection with requeue
 * (or a handler that throws) sets the visibility to the requeue backoff; a rejection without requeue moves the
 * message to the queue's dead-letter queue when it has a redrive policy, and deletes it otherwise. On a FIFO
 * queue the messages of one group in one receive are handled one after the other on one task, and when one of
 * them is not processed, the rest of the group is released at once, so that it comes back in order. Handlers
 * run on the handler executor, never on the SDK's threads.
 */
public final class SqsSubscriber implements MessageSubscriber {

  private static final Logger LOG = LoggerFactory.getLogger(SqsSubscriber.class);
  private static final int MAX_VISIBILITY_SECONDS = 43_200;

  private final SqsAsyncClient client;
  private final QueueDirectory directory;
  private final String destination;
  private final SqsAdapterConfig config;
  private final SqsMeters meters;
  private final Executor handlers;
  private final ScheduledExecutorService scheduler;
  private final Consumer<SqsSubscriber> onClose;

  private final Map<String, SqsDelivery> inFlight = new ConcurrentHashMap<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean receiving = new AtomicBoolean();
  private volatile @Nullable Running running;
  private volatile @Nullable String deadLetterUrl;

  /** What a started subscriber works with. */
  private record Running(QueueInfo queue, MessageHandler handler, DeleteBatcher deletes,
      SqsMeters.QueueMeters meters) {}

  /** A subscriber of {@code destination}, not started; {@code onClose} runs once when it closes. */
  public SqsSubscriber(SqsAsyncClient client, QueueDirectory directory, String destination, SqsAdapterConfig config,
      SqsMeters meters, Executor handlers, ScheduledExecutorService scheduler, Consumer<SqsSubscriber> onClose) {
    this.client = client;
    this.directory = directory;
    this.destination = destination;
    this.config = config;
    this.meters = meters;
    this.handlers = handlers;
    this.scheduler = scheduler;
    this.onClose = onClose;
  }

  @Override
  public String destination() {
    return destination;
  }

  @Override
  public void start(MessageHandler handler) {
    Objects.requireNonNull(handler, "handler");
    if (closed.get()) {
      throw new IllegalStateException("subscriber of " + destination + " is closed");
    }
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("subscriber of " + destination + " was started before");
    }
    resolveThenReceive(handler);
  }

  /** The number of deliveries received and not yet settled. */
  public int inFlight() {
    return inFlight.size();
  }

  private void resolveThenReceive(MessageHandler handler) {
    if (closed.get()) {
      return;
    }
    background(directory.resolve(destination).whenComplete((queue, failure) -> {
      if (failure != null) {
        LOG.warn("cannot subscribe to {} yet (trying again in {}): {}", destination, config.receiveErrorBackoff(),
            SqsPublisher.unwrap(failure).toString());
        background(schedule(() -> resolveThenReceive(handler), config.receiveErrorBackoff().toNanos()));
        return;
      }
      running = new Running(queue, handler, new DeleteBatcher(client, queue.url()), meters.queue(queue.name()));
      receive();
    }));
  }

  /** Starts a receive unless one is outstanding, the subscriber is closed, or the in-flight limit is reached. */
  private void receive() {
    while (!closed.get() && receiving.compareAndSet(false, true)) {
      Running run = running;
      int room = config.maxInFlightPerSubscriber() - inFlight.size();
      if (run == null || room <= 0) {
        receiving.set(false);
        if (run != null && config.maxInFlightPerSubscriber() - inFlight.size() > 0) {
          continue; // a settle came between the check and the reset, and found us receiving
        }
        return;
      }
      int max = Math.min(room, config.receiveMaxMessages());
      CompletableFuture<ReceiveMessageResponse> received;
      try {
        received = client.receiveMessage(r -> r.queueUrl(run.queue().url())
            .maxNumberOfMessages(max)
            .waitTimeSeconds((int) config.receiveWait().toSeconds())
            .visibilityTimeout((int) config.visibilityTimeout().toSeconds())
            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                MessageSystemAttributeName.MESSAGE_GROUP_ID)
            .messageAttributeNames("All"));
      } catch (RuntimeException refused) {
        received = CompletableFuture.failedFuture(refused);
      }
      background(received.whenComplete((response, failure) -> {
        if (failure != null) {
          Throwable cause = SqsPublisher.unwrap(failure);
          if (!closed.get()) {
            LOG.warn("receive from {} failed (trying again in {}): {}", destination, config.receiveErrorBackoff(),
                cause.toString());
          }
          if (cause instanceof QueueDoesNotExistException) {
            directory.invalidate(destination);
          }
          if (schedule(() -> {
            receiving.set(false);
            receive();
          }, config.receiveErrorBackoff().toNanos()) == null) {
            receiving.set(false);
          }
          return;
        }
        try {
          dispatch(run, response.messages());
        } finally {
          receiving.set(false);
          receive();
        }
      }));
      return;
    }
  }

  private void dispatch(Running run, List<Message> messages) {
    List<SqsDelivery> deliveries = new ArrayList<>(messages.size());
    for (Message message : messages) {
      OutboxMessage decoded;
      try {
        decoded = MessageCodec.decode(message, destination);
      } catch (RuntimeException unreadable) {
        // Left invisible until its timeout: it comes back, and the redrive policy moves it away in the end.
        LOG.warn("cannot read message {} from {}: {}", message.messageId(), destination, unreadable.toString());
        continue;
      }
      SqsDelivery delivery = new SqsDelivery(this, run, decoded, message);
      inFlight.put(message.receiptHandle(), delivery);
      deliveries.add(delivery);
    }
    if (closed.get()) {
      deliveries.forEach(this::release);
      return;
    }
    for (SqsDelivery delivery : deliveries) {
      long every = config.heartbeatInterval().toNanos();
      delivery.heartbeat = schedule(() -> heartbeat(delivery), every, every);
    }
    if (run.queue().fifo()) {
      Map<String, List<SqsDelivery>> groups = new LinkedHashMap<>();
      for (SqsDelivery delivery : deliveries) {
        groups.computeIfAbsent(delivery.groupId(), g -> new ArrayList<>()).add(delivery);
      }
      for (List<SqsDelivery> group : groups.values()) {
        execute(group, () -> handleGroup(run, group));
      }
    } else {
      for (SqsDelivery delivery : deliveries) {
        execute(List.of(delivery), () -> handle(run, delivery));
      }
    }
  }

  private void execute(List<SqsDelivery> deliveries, Runnable task) {
    try {
      handlers.execute(task);
    } catch (RejectedExecutionException shutDown) {
      deliveries.forEach(this::release);
    }
  }

  private void handleGroup(Running run, List<SqsDelivery> group) {
    for (int i = 0; i < group.size(); i++) {
      if (closed.get() || !handle(run, group.get(i))) {
        // Not processed: the rest of the group goes back now, to come again after it, in order.
        for (SqsDelivery rest : group.subList(i + 1, group.size())) {
          release(rest);
        }
        return;
      }
    }
  }

  /** Hands {@code delivery} to the handler; false if the handler threw or requeued it during the call. */
  private boolean handle(Running run, SqsDelivery delivery) {
    run.meters().consumed().increment();
    try {
      run.handler().handle(delivery);
      return !delivery.requeued;
    } catch (Throwable crashed) {
      LOG.debug("handler of {} failed on message {}: {}", destination, delivery.message().id(), crashed.toString());
      delivery.requeueAfterFailure();
      if (crashed instanceof Error error && !(crashed instanceof AssertionError)) {
        throw error;
      }
      return false;
    }
  }

  private void heartbeat(SqsDelivery delivery) {
    Running run = running;
    if (run == null || delivery.isSettled()) {
      delivery.cancelHeartbeat();
      return;
    }
    long held = System.nanoTime() - delivery.receivedAt;
    if (held + config.visibilityTimeout().toNanos() > TimeUnit.SECONDS.toNanos(MAX_VISIBILITY_SECONDS)) {
      // SQS refuses to keep a message invisible longer than 12 hours after its receive: it comes back then.
      LOG.warn("message {} in {} has been held for {} s without being settled; SQS will make it visible again",
          delivery.message().id(), destination, TimeUnit.NANOSECONDS.toSeconds(held));
      delivery.cancelHeartbeat();
      return;
    }
    background(client.changeMessageVisibility(r -> r.queueUrl(run.queue().url())
            .receiptHandle(delivery.receiptHandle()).visibilityTimeout((int) config.visibilityTimeout().toSeconds()))
        .whenComplete((ok, failure) -> {
          if (failure != null) {
            Throwable cause = SqsPublisher.unwrap(failure);
            LOG.warn("could not extend the visibility of message {} in {}: {}", delivery.message().id(),
                destination, cause.toString());
            if (cause instanceof ReceiptHandleIsInvalidException) {
              delivery.cancelHeartbeat();
            }
          }
        }));
  }

  // ---- settling, called by SqsDelivery once it won the settle

  void acked(Running run, SqsDelivery delivery) {
    forget(delivery);
    run.meters().acked().increment();
    run.deletes().delete(delivery.receiptHandle());
    receive();
  }

  void requeued(Running run, SqsDelivery delivery) {
    forget(delivery);
    run.meters().requeued().increment();
    int maxReceiveCount = run.queue().maxReceiveCount();
    if (maxReceiveCount > 0 && delivery.deliveryCount() >= maxReceiveCount) {
      LOG.warn("message {} failed on its receive {} of {} in {}: SQS moves it to the dead-letter queue {} next",
          delivery.message().id(), delivery.deliveryCount(), maxReceiveCount, destination,
          run.queue().deadLetterTargetArn());
    }
    long nanos = config.requeueBackoff().delayNanos(delivery.deliveryCount(), 0, ThreadLocalRandom.current());
    changeVisibility(run, delivery, (int) Math.min(MAX_VISIBILITY_SECONDS, TimeUnit.NANOSECONDS.toSeconds(nanos)));
    receive();
  }

  void rejected(Running run, SqsDelivery delivery) {
    forget(delivery);
    run.meters().rejected().increment();
    String deadLetterArn = run.queue().deadLetterTargetArn();
    if (deadLetterArn == null) {
      LOG.info("message {} rejected without requeue; {} has no dead-letter queue, so it is deleted",
          delivery.message().id(), destination);
      run.deletes().delete(delivery.receiptHandle());
    } else {
      moveToDeadLetterQueue(run, delivery, deadLetterArn);
    }
    receive();
  }

  private void moveToDeadLetterQueue(Running run, SqsDelivery delivery, String deadLetterArn) {
    String known = deadLetterUrl;
    CompletableFuture<String> url = known != null
        ? CompletableFuture.completedFuture(known)
        : client.getQueueUrl(r -> r.queueName(QueueInfo.nameOf(deadLetterArn.replace(':', '/'))))
            .thenApply(response -> {
              deadLetterUrl = response.queueUrl();
              return response.queueUrl();
            });
    Message raw = delivery.raw();
    background(url.thenCompose(dlq -> client.sendMessage(r -> {
          r.queueUrl(dlq).messageBody(raw.body()).messageAttributes(raw.messageAttributes());
          if (dlq.endsWith(".fifo")) {
            r.messageGroupId(delivery.groupId()).messageDeduplicationId(delivery.message().id().toString());
          }
        }))
        .whenComplete((sent, failure) -> {
          if (failure != null) {
            // Stays in the queue: it comes back after its visibility timeout.
            LOG.warn("could not move rejected message {} to the dead-letter queue of {}: {}",
                delivery.message().id(), destination, SqsPublisher.unwrap(failure).toString());
          } else {
            run.deletes().delete(delivery.receiptHandle());
          }
        }));
  }

  /** Returns an unsettled delivery to the queue at once, without calling the handler again. */
  void release(SqsDelivery delivery) {
    if (!delivery.settleQuietly()) {
      return;
    }
    forget(delivery);
    Running run = running;
    if (run != null) {
      changeVisibility(run, delivery, 0);
    }
  }

  private void forget(SqsDelivery delivery) {
    delivery.cancelHeartbeat();
    inFlight.remove(delivery.receiptHandle(), delivery);
  }

  private void changeVisibility(Running run, SqsDelivery delivery, int seconds) {
    background(client.changeMessageVisibility(r -> r.queueUrl(run.queue().url())
            .receiptHandle(delivery.receiptHandle()).visibilityTimeout(seconds))
        .whenComplete((ok, failure) -> {
          if (failure != null) {
            LOG.debug("could not set the visibility of message {} in {} to {} s (it comes back after its timeout): {}",
                delivery.message().id(), destination, seconds, SqsPublisher.unwrap(failure).toString());
          }
        }));
  }

  /**
   * Marks a future whose result nobody waits for: its callback logs the failures that matter, and a scheduled task
   * is cancelled through its delivery or the scheduler's shutdown.
   */
  @SuppressWarnings("UnusedVariable") // the point: the future is passed here on purpose, and dropped
  static void background(@Nullable Future<?> future) {}

  private @Nullable ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    try {
      return scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      return null;
    }
  }

  private @Nullable ScheduledFuture<?> schedule(Runnable task, long delayNanos, long periodNanos) {
    try {
      return scheduler.scheduleAtFixedRate(task, delayNanos, periodNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      return null;
    }
  }

  /**
   * Stops receiving and returns every unsettled delivery to the queue (visibility 0), so that the next subscriber
   * gets it at once; does not wait for handler calls in progress (their later ack or reject throws {@link
   * IllegalStateException}, and the message comes again). A receive in flight completes in the background, and
   * what it brings is returned at once. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (SqsDelivery delivery : List.copyOf(inFlight.values())) {
      release(delivery);
    }
    onClose.accept(this);
  }

  /** One received message. Thread-safe: settled once, by whichever thread wins. */
  static final class SqsDelivery implements Delivery {
    private final SqsSubscriber subscriber;
    private final Running run;
    private final OutboxMessage message;
    private final Message raw;
    private final int deliveryCount;
    private final String groupId;
    private final AtomicBoolean settled = new AtomicBoolean();
    final long receivedAt = System.nanoTime();
    volatile @Nullable ScheduledFuture<?> heartbeat;
    volatile boolean requeued;

    SqsDelivery(SqsSubscriber subscriber, Running run, OutboxMessage message, Message raw) {
      this.subscriber = subscriber;
      this.run = run;
      this.message = message;
      this.raw = raw;
      Map<MessageSystemAttributeName, String> system = raw.attributes();
      this.deliveryCount = parseCount(system.get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
      String group = system.get(MessageSystemAttributeName.MESSAGE_GROUP_ID);
      this.groupId = group != null ? group : raw.messageId();
    }

    @Override
    public OutboxMessage message() {
      return message;
    }

    @Override
    public int deliveryCount() {
      return deliveryCount;
    }

    @Override
    public void ack() {
      settle("ack");
      subscriber.acked(run, this);
    }

    @Override
    public void reject(boolean requeue) {
      settle("reject");
      if (requeue) {
        requeued = true;
        subscriber.requeued(run, this);
      } else {
        subscriber.rejected(run, this);
      }
    }

    void requeueAfterFailure() {
      if (settleQuietly()) {
        requeued = true;
        subscriber.requeued(run, this);
      }
    }

    boolean isSettled() {
      return settled.get();
    }

    boolean settleQuietly() {
      return settled.compareAndSet(false, true);
    }

    void cancelHeartbeat() {
      ScheduledFuture<?> beat = heartbeat;
      if (beat != null) {
        beat.cancel(false);
      }
    }

    String receiptHandle() {
      return raw.receiptHandle();
    }

    String groupId() {
      return groupId;
    }

    Message raw() {
      return raw;
    }

    private void settle(String what) {
      if (!settled.compareAndSet(false, true)) {
        throw new IllegalStateException("cannot " + what + " message " + message.id()
            + ": this delivery is already settled (or its subscriber closed, and the message comes again)");
      }
    }

    private static int parseCount(@Nullable String count) {
      if (count == null) {
        return 1;
      }
      try {
        return Math.max(1, Integer.parseInt(count));
      } catch (NumberFormatException e) {
        return 1;
      }
    }

    @Override
    public String toString() {
      return "SqsDelivery[" + message + ", deliveryCount=" + deliveryCount + "]";
    }
  }
}
