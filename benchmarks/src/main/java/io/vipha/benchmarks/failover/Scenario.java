package io.vipha.benchmarks.failover;

/** The failure (or planned change) a round applies to the owner, n1; or the reloads. */
enum Scenario {
  /**
   * The owner's switch port stops forwarding (its carrier stays up), then its node process is
   * frozen (SIGSTOP); killed after the round.
   */
  CRASH("host crash"),
  /** The node process is killed with SIGKILL; the host stays up. */
  KILL9("kill -9, host up"),
  /** The node process gets SIGTERM. */
  GRACEFUL("graceful stop"),
  /** n2 owns (n1 not started); then n1, with the higher priority, starts. */
  PREEMPT("preemption"),
  /** The owner's own {@code eth0} goes down. */
  LINK_DOWN("owner link down"),
  /** nftables drops all traffic of the owner (IP and ARP) for a while, then lets it through. */
  PARTITION("partition (3-node quorum)"),
  /** As {@link #CRASH}, probing the IPv6 VIP. */
  CRASH_V6("IPv6 host crash"),
  /**
   * Not a failover: {@value Reload#STEPS} reloads (SIGHUP) of each node, each with a changed
   * interval or priorities that keep the owner (see {@link Reload}).
   */
  RELOAD("20 reloads, owner kept");

  final String title;

  Scenario(String title) {
    this.title = title;
  }
}
