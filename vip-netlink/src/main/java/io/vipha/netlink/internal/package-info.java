/**
 * The netlink backend's internals: the C library binding, netlink message encoding and parsing,
 * packet building, namespaces and the watch thread. Not exported.
 */
@NullMarked
package io.vipha.netlink.internal;

import org.jspecify.annotations.NullMarked;
