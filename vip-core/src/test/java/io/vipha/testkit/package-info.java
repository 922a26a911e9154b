/**
 * Test support shared by every module's tests, published as vip-core's test jar: the gate for
 * tests that need root and network namespaces, the command runner they set networks up with,
 * keepalived as a VRRP peer, and the per-thread allocation meter of the tests that check a path
 * allocates nothing.
 * vipha's own build uses it; it is not part of the vip-testkit module (JPMS module {@code
 * io.vipha.testkit}), which holds the simulator and the in-memory stand-ins for products' tests.
 */
@NullMarked
package io.vipha.testkit;

import org.jspecify.annotations.NullMarked;
