/** Runnable examples of vipha. */
module io.vipha.examples {
  requires io.vipha.core;
  requires io.vipha.testkit;
}
