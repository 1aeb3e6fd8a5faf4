package dev.steadfast.messaging.outbox.internal;

/** A dialect whose database leases claimed rows in batches ({@link BatchLeases}); immutable and thread-safe. */
public interface BatchLeasing {

  /** The batch-lease statements for outbox table {@code table}. */
  BatchLeases batchLeases(String table);
}
