/**
 * The outbox engine. Not API: excluded from Javadoc and from compatibility checks.
 */
@NullMarked
package dev.steadfast.messaging.outbox.internal;

import org.jspecify.annotations.NullMarked;
