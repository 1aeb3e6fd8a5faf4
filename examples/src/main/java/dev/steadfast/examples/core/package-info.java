/** The code shown in docs/core.md and README.md, compiled and checked against the docs by DocsSnippetsTest. */
@NullMarked
package dev.steadfast.examples.core;

import org.jspecify.annotations.NullMarked;
