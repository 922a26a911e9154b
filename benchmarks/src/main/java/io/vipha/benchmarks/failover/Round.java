package io.vipha.benchmarks.failover;

import org.jspecify.annotations.Nullable;

/**
 * What one round measured.
 *
 * @param impl the launcher's name
 * @param intervalMs heartbeat / advert interval
 * @param scenario the scenario
 * @param delayMs how long the event waited, beyond the fixed 200 ms, for its phase
 * @param outageMs the longest run of unanswered probes from the event to the end of the round
 *     (for {@link Scenario#PARTITION}: until the heal)
 * @param dualMs how long two or more nodes held the probed VIP at once from the event to the end
 *     of the round (for {@link Scenario#PARTITION}: during the partition)
 * @param leftMs {@link Scenario#KILL9}: when the VIP left the killed process's host after the
 *     kill, -1 if it stayed until the end of the round; otherwise -1
 * @param healMs {@link Scenario#PARTITION}: the longest run of unanswered probes after the heal;
 *     otherwise -1
 * @param owner the node that answered at the end
 * @param stalls what the nodes' logs said from the event to the end of the round, for vipd: per node that logged any,
 *     its event loop stalls (count and longest) and the peers it declared dead; empty otherwise
 * @param error why the round could not be measured, or null
 */
record Round(String impl, int intervalMs, Scenario scenario, double delayMs, double outageMs,
    double dualMs, double leftMs, double healMs, @Nullable String owner, String stalls,
    @Nullable String error) {}
