/** Runnable examples of Steadfast. */
@NullMarked
package dev.steadfast.examples;

import org.jspecify.annotations.NullMarked;
