/**
 * The failover planner: a pure, deterministic function from a {@link io.vipha.VipGroup}, a
 * {@link io.vipha.plan.ClusterView} and the previous {@link io.vipha.plan.Plan} to the next plan.
 *
 * <p>Instants are {@code long} nanoseconds on the caller's monotonic clock; the planner never reads
 * a clock, performs no I/O and uses no randomness.
 */
@NullMarked
package io.vipha.plan;

import org.jspecify.annotations.NullMarked;
