/**
 * jqwik arbitraries for Steadfast configurations and messages: {@link
 * dev.steadfast.testkit.arbitraries.SteadfastArbitraries}. Needs {@code net.jqwik:jqwik-api} on the class path;
 * the testkit declares it optional.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.steadfast.testkit.arbitraries;

import org.jspecify.annotations.NullMarked;
