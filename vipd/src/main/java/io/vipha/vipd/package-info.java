/**
 * vipd, the vipha node daemon: {@link io.vipha.vipd.Vipd} runs one node of one group of a JSON
 * configuration with heartbeats over UDP and the Linux netlink backend.
 */
@NullMarked
package io.vipha.vipd;

import org.jspecify.annotations.NullMarked;
