/**
 * The testkit's engine. Not API: excluded from Javadoc and from compatibility checks.
 */
@NullMarked
package dev.steadfast.testkit.internal;

import org.jspecify.annotations.NullMarked;
