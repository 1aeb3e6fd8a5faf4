package dev.steadfast.testkit;

import dev.steadfast.core.spi.TimeSource;
import dev.steadfast.core.spi.VirtualTime;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands each test method a fresh {@link VirtualTime}: declare a parameter of type {@code VirtualTime} (or
 * {@code TimeSource}) and build the code under test with it. Every parameter of one test gets the same instance.
 *
 * <pre>{@code
 * @ExtendWith(VirtualTimeExtension.class)
 * class BackoffTest {
 *   @Test
 *   void waitsBetweenAttempts(VirtualTime time) { ... time.advance(Duration.ofSeconds(1)); ... }
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class VirtualTimeExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(VirtualTimeExtension.class);

  /** Created by JUnit through {@code @ExtendWith}. */
  public VirtualTimeExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == VirtualTime.class || type == TimeSource.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(VirtualTime.class, key -> new VirtualTime(), VirtualTime.class);
  }
}
