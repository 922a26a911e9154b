/**
 * Micrometer metrics of a vipha agent: {@link io.vipha.micrometer.VipAgentMetrics}, a {@code
 * MeterBinder} over the counters the agent and its heartbeat coordinator keep.
 */
@NullMarked
package io.vipha.micrometer;

import org.jspecify.annotations.NullMarked;
