/**
 * The node runtime: {@link io.vipha.agent.VipAgent} observes peers and health, runs the planner
 * and drives an {@link io.vipha.spi.AddressBackend}; {@link io.vipha.agent.HeartbeatCoordinator}
 * exchanges authenticated heartbeats with the peers.
 */
@NullMarked
package io.vipha.agent;

import org.jspecify.annotations.NullMarked;
