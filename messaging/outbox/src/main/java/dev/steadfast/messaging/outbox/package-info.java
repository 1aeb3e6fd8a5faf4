/**
 * A transactional outbox and idempotent inbox on JDBC, relayed at least once to a broker.
 */
@NullMarked
package dev.steadfast.messaging.outbox;

import org.jspecify.annotations.NullMarked;
