package dev.steadfast.benchmarks;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.spi.MessagePublisher;
import dev.steadfast.messaging.outbox.spi.PublishOutcome;
import dev.steadfast.messaging.rabbitmq.RabbitMqAdapter;
import dev.steadfast.messaging.rabbitmq.RabbitMqConfig;
import dev.steadfast.messaging.rabbitmq.RabbitMqTopology;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Relay throughput with publisher confirms, 1 KiB persistent messages, to a durable classic or quorum queue of the
 * RabbitMQ on 127.0.0.1:5672, in messages per second:
 *
 * <ul>
 *   <li>{@code relay}: the outbox relay (claim a batch from PostgreSQL on 127.0.0.1:5432, publish it through
 *       {@link RabbitMqAdapter}, wait for the confirms, delete the rows), {@code relayWorkers} threads calling
 *       {@code relayOnce()};
 *       the rows are enqueued before each invocation, outside the measurement;
 *   <li>{@code relayStarted}: the same relay as a service runs it, started with {@code relayWorkers} workers;
 *   <li>{@code adapterOnly}: the same messages from memory through the adapter's publisher, batches of {@code
 *       batchSize} with up to 1000 messages in flight (a whole batch, when batches are larger): the adapter's own
 *       cost, without the database;
 *   <li>{@code rawAsyncConfirms}: the peer, plain amqp-client on one channel with asynchronous confirms and a
 *       window of 1000 unconfirmed messages (the baseline);
 *   <li>{@code rawMandatory}: the same with the {@code mandatory} flag, which the adapter sets on every message.
 * </ul>
 *
 * <p>Each invocation moves {@value #MESSAGES} messages; the queue is purged before it and must hold all of them after
 * it, or the trial fails. Client and broker share the machine, so compare only figures of one run:
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip
 * java -jar benchmarks/target/benchmarks.jar RabbitMqRelayBenchmark -f 1 -wi 2 -i 5
 * </pre>
 *
 * <p>Servers: {@code -Dsteadfast.bench.postgres=jdbc:postgresql://...} and {@code
 * -Dsteadfast.bench.rabbitmq=amqp://...} (passed with {@code -jvmArgs}) override the local defaults.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RabbitMqRelayBenchmark {

  static final int MESSAGES = 10_000;
  static final int PAYLOAD_BYTES = 1024;
  static final int WINDOW = 1000;

  static final String POSTGRES =
      System.getProperty(
          "steadfast.bench.postgres", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&reWriteBatchedInserts=true");
  static final String RABBITMQ = System.getProperty("steadfast.bench.rabbitmq", "amqp://guest:guest@127.0.0.1:5672/%2F");

  /** The broker side shared by all three: the queue and an admin channel to purge and count it. */
  @State(Scope.Benchmark)
  public static class Broker {
    @Param({"classic", "quorum"})
    public String queueType;

    @Param({"250"})
    public int batchSize;

    /** Threads calling {@code relayOnce()} (the relay's {@code concurrency}); only {@code relay} uses it. */
    @Param({"2"})
    public int relayWorkers;

    String queue;
    RabbitMqAdapter adapter;
    Connection admin;
    Channel adminChannel;
    final byte[] payload = new byte[PAYLOAD_BYTES];

    @Setup(Level.Trial)
    public void open() throws Exception {
      ThreadLocalRandom.current().nextBytes(payload);
      queue = "bench-relay-" + queueType + "-" + UUID.randomUUID();
      adapter = RabbitMqAdapter.create(RabbitMqConfig.builder().uri(RABBITMQ).build());
      RabbitMqTopology.Builder topology = RabbitMqTopology.builder();
      adapter.declare(("quorum".equals(queueType) ? topology.quorumQueue(queue) : topology.classicQueue(queue)).build());
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(RABBITMQ);
      admin = factory.newConnection("bench-admin");
      adminChannel = admin.createChannel();
    }

    void purge() throws Exception {
      adminChannel.queuePurge(queue);
    }

    void expectAll() throws Exception {
      long count = adminChannel.queueDeclarePassive(queue).getMessageCount();
      if (count < MESSAGES) {
        throw new IllegalStateException("the queue holds " + count + " messages, expected " + MESSAGES);
      }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      adminChannel.queueDelete(queue);
      admin.close();
      adapter.close();
    }
  }

  /** The outbox on PostgreSQL and a relay that is driven by {@code relayOnce()}. */
  @State(Scope.Benchmark)
  public static class Relay {
    HikariDataSource pool;
    Outbox outbox;
    OutboxRelay relay;
    String table;
    ExecutorService workers;

    @Setup(Level.Trial)
    public void open(Broker broker) throws Exception {
      pool = new HikariDataSource();
      pool.setJdbcUrl(POSTGRES);
      pool.setMaximumPoolSize(broker.relayWorkers + 4);
      table = "bench_outbox_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
      outbox = Outbox.builder(pool).table(table).notifications(false).build();
      outbox.createSchemaIfMissing();
      relay = OutboxRelay.builder(outbox, broker.adapter.publisher()).batchSize(broker.batchSize).build();
      workers = Executors.newFixedThreadPool(broker.relayWorkers);
    }

    @Setup(Level.Invocation)
    public void fill(Broker broker) throws Exception {
      broker.purge();
      for (int done = 0; done < MESSAGES; done += 1000) {
        List<OutboxMessage> batch = new ArrayList<>(1000);
        for (int i = 0; i < 1000; i++) {
          batch.add(new OutboxMessage(UUID.randomUUID(), broker.queue, null, broker.payload, Map.of()));
        }
        try (java.sql.Connection connection = pool.getConnection()) {
          connection.setAutoCommit(false);
          outbox.enqueue(connection, batch);
          connection.commit();
        }
      }
      // What autovacuum does between two invocations on a server where it runs (it is off on the development
      // machine's): without it every claim would walk the dead rows of all the invocations before.
      try (java.sql.Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
        statement.execute("VACUUM ANALYZE " + table);
      }
    }

    @TearDown(Level.Invocation)
    public void check(Broker broker) throws Exception {
      broker.expectAll();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      workers.shutdownNow();
      relay.close();
      try (java.sql.Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + table + ", " + table + "_lease");
      }
      pool.close();
    }
  }

  /** The peer: one raw channel in confirm mode with a window of unconfirmed messages. */
  @State(Scope.Benchmark)
  public static class Raw {
    Connection connection;
    Channel channel;
    final Semaphore window = new Semaphore(WINDOW);
    final ConcurrentSkipListMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
    final AtomicLong nacks = new AtomicLong();
    final AtomicLong returns = new AtomicLong();

    @Setup(Level.Trial)
    public void open() throws Exception {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(RABBITMQ);
      connection = factory.newConnection("bench-raw");
      channel = connection.createChannel();
      channel.confirmSelect();
      channel.addReturnListener(returned -> returns.incrementAndGet());
      channel.addConfirmListener(
          new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
              settle(tag, multiple);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
              nacks.incrementAndGet();
              settle(tag, multiple);
            }
          });
    }

    void settle(long tag, boolean multiple) {
      if (multiple) {
        ConcurrentNavigableMap<Long, Boolean> head = outstanding.headMap(tag, true);
        int count = head.size();
        head.clear();
        window.release(count);
      } else if (outstanding.remove(tag) != null) {
        window.release();
      }
    }

    @Setup(Level.Invocation)
    public void purge(Broker broker) throws Exception {
      broker.purge();
    }

    @TearDown(Level.Invocation)
    public void check(Broker broker) throws Exception {
      if (nacks.get() > 0 || returns.get() > 0) {
        throw new IllegalStateException(nacks.get() + " nacks, " + returns.get() + " returns");
      }
      broker.expectAll();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      connection.close();
    }
  }

  /** Clears the queue before each invocation of {@code adapterOnly}, and checks it after. */
  @State(Scope.Benchmark)
  public static class FromMemory {
    List<List<OutboxMessage>> batches;

    @Setup(Level.Invocation)
    public void prepare(Broker broker) throws Exception {
      broker.purge();
      batches = new ArrayList<>();
      for (int done = 0; done < MESSAGES; done += broker.batchSize) {
        List<OutboxMessage> batch = new ArrayList<>(broker.batchSize);
        for (int i = done; i < Math.min(MESSAGES, done + broker.batchSize); i++) {
          batch.add(new OutboxMessage(UUID.randomUUID(), broker.queue, null, broker.payload, Map.of()));
        }
        batches.add(batch);
      }
    }

    @TearDown(Level.Invocation)
    public void check(Broker broker) throws Exception {
      broker.expectAll();
    }
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int relay(Broker broker, Relay relay) throws Exception {
    AtomicInteger relayed = new AtomicInteger();
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < broker.relayWorkers; i++) {
      running.add(
          relay.workers.submit(
              () -> {
                while (relayed.get() < MESSAGES) {
                  relayed.addAndGet(relay.relay.relayOnce());
                }
                return null;
              }));
    }
    for (Future<?> worker : running) {
      worker.get();
    }
    return relayed.get();
  }

  /**
   * The relay as a service runs it: started with {@code relayWorkers} workers (each writing a batch's outcomes in
   * the transaction of its next claim), stopped once the broker confirmed every message; {@code close()} writes the
   * last outcomes.
   */
  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int relayStarted(Broker broker, Relay relay) throws Exception {
    CountDownLatch allConfirmed = new CountDownLatch(1);
    AtomicInteger confirmed = new AtomicInteger();
    MessagePublisher counting = messages -> broker.adapter.publisher().publish(messages).thenApply(outcomes -> {
      int ok = (int) outcomes.stream().filter(PublishOutcome::isConfirmed).count();
      if (confirmed.addAndGet(ok) >= MESSAGES) {
        allConfirmed.countDown();
      }
      return outcomes;
    });
    // Its own name: the relay of the other benchmark method is open on the same table, and meters are named by relay.
    OutboxRelay started = OutboxRelay.builder(relay.outbox, counting).name("started-relay").batchSize(broker.batchSize)
        .concurrency(broker.relayWorkers).build();
    started.start();
    allConfirmed.await();
    started.close();
    return confirmed.get();
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int adapterOnly(Broker broker, FromMemory messages) throws Exception {
    Semaphore inFlight = new Semaphore(WINDOW);
    List<CompletableFuture<List<PublishOutcome>>> stages = new ArrayList<>();
    for (List<OutboxMessage> batch : messages.batches) {
      // A batch larger than the window takes all of it (asking for more permits than exist would wait for ever).
      int permits = Math.min(batch.size(), WINDOW);
      inFlight.acquire(permits);
      CompletableFuture<List<PublishOutcome>> stage = broker.adapter.publisher().publish(batch).toCompletableFuture();
      stage.whenComplete((outcomes, failure) -> inFlight.release(permits));
      stages.add(stage);
    }
    int confirmed = 0;
    for (CompletableFuture<List<PublishOutcome>> stage : stages) {
      for (PublishOutcome outcome : stage.get()) {
        if (!outcome.isConfirmed()) {
          throw new IllegalStateException("not confirmed: " + outcome);
        }
        confirmed++;
      }
    }
    return confirmed;
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int rawAsyncConfirms(Broker broker, Raw raw) throws Exception {
    return publishRaw(broker, raw, false);
  }

  /**
   * The peer publishing as the adapter must: with {@code mandatory}, so that an unroutable message comes back
   * instead of being dropped. On a classic queue that costs the broker CPU per message (docs/rabbitmq.md).
   */
  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int rawMandatory(Broker broker, Raw raw) throws Exception {
    return publishRaw(broker, raw, true);
  }

  private static int publishRaw(Broker broker, Raw raw, boolean mandatory) throws Exception {
    for (int i = 0; i < MESSAGES; i++) {
      raw.window.acquire();
      raw.outstanding.put(raw.channel.getNextPublishSeqNo(), Boolean.TRUE);
      raw.channel.basicPublish("", broker.queue, mandatory, MessageProperties.PERSISTENT_BASIC, broker.payload);
    }
    raw.window.acquire(WINDOW);
    raw.window.release(WINDOW);
    return MESSAGES;
  }
}
