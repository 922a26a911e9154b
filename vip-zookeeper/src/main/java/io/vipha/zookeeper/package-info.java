/**
 * A {@link io.vipha.spi.Coordinator} that decides ownership through ZooKeeper: membership,
 * priority and eligibility as ephemeral znodes, and one fenced claim per VIP (per group in
 * Active/Passive) whose epoch travels with the backend call.
 */
@NullMarked
package io.vipha.zookeeper;

import org.jspecify.annotations.NullMarked;
