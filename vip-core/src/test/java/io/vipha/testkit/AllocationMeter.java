package io.vipha.testkit;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * The bytes the calling thread has allocated, from {@code
 * com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}, for tests that check that a
 * path allocates nothing, and of any other thread; and the "clean windows in a row" rule of
 * such tests.
 *
 * <p>The bean is reached by reflection: tests run inside modules that do not read {@code
 * java.management}, and reflection needs no readability.
 */
public final class AllocationMeter {
  private final Object bean;
  private final Method method;
  private final Method ofThread;

  private AllocationMeter(Object bean, Method method, Method ofThread) {
    this.bean = bean;
    this.method = method;
    this.ofThread = ofThread;
  }

  /** The meter, or null when this JVM has no per-thread allocation counter. */
  public static @Nullable AllocationMeter create() {
    try {
      Object bean = Class.forName("java.lang.management.ManagementFactory")
          .getMethod("getThreadMXBean").invoke(null);
      Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
      Method m = type.getMethod("getCurrentThreadAllocatedBytes");
      if (bean == null || ((Long) m.invoke(bean)) < 0) {
        return null;
      }
      return new AllocationMeter(bean, m, type.getMethod("getThreadAllocatedBytes", long.class));
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

  /** The bytes {@code thread} has allocated so far (-1 once it has ended). */
  public long bytes(Thread thread) throws ReflectiveOperationException {
    return (Long) ofThread.invoke(bean, thread.getId());
  }

  /** One measured window: the bytes it allocated. */
  public interface Window {
    long run() throws Exception;
  }

  /**
   * Runs windows until {@code clean} in a row allocated nothing, or {@code max} ran; the bytes
   * of each window run (so that the last {@code clean} are 0 when the path allocates nothing).
   * A one-off (a table grown at its first use, a method the JIT recompiles) spoils a window; a
   * steady allocation, however small, spoils every one.
   */
  public static long[] untilClean(Window window, int clean, int max) throws Exception {
    long[] bytes = new long[max];
    int run = 0;
    int w = 0;
    while (w < max && run < clean) {
      bytes[w] = window.run();
      run = bytes[w] == 0 ? run + 1 : 0;
      w++;
    }
    return Arrays.copyOf(bytes, w);
  }

  /** Whether the last {@code clean} of {@code windows} allocated nothing. */
  public static boolean clean(long[] windows, int clean) {
    if (windows.length < clean) {
      return false;
    }
    for (int i = windows.length - clean; i < windows.length; i++) {
      if (windows[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
