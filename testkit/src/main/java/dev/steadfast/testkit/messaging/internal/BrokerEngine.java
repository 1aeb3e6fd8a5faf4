package dev.steadfast.testkit.messaging.internal;

import dev.steadfast.core.spi.TimeSource;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.spi.Delivery;
import dev.steadfast.messaging.outbox.spi.MessageHandler;
import dev.steadfast.messaging.outbox.spi.MessageSubscriber;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.testkit.chaos.InjectedFaultException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The thread-safe state of an in-memory broker: its queues, subscribers and deliveries, the faults it was told to
 * inject and the records tests assert on.
 *
 * <p>Design. One lock guards everything; handlers, the executor and the time source are only ever called outside
 * it, so a handler may publish, settle, close and read the records. Each queue keeps its ready messages sorted by
 * publish sequence, so a message that comes back (rejected with requeue, returned by a closed subscriber) takes
 * its old place, as in RabbitMQ. Each subscriber drains its queue on the executor, one handler call at a time; a
 * flag ({@code draining}) makes sure at most one drain per subscriber runs, and a drain that finds nothing to do
 * clears the flag under the same lock that publishers hold when they signal, so no wake-up is lost.
 */
public final class BrokerEngine {

  private static final class Entry {
    final OutboxMessage message;
    final long sequence;
    // @GuardedBy("lock")
    int deliveryCount;

    Entry(OutboxMessage message, long sequence) {
      this.message = message;
      this.sequence = sequence;
    }
  }

  private static final class Queue {
    final List<Entry> ready = new ArrayList<>();
    final List<EngineSubscriber> subscribers = new ArrayList<>();
    final Set<String> keysInHandler = new HashSet<>();
    int delayed;
    int inFlight;
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final TimeSource time;
  private final Executor executor;
  private final boolean preservesOrderPerKey;

  // Everything below: @GuardedBy("lock")
  private final RandomGenerator random;
  private final Map<String, Queue> queues = new HashMap<>();
  private long nextSequence;
  private boolean closed;

  private int failNextPublishes;
  private int loseNextConfirms;
  private int failNextDeliveries;
  private int loseNextAcks;
  private double duplicateRate;
  private long delayNanos;
  private boolean reorder;

  private final List<OutboxMessage> published = new ArrayList<>();
  private final List<UUID> acknowledged = new ArrayList<>();
  private final Map<UUID, Integer> deliveries = new HashMap<>();
  private final List<UUID> deadLettered = new ArrayList<>();
  private final List<Throwable> handlerFailures = new ArrayList<>();

  /** An empty broker; handlers run on {@code executor}, delays on {@code time}. */
  public BrokerEngine(TimeSource time, RandomGenerator random, Executor executor, boolean preservesOrderPerKey) {
    this.time = Objects.requireNonNull(time, "time");
    this.random = Objects.requireNonNull(random, "random");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.preservesOrderPerKey = preservesOrderPerKey;
  }

  // ---- publishing

  /** Stores and confirms {@code messages}, or fails them as the faults say; one outcome per message, in order. */
  public List<PublishOutcome> publish(List<OutboxMessage> messages) {
    List<PublishOutcome> outcomes = new ArrayList<>(messages.size());
    List<Entry> toDelay = new ArrayList<>();
    Set<Queue> touched = new LinkedHashSet<>();
    long delay;
    lock.lock();
    try {
      delay = delayNanos;
      for (OutboxMessage message : messages) {
        UUID id = message.id();
        if (closed) {
          outcomes.add(PublishOutcome.failed(id, new IllegalStateException("the in-memory broker is closed")));
          continue;
        }
        if (failNextPublishes > 0) {
          failNextPublishes--;
          outcomes.add(
              PublishOutcome.failed(
                  id,
                  new InjectedFaultException(
                      "publish of message " + id + " failed (injected by failNextPublishes)")));
          continue;
        }
        Queue queue = queueFor(message.destination());
        int copies = duplicateRate > 0 && random.nextDouble() < duplicateRate ? 2 : 1;
        for (int copy = 0; copy < copies; copy++) {
          Entry entry = new Entry(message, nextSequence++);
          if (delay > 0) {
            queue.delayed++;
            toDelay.add(entry);
          } else {
            insertReady(queue, entry);
            touched.add(queue);
          }
        }
        published.add(message);
        if (loseNextConfirms > 0) {
          loseNextConfirms--;
          outcomes.add(
              PublishOutcome.failed(
                  id,
                  new InjectedFaultException(
                      "confirm of message " + id + " lost (injected by loseNextConfirms); the broker has it")));
        } else {
          outcomes.add(PublishOutcome.confirmed(id));
        }
      }
    } finally {
      lock.unlock();
    }
    for (Entry entry : toDelay) {
      time.schedule(() -> becomeReady(entry), delay);
    }
    touched.forEach(this::signal);
    return outcomes;
  }

  private void becomeReady(Entry entry) {
    Queue queue;
    lock.lock();
    try {
      queue = queueFor(entry.message.destination());
      queue.delayed--;
      if (closed) {
        return;
      }
      insertReady(queue, entry);
    } finally {
      lock.unlock();
    }
    signal(queue);
  }

  // ---- subscribing

  /** A new subscriber of {@code destination}, not yet started. */
  public MessageSubscriber subscriber(String destination) {
    lock.lock();
    try {
      return new EngineSubscriber(destination, queueFor(destination));
    } finally {
      lock.unlock();
    }
  }

  /** Returns every unsettled delivery to its queue, as a lost consumer connection would; subscribers go on. */
  public void dropConsumerConnections() {
    List<Queue> all;
    lock.lock();
    try {
      all = new ArrayList<>(queues.values());
      for (Queue queue : all) {
        for (EngineSubscriber subscriber : queue.subscribers) {
          subscriber.returnUnsettled();
        }
      }
    } finally {
      lock.unlock();
    }
    all.forEach(this::signal);
  }

  /** Closes every subscriber; later publishes fail. Idempotent. */
  public void close() {
    List<EngineSubscriber> subscribers = new ArrayList<>();
    lock.lock();
    try {
      closed = true;
      for (Queue queue : queues.values()) {
        subscribers.addAll(queue.subscribers);
      }
    } finally {
      lock.unlock();
    }
    subscribers.forEach(EngineSubscriber::close);
  }

  // ---- faults

  /** Sets how many of the next published messages fail without being stored. */
  public void failNextPublishes(int count) {
    withLock(() -> failNextPublishes = count);
  }

  /** Sets how many of the next stored messages are reported failed although stored. */
  public void loseNextConfirms(int count) {
    withLock(() -> loseNextConfirms = count);
  }

  /** Sets how many of the next deliveries are lost before reaching a handler, and so come again. */
  public void failNextDeliveries(int count) {
    withLock(() -> failNextDeliveries = count);
  }

  /** Sets how many of the next acknowledgements are lost, so that their messages come again. */
  public void loseNextAcks(int count) {
    withLock(() -> loseNextAcks = count);
  }

  /** Sets the chance that a published message is stored twice. */
  public void duplicateRate(double rate) {
    withLock(() -> duplicateRate = rate);
  }

  /** Sets how long a published message waits before it can be delivered. */
  public void delayNanos(long nanos) {
    withLock(() -> delayNanos = nanos);
  }

  /** Sets whether deliveries are handed out in random order (within the per-key order, where kept). */
  public void reorder(boolean on) {
    withLock(() -> reorder = on);
  }

  private void withLock(Runnable change) {
    lock.lock();
    try {
      change.run();
    } finally {
      lock.unlock();
    }
  }

  // ---- records

  /** Every message stored, in publish order (a duplicate once). */
  public List<OutboxMessage> published() {
    lock.lock();
    try {
      return List.copyOf(published);
    } finally {
      lock.unlock();
    }
  }

  /** The ids of acknowledged deliveries, in order, repeats included. */
  public List<UUID> acknowledged() {
    lock.lock();
    try {
      return List.copyOf(acknowledged);
    } finally {
      lock.unlock();
    }
  }

  /** How many deliveries of message {@code id} were handed to a handler. */
  public int deliveries(UUID id) {
    lock.lock();
    try {
      return deliveries.getOrDefault(id, 0);
    } finally {
      lock.unlock();
    }
  }

  /** The ids of deliveries rejected without requeue, in order. */
  public List<UUID> deadLettered() {
    lock.lock();
    try {
      return List.copyOf(deadLettered);
    } finally {
      lock.unlock();
    }
  }

  /** What handlers threw, in order. */
  public List<Throwable> handlerFailures() {
    lock.lock();
    try {
      return List.copyOf(handlerFailures);
    } finally {
      lock.unlock();
    }
  }

  /** Messages of {@code destination} stored and not yet acknowledged or dead-lettered. */
  public int pending(String destination) {
    lock.lock();
    try {
      Queue queue = queues.get(destination);
      return queue == null ? 0 : queue.ready.size() + queue.delayed + queue.inFlight;
    } finally {
      lock.unlock();
    }
  }

  // ---- engine

  // @GuardedBy("lock")
  private Queue queueFor(String destination) {
    return queues.computeIfAbsent(destination, name -> new Queue());
  }

  /** Inserts {@code entry} at its place by publish sequence. */
  // @GuardedBy("lock")
  private static void insertReady(Queue queue, Entry entry) {
    List<Entry> ready = queue.ready;
    int index = ready.size();
    while (index > 0 && ready.get(index - 1).sequence > entry.sequence) {
      index--;
    }
    ready.add(index, entry);
  }

  /** Takes the next deliverable entry of {@code queue}, or null if none is deliverable now. */
  // @GuardedBy("lock")
  private @Nullable Entry take(Queue queue) {
    List<Entry> ready = queue.ready;
    List<Integer> eligible = new ArrayList<>();
    Set<String> keysSeen = new HashSet<>();
    for (int i = 0; i < ready.size(); i++) {
      String key = ready.get(i).message.key();
      boolean deliverable =
          key == null || !preservesOrderPerKey || (!queue.keysInHandler.contains(key) && keysSeen.add(key));
      if (key != null && preservesOrderPerKey) {
        keysSeen.add(key);
      }
      if (deliverable) {
        if (!reorder) {
          return ready.remove(i);
        }
        eligible.add(i);
      }
    }
    if (eligible.isEmpty()) {
      return null;
    }
    int chosen = eligible.get(random.nextInt(eligible.size()));
    return ready.remove(chosen);
  }

  private void signal(Queue queue) {
    List<EngineSubscriber> subscribers;
    lock.lock();
    try {
      subscribers = new ArrayList<>(queue.subscribers);
    } finally {
      lock.unlock();
    }
    subscribers.forEach(EngineSubscriber::requestDrain);
  }

  private final class EngineSubscriber implements MessageSubscriber {
    private final String destination;
    private final Queue queue;
    // @GuardedBy("lock")
    private @Nullable MessageHandler handler;
    // @GuardedBy("lock")
    private boolean subscriberClosed;
    // @GuardedBy("lock")
    private boolean draining;
    // @GuardedBy("lock")
    private final Set<EngineDelivery> unsettled = new LinkedHashSet<>();

    EngineSubscriber(String destination, Queue queue) {
      this.destination = destination;
      this.queue = queue;
    }

    @Override
    public String destination() {
      return destination;
    }

    @Override
    public void start(MessageHandler handler) {
      Objects.requireNonNull(handler, "handler");
      lock.lock();
      try {
        if (subscriberClosed) {
          throw new IllegalStateException("subscriber of '" + destination + "' is closed");
        }
        if (this.handler != null) {
          throw new IllegalStateException("subscriber of '" + destination + "' is already started");
        }
        this.handler = handler;
        queue.subscribers.add(this);
      } finally {
        lock.unlock();
      }
      requestDrain();
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (subscriberClosed) {
          return;
        }
        subscriberClosed = true;
        queue.subscribers.remove(this);
        returnUnsettled();
      } finally {
        lock.unlock();
      }
      signal(queue);
    }

    // @GuardedBy("lock")
    void returnUnsettled() {
      for (EngineDelivery delivery : unsettled) {
        delivery.returned = true;
        queue.inFlight--;
        insertReady(queue, delivery.entry);
      }
      unsettled.clear();
    }

    void requestDrain() {
      lock.lock();
      try {
        if (handler == null || subscriberClosed || draining) {
          return;
        }
        draining = true;
      } finally {
        lock.unlock();
      }
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException shutDown) {
        withLock(() -> draining = false);
      }
    }

    private void drain() {
      while (true) {
        EngineDelivery delivery;
        MessageHandler current;
        String busyKey;
        lock.lock();
        try {
          MessageHandler started = handler;
          Entry entry = subscriberClosed || started == null ? null : take(queue);
          if (started == null || entry == null) {
            draining = false;
            return;
          }
          entry.deliveryCount++;
          if (failNextDeliveries > 0) {
            // Lost on the way to the consumer: the broker counts it as delivered and delivers it again.
            failNextDeliveries--;
            insertReady(queue, entry);
            continue;
          }
          current = started;
          deliveries.merge(entry.message.id(), 1, Integer::sum);
          delivery = new EngineDelivery(this, entry, entry.deliveryCount);
          unsettled.add(delivery);
          queue.inFlight++;
          busyKey = preservesOrderPerKey ? entry.message.key() : null;
          if (busyKey != null) {
            queue.keysInHandler.add(busyKey);
          }
        } finally {
          lock.unlock();
        }
        try {
          current.handle(delivery);
        } catch (Throwable failure) { // the consumer crashed: record it, and the message comes back
          lock.lock();
          try {
            handlerFailures.add(failure);
          } finally {
            lock.unlock();
          }
          delivery.rejectIfUnsettled();
        } finally {
          if (busyKey != null) {
            String key = busyKey;
            withLock(() -> queue.keysInHandler.remove(key));
            signal(queue);
          }
        }
      }
    }
  }

  private final class EngineDelivery implements Delivery {
    private final EngineSubscriber subscriber;
    private final Entry entry;
    private final int deliveryCount;
    // @GuardedBy("lock")
    private boolean settled;
    // @GuardedBy("lock"); true when its subscriber closed or its connection dropped before it was settled
    private boolean returned;

    EngineDelivery(EngineSubscriber subscriber, Entry entry, int deliveryCount) {
      this.subscriber = subscriber;
      this.entry = entry;
      this.deliveryCount = deliveryCount;
    }

    @Override
    public OutboxMessage message() {
      return entry.message;
    }

    @Override
    public int deliveryCount() {
      return deliveryCount;
    }

    @Override
    public void ack() {
      boolean requeued;
      lock.lock();
      try {
        settle("ack");
        requeued = loseNextAcks > 0;
        if (requeued) {
          loseNextAcks--;
          insertReady(subscriber.queue, entry);
        } else {
          acknowledged.add(entry.message.id());
        }
      } finally {
        lock.unlock();
      }
      if (requeued) {
        signal(subscriber.queue);
      }
    }

    @Override
    public void reject(boolean requeue) {
      lock.lock();
      try {
        settle("reject");
        if (requeue) {
          insertReady(subscriber.queue, entry);
        } else {
          deadLettered.add(entry.message.id());
        }
      } finally {
        lock.unlock();
      }
      if (requeue) {
        signal(subscriber.queue);
      }
    }

    /** Requeues the message unless the delivery was settled or returned meanwhile. */
    void rejectIfUnsettled() {
      lock.lock();
      try {
        if (settled || returned) {
          return;
        }
        settle("reject");
        insertReady(subscriber.queue, entry);
      } finally {
        lock.unlock();
      }
      signal(subscriber.queue);
    }

    // @GuardedBy("lock")
    private void settle(String action) {
      UUID id = entry.message.id();
      if (returned) {
        throw new IllegalStateException(
            "cannot " + action + " message " + id + ": its delivery was returned to the broker when the"
                + " subscriber closed or its connection dropped, and the message will be delivered again");
      }
      if (settled) {
        throw new IllegalStateException("cannot " + action + " message " + id + ": delivery already settled");
      }
      settled = true;
      subscriber.unsettled.remove(this);
      subscriber.queue.inFlight--;
    }

    @Override
    public String toString() {
      return "Delivery[" + entry.message + ", deliveryCount=" + deliveryCount + "]";
    }
  }
}
