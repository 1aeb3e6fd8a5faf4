/**
 * The JWT engine. Not API: excluded from Javadoc and from compatibility checks.
 */
@NullMarked
package dev.steadfast.jwt.internal;

import org.jspecify.annotations.NullMarked;
