package dev.steadfast.testkit.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Thread-safe holder of what a fixture created for the test class it currently serves (a database, clients).
 *
 * <p>JUnit calls {@code beforeAll} of an extension registered on a static field again for each {@code @Nested}
 * class: those share the resource of the outermost class, which is closed when that class ends. One extension
 * instance cannot serve two unrelated classes at once (a shared static field with classes run in parallel): that
 * fails with a message instead of mixing their databases up.
 *
 * @param <T> what is created per class
 */
public final class ClassScope<T extends AutoCloseable> {

  private final String fixture;
  private final ReentrantLock lock = new ReentrantLock();

  @GuardedBy("lock")
  private @Nullable Class<?> owner;

  @GuardedBy("lock")
  private int depth;

  private volatile @Nullable T current;

  /** @param fixture the extension's name for messages, such as {@code PostgresExtension} */
  public ClassScope(String fixture) {
    this.fixture = fixture;
  }

  /** Creates the resource for {@code testClass}, or joins the one of the class it is nested in. */
  public void enter(Class<?> testClass, Supplier<T> factory) {
    lock.lock();
    try {
      Class<?> serving = owner;
      if (serving == null) {
        current = factory.get();
        owner = testClass;
        depth = 1;
      } else if (isNestedIn(testClass, serving)) {
        depth++;
      } else {
        throw new IllegalStateException(
            fixture
                + " already serves "
                + serving.getName()
                + " and cannot serve "
                + testClass.getName()
                + " at the same time: give each test class its own static instance");
      }
    } finally {
      lock.unlock();
    }
  }

  /** Leaves a class; the outermost one closes the resource. */
  public void exit() throws Exception {
    T closing = null;
    lock.lock();
    try {
      if (owner == null) {
        return;
      }
      depth--;
      if (depth == 0) {
        closing = current;
        current = null;
        owner = null;
      }
    } finally {
      lock.unlock();
    }
    if (closing != null) {
      closing.close();
    }
  }

  /**
   * The current class's resource.
   *
   * @throws IllegalStateException when no class is being served, which usually means the extension is not on a
   *     static field
   */
  public T get() {
    T value = current;
    if (value == null) {
      throw new IllegalStateException(
          fixture
              + " is not active: register it with @RegisterExtension on a static field and use it from the tests"
              + " (or @BeforeAll/@AfterAll methods) of that class");
    }
    return value;
  }

  private static boolean isNestedIn(Class<?> testClass, Class<?> outer) {
    for (Class<?> c = testClass.getEnclosingClass(); c != null; c = c.getEnclosingClass()) {
      if (c == outer) {
        return true;
      }
    }
    return false;
  }
}
