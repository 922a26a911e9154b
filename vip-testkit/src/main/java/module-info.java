/**
 * vipha testkit: deterministic stand-ins for tests and demos of code that embeds vipha. The
 * simulator and its explorer ({@code io.vipha.sim}), and the virtual-time scheduler, in-memory
 * backend and in-memory network ({@code io.vipha.testing}). Products depend on it in test scope;
 * nothing in {@code io.vipha.core} depends on it.
 *
 * <p>Not to be confused with the package {@code io.vipha.testkit} of vip-core's test jar (the
 * privileged-test gate of vipha's own build), which is no part of this module.
 */
module io.vipha.testkit {
  requires transitive io.vipha.core;
  requires static org.jspecify;

  exports io.vipha.sim;
  exports io.vipha.testing;
}
