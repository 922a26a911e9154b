/**
 * Test support shared by every module's tests, published as vip-core's test jar: the gate for
 * tests that need root and network namespaces, and the command runner they set networks up with.
 */
@NullMarked
package io.vipha.testkit;

import org.jspecify.annotations.NullMarked;
