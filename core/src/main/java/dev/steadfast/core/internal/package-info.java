/**
 * The engine behind the core's API. Not API: excluded from Javadoc and from compatibility checks; may change in any release.
 */
@NullMarked
package dev.steadfast.core.internal;

import org.jspecify.annotations.NullMarked;
