package dev.steadfast.messaging.outbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.steadfast.core.Backoff;
import dev.steadfast.messaging.outbox.Inbox;
import dev.steadfast.messaging.outbox.Outbox;
import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.outbox.OutboxRelay;
import dev.steadfast.messaging.outbox.ParkedMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the outbox, relay and inbox promise, on one database; a subclass per database supplies a pooled data
 * source. Each test gets tables of its own.
 */
abstract class OutboxContract {

  private static final AtomicInteger TABLES = new AtomicInteger();

  final MutableClock clock = new MutableClock();
  final RecordingPublisher publisher = new RecordingPublisher();
  final List<OutboxRelay> relays = new ArrayList<>();
  final String table = "outbox_" + getClass().getSimpleName().toLowerCase() + "_" + TABLES.incrementAndGet();

  /** A pooled data source on a fresh database, shared by the class. */
  abstract DataSource dataSource();

  @AfterEach
  void closeRelays() {
    relays.forEach(OutboxRelay::close);
  }

  Outbox outbox() throws SQLException {
    return outbox(dataSource());
  }

  Outbox outbox(DataSource dataSource) throws SQLException {
    Outbox outbox = Outbox.builder(dataSource).table(table).clock(clock).build();
    outbox.createSchemaIfMissing();
    return outbox;
  }

  OutboxRelay.Builder relay(Outbox outbox) {
    return OutboxRelay.builder(outbox, publisher)
        .backoff(Backoff.fixed(Duration.ofSeconds(1)))
        .lease(Duration.ofSeconds(60))
        .publishTimeout(Duration.ofSeconds(10));
  }

  OutboxRelay started(OutboxRelay relay) {
    relays.add(relay);
    relay.start();
    return relay;
  }

  void enqueueCommitted(Outbox outbox, List<OutboxMessage> messages) throws SQLException {
    try (Connection connection = dataSource().getConnection()) {
      connection.setAutoCommit(false);
      outbox.enqueue(connection, messages);
      connection.commit();
    }
  }

  static OutboxMessage message(String key, int number) {
    return OutboxMessage.builder("orders").key(key).payload("message " + number).header("n", Integer.toString(number))
        .build();
  }

  static List<OutboxMessage> messages(int count, int keys) {
    List<OutboxMessage> messages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      messages.add(message("key-" + (i % keys), i));
    }
    return messages;
  }

  /** How many outbox rows are leased right now; per-row leases by default, overridden for batch leases. */
  int leasedRows() throws SQLException {
    return rows("lease_token IS NOT NULL");
  }

  int rows(String where) throws SQLException {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE " + where)) {
      result.next();
      return result.getInt(1);
    }
  }

  static void assertPerKeyOrder(List<OutboxMessage> enqueued, List<OutboxMessage> published) {
    Map<String, List<UUID>> expected = new HashMap<>();
    for (OutboxMessage message : enqueued) {
      expected.computeIfAbsent(String.valueOf(message.key()), k -> new ArrayList<>()).add(message.id());
    }
    Map<String, List<UUID>> actual = new HashMap<>();
    for (OutboxMessage message : published) {
      actual.computeIfAbsent(String.valueOf(message.key()), k -> new ArrayList<>()).add(message.id());
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void aRolledBackTransactionNeverSendsItsMessages() throws Exception {
    Outbox outbox = outbox();
    OutboxMessage rolledBack = message("k", 1);
    OutboxMessage committed = message("k", 2);
    try (Connection connection = dataSource().getConnection()) {
      connection.setAutoCommit(false);
      outbox.enqueue(connection, rolledBack);
      connection.rollback();
      outbox.enqueue(connection, committed);
      connection.commit();
    }
    OutboxRelay relay = relay(outbox).build();
    while (relay.relayOnce() > 0) {
      // drain
    }
    assertThat(publisher.confirmedIds()).containsExactly(committed.id());
    assertThat(rows("1 = 1")).isZero();
  }

  @Test
  void aStartedRelayPublishesCommittedMessagesWithTheirContentUnchanged() throws Exception {
    Outbox outbox = outbox();
    OutboxMessage message = OutboxMessage.builder("payments").key("customer-7").payload(new byte[] {0, -1, 42})
        .header("content-type", "application/octet-stream").header("ünïcode", "värde").build();
    started(relay(outbox).pollInterval(Duration.ofMillis(50)).build());
    enqueueCommitted(outbox, List.of(message));
    await().atMost(Duration.ofSeconds(10)).until(() -> publisher.confirmed.size() == 1);
    assertThat(publisher.confirmed.get(0)).isEqualTo(message);
    await().atMost(Duration.ofSeconds(10)).until(() -> rows("1 = 1") == 0);
  }

  @Test
  void aFailingMessageHoldsBackOnlyItsOwnKeyAndParksAfterItsAttempts() throws Exception {
    Outbox outbox = outbox();
    OutboxMessage poison = message("blocked", 0);
    OutboxMessage behindPoison = message("blocked", 1);
    List<OutboxMessage> others = List.of(message("free", 2), message("free", 3), message(null, 4));
    List<OutboxMessage> all = new ArrayList<>(List.of(poison, behindPoison));
    all.addAll(others);
    enqueueCommitted(outbox, all);
    publisher.alwaysFail.add(poison.id());
    OutboxRelay relay = relay(outbox).maxAttempts(3).build();

    for (int attempt = 1; attempt <= 3; attempt++) {
      while (relay.relayOnce() > 0) {
        // drain what is ready now
      }
      if (attempt == 1) {
        assertThat(publisher.confirmedIds())
            .containsExactlyInAnyOrderElementsOf(others.stream().map(OutboxMessage::id).toList());
        assertPerKeyOrder(others, publisher.confirmed);
      }
      if (attempt < 3) {
        assertThat(publisher.confirmedIds()).doesNotContain(behindPoison.id());
      }
      clock.advance(Duration.ofSeconds(2)); // past the backoff
    }

    List<ParkedMessage> parked = outbox.parked(10);
    assertThat(parked).singleElement().satisfies(p -> {
      assertThat(p.id()).isEqualTo(poison.id());
      assertThat(p.attempts()).isEqualTo(3);
      assertThat(p.lastError()).contains("broker nacked");
    });
    // The third attempt parked it, and the same drain went on with the rest of its key.
    assertThat(publisher.confirmedIds()).contains(behindPoison.id());

    publisher.alwaysFail.clear();
    assertThat(outbox.replay(poison.id())).isTrue();
    while (relay.relayOnce() > 0) {
      // replayed
    }
    assertThat(publisher.confirmedIds()).contains(poison.id());
    assertThat(outbox.parked(10)).isEmpty();
  }

  @Test
  void aBatchCarriesAtMostOneMessageOfAKeyAndTheNextWaitsForItsSettlement() throws Exception {
    // Six messages of one key among keyless ones fit one batch of ten; yet a key has one message in flight at a
    // time, so they go out one batch after another, in order.
    Outbox outbox = outbox();
    List<OutboxMessage> enqueued = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      enqueued.add(message(i % 4 == 3 ? null : "k", i));
    }
    enqueueCommitted(outbox, enqueued);
    List<List<OutboxMessage>> batches = new CopyOnWriteArrayList<>();
    OutboxRelay relay = OutboxRelay.builder(outbox, messages -> {
      batches.add(List.copyOf(messages));
      return publisher.publish(messages);
    }).batchSize(10).build();
    while (relay.relayOnce() > 0) {
      // drain
    }
    assertThat(batches).hasSize(6).allSatisfy(batch ->
        assertThat(batch).filteredOn(m -> m.key() != null).hasSize(1));
    assertThat(batches.get(0)).hasSize(3); // the first of the key and both keyless messages
    assertPerKeyOrder(enqueued, publisher.confirmed);
  }

  @Test
  void aSettlementDeletesTheConfirmedRowsOfItsBatchAndNoOthers() throws Exception {
    // A batch confirmed whole is a run of sequence numbers, deleted as one range; a failure in a batch leaves a
    // hole in it, and the other rows are deleted by their numbers. Either way, rows after the batch stay.
    Outbox outbox = outbox();
    List<OutboxMessage> enqueued = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      enqueued.add(message(null, i));
    }
    enqueueCommitted(outbox, enqueued);
    publisher.alwaysFail.add(enqueued.get(13).id());
    OutboxRelay relay = relay(outbox).batchSize(10).build();

    assertThat(relay.relayOnce()).isEqualTo(10);
    assertThat(rows("1 = 1")).isEqualTo(15);
    assertThat(rows("attempts = 0")).isEqualTo(15);

    assertThat(relay.relayOnce()).isEqualTo(10);
    assertThat(rows("1 = 1")).as("the failed row and the five after the batch").isEqualTo(6);
    assertThat(rows("attempts = 0")).as("the five after the batch").isEqualTo(5);
    assertThat(publisher.confirmedIds()).containsExactlyInAnyOrderElementsOf(
        enqueued.subList(0, 20).stream().map(OutboxMessage::id).filter(id -> !id.equals(enqueued.get(13).id()))
            .toList());
  }

  @Test
  void aPermanentFailureParksAtOnceAndCanBeDiscarded() throws Exception {
    Outbox outbox = outbox();
    OutboxMessage refused = message("k", 1);
    enqueueCommitted(outbox, List.of(refused));
    publisher.refuseForGood.add(refused.id());
    OutboxRelay relay = relay(outbox).maxAttempts(10).build();
    relay.relayOnce();
    assertThat(outbox.parked(10)).extracting(ParkedMessage::id).containsExactly(refused.id());
    assertThat(outbox.discard(refused.id())).isTrue();
    assertThat(outbox.discard(refused.id())).isFalse();
    assertThat(rows("1 = 1")).isZero();
  }

  @Test
  void aCrashAfterPublishBeforeMarkLosesNothingAndTheInboxDropsTheDuplicates() throws Exception {
    KillableDataSource relayDatabase = new KillableDataSource(dataSource());
    Outbox outbox = outbox();
    List<OutboxMessage> sent = messages(30, 3);
    enqueueCommitted(outbox, sent);
    // The relay's process dies between the broker's confirms and its settlement: the publisher confirms, and
    // the connection for the settlement is refused.
    Outbox crashing = outbox(relayDatabase);
    OutboxRelay doomed = OutboxRelay.builder(crashing, messages -> {
          var stage = publisher.publish(messages);
          relayDatabase.kill();
          return stage;
        }).lease(Duration.ofSeconds(60)).publishTimeout(Duration.ofSeconds(10)).build();
    assertThatThrownBy(doomed::relayOnce).isInstanceOf(SQLException.class).hasMessageContaining("simulated crash");
    int published = publisher.confirmed.size();
    assertThat(published).isPositive();
    assertThat(rows("status = 0")).isEqualTo(30);

    // Another relay takes over once the lease has expired, and publishes everything again.
    OutboxRelay successor = relay(outbox).build();
    assertThat(successor.relayOnce()).isZero(); // still leased
    clock.advance(Duration.ofSeconds(61));
    while (successor.relayOnce() > 0) {
      // drain
    }
    assertThat(rows("1 = 1")).isZero();
    assertThat(publisher.confirmed).hasSize(30 + published);

    // The consumer's inbox makes each message's effect happen once.
    Inbox inbox = Inbox.builder(dataSource()).table("inbox_" + table).clock(clock).build();
    inbox.createSchemaIfMissing();
    Map<UUID, Integer> effects = new LinkedHashMap<>();
    for (OutboxMessage delivery : publisher.confirmed) {
      try (Connection connection = dataSource().getConnection()) {
        connection.setAutoCommit(false);
        inbox.process(connection, "billing", delivery.id(), () -> effects.merge(delivery.id(), 1, Integer::sum));
        connection.commit();
      }
    }
    assertThat(effects).hasSize(30).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
  }

  @Test
  void aCrashAfterTheClaimBeforeAnyPublishLosesNothing() throws Exception {
    KillableDataSource relayDatabase = new KillableDataSource(dataSource());
    Outbox outbox = outbox();
    List<OutboxMessage> sent = messages(10, 10);
    enqueueCommitted(outbox, sent);
    OutboxRelay doomed = OutboxRelay.builder(outbox(relayDatabase), messages -> {
          relayDatabase.kill(); // the process dies before the broker hears of the batch
          throw new IllegalStateException("simulated crash before publish");
        }).lease(Duration.ofSeconds(60)).publishTimeout(Duration.ofSeconds(10)).build();
    assertThatThrownBy(doomed::relayOnce).isInstanceOf(SQLException.class);
    assertThat(publisher.confirmed).isEmpty();
    assertThat(leasedRows()).isEqualTo(10);

    clock.advance(Duration.ofSeconds(61));
    OutboxRelay successor = relay(outbox).build();
    while (successor.relayOnce() > 0) {
      // drain
    }
    assertThat(publisher.confirmed).hasSize(10);
    assertPerKeyOrder(sent, publisher.confirmed);
  }

  @Test
  void aCrashInTheMiddleOfABatchLosesNothingAndDuplicatesOnlyWhatTheBrokerHad() throws Exception {
    KillableDataSource relayDatabase = new KillableDataSource(dataSource());
    Outbox outbox = outbox();
    List<OutboxMessage> sent = messages(20, 20);
    enqueueCommitted(outbox, sent);
    OutboxRelay doomed = OutboxRelay.builder(outbox(relayDatabase), messages -> {
          publisher.publish(messages.subList(0, messages.size() / 2)); // half reached the broker
          relayDatabase.kill();
          throw new IllegalStateException("simulated crash in the middle of a batch");
        }).lease(Duration.ofSeconds(60)).publishTimeout(Duration.ofSeconds(10)).build();
    assertThatThrownBy(doomed::relayOnce).isInstanceOf(SQLException.class);
    assertThat(publisher.confirmed).hasSize(10);

    clock.advance(Duration.ofSeconds(61));
    OutboxRelay successor = relay(outbox).build();
    while (successor.relayOnce() > 0) {
      // drain
    }
    assertThat(publisher.confirmedIds()).hasSize(30)
        .containsAll(sent.stream().map(OutboxMessage::id).toList());
    assertThat(new java.util.HashSet<>(publisher.confirmedIds())).hasSize(20);
  }

  @Test
  void theInboxRecordsNothingWhenTheTransactionRollsBack() throws Exception {
    Inbox inbox = Inbox.builder(dataSource()).table("inbox_" + table).clock(clock).build();
    inbox.createSchemaIfMissing();
    UUID id = UUID.randomUUID();
    try (Connection connection = dataSource().getConnection()) {
      connection.setAutoCommit(false);
      assertThatThrownBy(() -> inbox.process(connection, "billing", id, () -> {
            throw new IllegalStateException("handler failed");
          })).hasMessage("handler failed");
      connection.rollback();
      AtomicInteger runs = new AtomicInteger();
      assertThat(inbox.process(connection, "billing", id, runs::incrementAndGet)).isTrue();
      assertThat(inbox.process(connection, "billing", id, runs::incrementAndGet)).isFalse();
      assertThat(inbox.process(connection, "shipping", id, runs::incrementAndGet)).isTrue();
      connection.commit();
      assertThat(runs).hasValue(2);
    }
  }

  @Test
  void twoRelaysShareOneTableWithoutDoubleClaimsAndKeepPerKeyOrder() throws Exception {
    Outbox outbox = outbox();
    int count = messagesForTwoRelays();
    List<OutboxMessage> enqueued = messages(count, 500);
    for (int from = 0; from < count; from += 1000) {
      enqueueCommitted(outbox, enqueued.subList(from, Math.min(count, from + 1000)));
    }
    started(relay(outbox).name("relay-a").concurrency(2).build());
    started(relay(outbox(dataSource())).name("relay-b").concurrency(2).build());
    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(publisher.confirmed.size()).as("confirmed so far; %s rows left", rows("1 = 1"))
            .isGreaterThanOrEqualTo(count));
    assertThat(publisher.confirmed).hasSize(count).doesNotHaveDuplicates();
    assertPerKeyOrder(enqueued, publisher.confirmed);
    await().atMost(Duration.ofSeconds(10)).until(() -> rows("1 = 1") == 0);
  }

  @Test
  void aRelayWakesRightAfterACommitWithoutWaitingForItsPoll() throws Exception {
    Outbox outbox = outbox();
    // A poll interval far beyond the wait below: only the wake-up (NOTIFY on PostgreSQL, the in-process signal
    // elsewhere) can deliver in time.
    started(relay(outbox).pollInterval(Duration.ofMinutes(10)).build());
    await().pollDelay(Duration.ofMillis(300)).until(() -> true); // the relay is idle, waiting
    OutboxMessage message = message("k", 1);
    enqueueCommitted(outbox, List.of(message));
    await().atMost(Duration.ofSeconds(5)).until(() -> publisher.confirmedIds().contains(message.id()));
  }

  @Test
  void closeGivesBackClaimsItCannotFinishSoAnotherRelayTakesThemAtOnce() throws Exception {
    Outbox outbox = outbox();
    List<OutboxMessage> sent = messages(5, 5);
    enqueueCommitted(outbox, sent);
    java.util.concurrent.CompletableFuture<List<dev.steadfast.messaging.outbox.spi.PublishOutcome>> never =
        new java.util.concurrent.CompletableFuture<>();
    OutboxRelay stuck = OutboxRelay.builder(outbox, messages -> never).pollInterval(Duration.ofMillis(20))
        .shutdownTimeout(Duration.ofMillis(200)).build();
    stuck.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> leasedRows() == 5);
    stuck.close();
    assertThat(leasedRows()).isZero();
    assertThat(rows("attempts = 0")).isEqualTo(5);
    OutboxRelay successor = relay(outbox).build();
    while (successor.relayOnce() > 0) {
      // no lease to wait for: the rows were given back
    }
    assertThat(publisher.confirmedIds()).containsExactlyInAnyOrderElementsOf(sent.stream().map(OutboxMessage::id).toList());
  }

  @Test
  void withARetentionSentRowsStayUntilCleanupDeletesThemInBatches() throws Exception {
    Outbox outbox = Outbox.builder(dataSource()).table(table).clock(clock).retention(Duration.ofHours(1)).build();
    outbox.createSchemaIfMissing();
    enqueueCommitted(outbox, messages(25, 25));
    OutboxRelay relay = relay(outbox).cleanupBatchSize(10).build();
    while (relay.relayOnce() > 0) {
      // send
    }
    assertThat(rows("status = 1")).isEqualTo(25);
    assertThat(relay.deleteExpiredSent()).isZero();
    clock.advance(Duration.ofHours(1).plusSeconds(1));
    assertThat(relay.deleteExpiredSent()).isEqualTo(25);
    assertThat(rows("1 = 1")).isZero();
  }

  @Test
  void metersCountWhatHappenedAndTheTraceparentTravels() throws Exception {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    String trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    Outbox outbox = Outbox.builder(dataSource()).table(table).clock(clock).meterRegistry(meters)
        .traceparent(() -> trace).build();
    outbox.createSchemaIfMissing();
    OutboxMessage ok = message("a", 1);
    OutboxMessage refused = message("b", 2);
    enqueueCommitted(outbox, List.of(ok, refused));
    publisher.refuseForGood.add(refused.id());
    OutboxRelay relay = relay(outbox).build();
    relay.relayOnce();
    assertThat(meters.get("steadfast.outbox.enqueued").counter().count()).isEqualTo(2);
    assertThat(meters.get("steadfast.outbox.published").counter().count()).isEqualTo(1);
    assertThat(meters.get("steadfast.outbox.failed").tag("reason", "permanent").counter().count()).isEqualTo(1);
    assertThat(meters.get("steadfast.outbox.parked").counter().count()).isEqualTo(1);
    assertThat(meters.get("steadfast.outbox.relay.batch").timer().count()).isEqualTo(1);
    assertThat(publisher.confirmed.get(0).headers()).containsEntry("traceparent", trace);
  }

  @Test
  void aRelayBuiltAfterAnotherOneClosedReportsTheOldestUnsentAgeItself() throws Exception {
    // Regression: the registry kept the closed relay's age gauge, frozen at its last value, and ignored the gauge
    // of the relay built after it under the same name and table.
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    Outbox outbox = Outbox.builder(dataSource()).table(table).clock(clock).meterRegistry(meters).build();
    outbox.createSchemaIfMissing();
    OutboxRelay first = relay(outbox).build();
    var firstGauge = meters.get("steadfast.outbox.oldest.unsent.age").timeGauge();
    started(first).close();
    assertThat(meters.find("steadfast.outbox.oldest.unsent.age").timeGauge()).isNull();
    relays.add(relay(outbox).build());
    assertThat(meters.get("steadfast.outbox.oldest.unsent.age").timeGauge()).isNotSameAs(firstGauge);
  }

  /** How many messages the two-relay test moves; the real servers take the 100k. */
  int messagesForTwoRelays() {
    return 100_000;
  }

  @Test
  void aTableNameThatIsNotAnIdentifierIsRefusedByName() {
    assertThatThrownBy(() -> Outbox.builder(dataSource()).table("outbox; DROP TABLE users"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table")
        .hasMessageContaining("'outbox; DROP TABLE users'");
  }

  static int count(DataSource dataSource, String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet result = statement.executeQuery()) {
      result.next();
      return result.getInt(1);
    }
  }
}
