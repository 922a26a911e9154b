/**
 * Deterministic stand-ins for tests and demos: a virtual-time {@link
 * io.vipha.testing.VirtualScheduler}, an {@link io.vipha.testing.InMemoryBackend} per host and an
 * {@link io.vipha.testing.InMemoryNetwork} of datagram transports. Many agents can share one
 * scheduler and run in one thread, reproducibly.
 */
@NullMarked
package io.vipha.testing;

import org.jspecify.annotations.NullMarked;
