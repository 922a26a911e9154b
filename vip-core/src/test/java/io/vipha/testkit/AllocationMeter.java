package io.vipha.testkit;

import java.lang.reflect.Method;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * The bytes the calling thread has allocated, from {@code
 * com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}, for tests that check that a
 * path allocates nothing.
 *
 * <p>The bean is reached by reflection: tests run inside modules that do not read {@code
 * java.management}, and reflection needs no readability.
 */
public final class AllocationMeter {
  private final Object bean;
  private final Method method;

  private AllocationMeter(Object bean, Method method) {
    this.bean = bean;
    this.method = method;
  }

  /** The meter, or null when this JVM has no per-thread allocation counter. */
  public static @Nullable AllocationMeter create() {
    try {
      Object bean = Class.forName("java.lang.management.ManagementFactory")
          .getMethod("getThreadMXBean").invoke(null);
      Method m = Class.forName("com.sun.management.ThreadMXBean")
          .getMethod("getCurrentThreadAllocatedBytes");
      if (bean == null || ((Long) m.invoke(bean)) < 0) {
        return null;
      }
      return new AllocationMeter(bean, m);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** The meter; skips the calling test when this JVM has no per-thread allocation counter. */
  public static AllocationMeter orSkip() {
    AllocationMeter m = create();
    Assumptions.assumeTrue(m != null, "com.sun.management.ThreadMXBean is not available");
    return Objects.requireNonNull(m);
  }

  /** The bytes this thread has allocated so far. */
  public long bytes() throws ReflectiveOperationException {
    return (Long) method.invoke(bean);
  }
}
