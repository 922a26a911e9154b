package io.vipha.benchmarks.failover;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Two nodes of one VRRP group, each of its own kind: n1 (priority 150, the master) of {@code
 * master}'s, n2 (100, the backup) of {@code backup}'s, e.g. keepalived over vipd with {@code
 * daemon.coordinator.vrrp}; named {@code MASTER/BACKUP}. Both launchers configure VRID 51,
 * unicast to the other's 198.51.100.x, the same interval and the IPv4 VIP.
 */
final class PairLauncher implements NodeLauncher {
  private final NodeLauncher master;
  private final NodeLauncher backup;

  PairLauncher(NodeLauncher master, NodeLauncher backup) {
    this.master = master;
    this.backup = backup;
  }

  private NodeLauncher of(int i) {
    return i == 0 ? master : backup;
  }

  @Override
  public String name() {
    return master.name() + "/" + backup.name();
  }

  @Override
  public int nodes() {
    return 2;
  }

  @Override
  public void configure(Cluster cluster) throws IOException {
    master.configure(cluster);
    if (!backup.name().equals(master.name())) {
      backup.configure(cluster);
    }
  }

  @Override
  public Process start(Cluster cluster, int i, Path log) throws IOException {
    return of(i).start(cluster, i, log);
  }

  /** Whether both kinds do: a killed node's VIP then leaves with its lease. */
  @Override
  public boolean leasesAddresses() {
    return master.leasesAddresses() && backup.leasesAddresses();
  }

  @Override
  public long reloads(Cluster cluster, int i, String output) throws IOException {
    return of(i).reloads(cluster, i, output);
  }

  @Override
  public List<String> transitions(String output) {
    List<String> all = new ArrayList<>(master.transitions(output));
    if (!backup.name().equals(master.name())) {
      all.addAll(backup.transitions(output));
    }
    return all;
  }

  @Override
  public boolean warm(int i, String output) {
    return of(i).warm(output);
  }
}
