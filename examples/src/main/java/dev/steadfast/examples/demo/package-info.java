/** The demo that README.md tells you to run. */
@NullMarked
package dev.steadfast.examples.demo;

import org.jspecify.annotations.NullMarked;
