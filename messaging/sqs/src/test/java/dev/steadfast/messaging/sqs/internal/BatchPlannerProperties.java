package dev.steadfast.messaging.sqs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steadfast.messaging.outbox.OutboxMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BatchPlannerProperties {

  private static final Pattern ENTRY_ID = Pattern.compile("[A-Za-z0-9_-]{1,80}");

  @Property(tries = 300)
  void batchesKeepOrderHoldAtMostTenAndStayWithinTheByteLimit(
      @ForAll @Size(max = 60) List<@IntRange(min = 1, max = 1000) Integer> sizes,
      @ForAll @IntRange(min = 1000, max = 4000) int limit) {
    List<EncodedMessage> entries = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      entries.add(entry(i, sizes.get(i)));
    }

    List<List<EncodedMessage>> batches = BatchPlanner.split(entries, limit);

    assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(entries);
    for (int b = 0; b < batches.size(); b++) {
      List<EncodedMessage> batch = batches.get(b);
      assertThat(batch).isNotEmpty().hasSizeLessThanOrEqualTo(BatchPlanner.MAX_ENTRIES);
      int bytes = batch.stream().mapToInt(EncodedMessage::sizeBytes).sum();
      assertThat(bytes).isLessThanOrEqualTo(limit);
      if (b + 1 < batches.size() && batch.size() < BatchPlanner.MAX_ENTRIES) {
        // Greedy: a batch ends early only because the next entry would not fit.
        assertThat(bytes + batches.get(b + 1).get(0).sizeBytes()).isGreaterThan(limit);
      }
    }
  }

  @Property(tries = 20)
  void entryIdsAreValidAndDistinctWithinABatch(@ForAll @IntRange(min = 1, max = 10) int batchSize) {
    List<String> ids = new ArrayList<>();
    for (int position = 0; position < batchSize; position++) {
      ids.add(BatchPlanner.entryId(position));
    }
    assertThat(ids).doesNotHaveDuplicates().allMatch(id -> ENTRY_ID.matcher(id).matches());
  }

  private static EncodedMessage entry(int index, int size) {
    OutboxMessage message = new OutboxMessage(UUID.randomUUID(), "q", null, new byte[] {1}, Map.of());
    return new EncodedMessage(index, message, "x", Map.of(), null, null, size);
  }
}
