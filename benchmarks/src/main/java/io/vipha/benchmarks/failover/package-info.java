/**
 * The end-to-end failover harness: real node processes (vipd or keepalived) in network
 * namespaces behind a bridge, a client probing the VIP every 5 ms, the scenarios of issue 8
 * (crash, kill -9, graceful stop, preemption, link down, partition, IPv6 crash), and the soak
 * (vipd under allocation pressure). Entry point: {@link
 * io.vipha.benchmarks.failover.FailoverBench}, run by {@code benchmarks/failover-bench.sh}.
 */
@NullMarked
package io.vipha.benchmarks.failover;

import org.jspecify.annotations.NullMarked;
