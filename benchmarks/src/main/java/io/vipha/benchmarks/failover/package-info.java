/**
 * The end-to-end failover harness: real node processes (vipha or keepalived) in network
 * namespaces behind a bridge, a client probing the VIP every 5 ms, and the scenarios of issue 8
 * (crash, kill -9, graceful stop, preemption, link down, partition, IPv6 crash). Entry point:
 * {@link io.vipha.benchmarks.failover.FailoverBench}, run by {@code benchmarks/failover-bench.sh}.
 */
@NullMarked
package io.vipha.benchmarks.failover;

import org.jspecify.annotations.NullMarked;
