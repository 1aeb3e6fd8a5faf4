/**
 * What extenders implement to plug into the core: the source of time and scheduling ({@link
 * dev.steadfast.core.spi.TimeSource}), with the system's implementation and a virtual one ({@link
 * dev.steadfast.core.spi.VirtualTime}) that lets a test drive every policy deterministically.
 */
@NullMarked
package dev.steadfast.core.spi;

import org.jspecify.annotations.NullMarked;
