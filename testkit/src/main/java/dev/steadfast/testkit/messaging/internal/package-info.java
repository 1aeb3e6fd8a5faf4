/**
 * The in-memory broker's engine. Not API: excluded from Javadoc and from compatibility checks.
 */
@NullMarked
package dev.steadfast.testkit.messaging.internal;

import org.jspecify.annotations.NullMarked;
