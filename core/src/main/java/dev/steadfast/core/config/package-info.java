/**
 * Pipelines from configuration: {@link dev.steadfast.core.config.PipelineProperties} reads {@code
 * steadfast.pipeline.<name>.<setting>} and {@code steadfast.budget.<name>.<setting>} from a {@code Map}, {@link
 * java.util.Properties} or environment variables, rejecting unknown keys and bad values with the key's name; {@link
 * dev.steadfast.core.config.PipelineRegistry} builds the named pipelines from it and reloads them at run time
 * without losing circuit-breaker state.
 *
 * <p>The pipelines are built through the public builders of {@code dev.steadfast.core}, so everything they check
 * applies to configured pipelines too. The key reference is {@code docs/configuration.md}.
 */
@NullMarked
package dev.steadfast.core.config;

import org.jspecify.annotations.NullMarked;
