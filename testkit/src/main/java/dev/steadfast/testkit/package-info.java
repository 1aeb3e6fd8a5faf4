/**
 * JUnit 5 fixtures for real servers, fault injection and virtual time.
 */
@NullMarked
package dev.steadfast.testkit;

import org.jspecify.annotations.NullMarked;
