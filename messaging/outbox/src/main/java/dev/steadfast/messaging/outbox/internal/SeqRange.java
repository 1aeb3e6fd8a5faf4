package dev.steadfast.messaging.outbox.internal;

import java.util.BitSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Sequence numbers {@code first} to {@code last}, every one of them: what {@code seq BETWEEN first AND last} selects
 * in an outbox table, whose sequence numbers are unique.
 */
record SeqRange(long first, long last) {

  /**
   * The range that {@code seqs} fill exactly (each number of it, once), or null when they leave a hole, repeat a
   * number or are empty: then the range would select rows that are not in {@code seqs}, or fewer rows than there
   * are numbers.
   */
  static @Nullable SeqRange of(List<Long> seqs) {
    if (seqs.isEmpty()) {
      return null;
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long seq : seqs) {
      min = Math.min(min, seq);
      max = Math.max(max, seq);
    }
    // A span too wide for a long wraps to a negative difference, which no list's size matches.
    if (max - min != seqs.size() - 1L) {
      return null;
    }
    BitSet seen = new BitSet(seqs.size());
    for (long seq : seqs) {
      int offset = (int) (seq - min);
      if (seen.get(offset)) {
        return null;
      }
      seen.set(offset);
    }
    return new SeqRange(min, max);
  }
}
