package io.vipha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.Test;

/**
 * Seeded random fault schedules against 3-server ensembles and three agents each: crashes and
 * restarts, session expiries, partitions from the ensemble, pauses longer than the session,
 * server failures, switchovers and drains, a few at random instants per schedule. Throughout,
 * no two nodes hold one VIP at once (the {@link Ledger}, kernel leases counted); after each
 * schedule every VIP has had the same single holder for a kernel lease. Each schedule starts
 * on a new cluster, so that one replays alone as it ran. {@code -Dvipha.zk.schedules=N} runs N
 * schedules (default 200) from {@code -Dvipha.zk.seed=S} (default 1), {@code
 * -Dvipha.zk.clusters=K} of them at once (default 16), since a schedule mostly waits on
 * timeouts. Every schedule runs; the failures are reported together, each with the command that
 * replays its schedule alone. The seed also picks the session timeout and the hosts' lateness in
 * removing an expired address ({@link #setting}), so that the schedules cover nodes that bound
 * their kernel leases to their session and nodes that cannot.
 */
class ZooKeeperRandomTest {
  private static final List<String> IDS = List.of("a", "b", "c");

  /** A session timeout and the hosts' overrun. */
  record Setting(Duration session, Duration overrun) {
    @Override
    public String toString() {
      return "session " + session.toSeconds() + " s, overrun " + overrun.toMillis() + " ms";
    }
  }

  /**
   * The setting of schedule {@code seed}, in turn, all with a 2 s session: hosts never late
   * (leases bounded to 1 s), hosts 500 ms late (just no room, {@code 2 s - 333 ms - 100 ms -
   * 100 ms - 500 ms < 1 s}: takeovers wait lease, overrun and slack), hosts 400 ms late (just
   * room: bounded leases, the overrun counted).
   */
  static Setting setting(long seed) {
    return switch ((int) Math.floorMod(seed, 3L)) {
      case 0 -> new Setting(Duration.ofSeconds(2), Duration.ZERO);
      case 1 -> new Setting(Duration.ofSeconds(2), Duration.ofMillis(500));
      default -> new Setting(Duration.ofSeconds(2), Duration.ofMillis(400));
    };
  }

  @Test
  void randomFaultSchedulesNeverLeaveTwoHolders() throws Exception {
    int schedules = Integer.getInteger("vipha.zk.schedules", 200);
    long first = Long.getLong("vipha.zk.seed", 1L);
    int clusters = Math.max(1, Math.min(schedules, Integer.getInteger("vipha.zk.clusters", 16)));
    Mode mode = Boolean.getBoolean("vipha.zk.activeActive") ? Mode.ACTIVE_ACTIVE
        : Mode.ACTIVE_PASSIVE;
    List<AssertionError> failures = new CopyOnWriteArrayList<>();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clusters);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int k = 0; k < clusters; k++) {
        long from = first + k;
        runs.add(pool.submit(() -> {
          runSeeds(mode, from, first + schedules, clusters, failures, done);
          return null;
        }));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    if (!failures.isEmpty()) {
      AssertionError all = new AssertionError(failures.size() + " of " + schedules
          + " schedules failed: " + failures.stream().map(Throwable::getMessage).toList(),
          failures.get(0));
      failures.stream().skip(1).forEach(all::addSuppressed);
      throw all;
    }
    assertThat(done.get()).as("schedules run").isEqualTo(schedules);
  }

  /**
   * Seeds {@code from}, {@code from + step}, ... below {@code end}, each on a new cluster; a
   * failed schedule joins {@code failures} and the next one runs.
   */
  private static void runSeeds(Mode mode, long from, long end, int step,
      List<AssertionError> failures, AtomicInteger done) throws Exception {
    for (long seed = from; seed < end; seed += step) {
      List<String> steps = new ArrayList<>();
      Setting setting = setting(seed);
      try (ZkCluster c = new ZkCluster(ZkCluster.group(mode, "a", "b", "c"), setting.session(),
          ZkCluster.TICK_MS, setting.overrun())) {
        for (String id : IDS) {
          c.start(id, loss(id));
        }
        c.awaitOneHolder(Duration.ofSeconds(30));
        run(c, new Random(seed), steps);
        done.incrementAndGet();
      } catch (AssertionError | Exception e) {
        failures.add(new AssertionError("schedule " + seed + " (" + setting + ") failed after "
            + steps
            + "; replay: mvn -B -pl vip-zookeeper -am verify -Dtest=ZooKeeperRandomTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dvipha.zk.seed=" + seed
            + " -Dvipha.zk.schedules=1" + (mode == Mode.ACTIVE_ACTIVE
                ? " -Dvipha.zk.activeActive=true" : ""), e));
      }
    }
  }

  /** Node a releases on session loss, b keeps until the fence, c is the default. */
  private static SessionLoss loss(String id) {
    return id.equals("b") ? SessionLoss.keep(Duration.ZERO) : SessionLoss.release();
  }

  private static void run(ZkCluster c, Random r, List<String> steps) throws Exception {
    List<String> crashed = new ArrayList<>();
    List<String> cut = new ArrayList<>();
    List<InstanceSpec> down = new ArrayList<>();
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      String id = IDS.get(r.nextInt(IDS.size()));
      int kind = r.nextInt(7);
      boolean live = !crashed.contains(id);
      if (kind == 0 && live) {
        steps.add("crash " + id);
        c.crash(id);
        crashed.add(id);
      } else if (kind == 1 && live) {
        steps.add("expire " + id);
        c.expire(id);
      } else if (kind == 2 && live && !cut.contains(id)) {
        steps.add("partition " + id);
        c.partition(id);
        cut.add(id);
      } else if (kind == 3 && live && !cut.contains(id)) {
        Duration d = Duration.ofMillis(500 + r.nextInt(4000));
        steps.add("pause " + id + " " + d.toMillis() + "ms");
        c.pause(id, d);
      } else if (kind == 4 && down.isEmpty()) {
        InstanceSpec s = c.servers.get(r.nextInt(c.servers.size()));
        steps.add("kill server " + s.getServerId());
        c.zk.killServer(s);
        down.add(s);
      } else if (kind == 5 && live) {
        String to = IDS.get(r.nextInt(IDS.size()));
        steps.add("switchover to " + to + " via " + id);
        c.node(id).agent.switchover(to);
      } else if (kind == 6 && live) {
        steps.add("drain " + id);
        c.node(id).agent.drain();
        c.hold(Duration.ofMillis(r.nextInt(2000)));
        c.node(id).agent.undrain();
      }
      c.hold(Duration.ofMillis(r.nextInt(3000)));
    }
    for (String id : cut) {
      c.heal(id);
    }
    for (InstanceSpec s : down) {
      c.zk.restartServer(s);
    }
    for (String id : crashed) {
      c.start(id, loss(id));
    }
    for (String id : IDS) {
      c.node(id).agent.clearSwitchover();
    }
    c.awaitSettled(Duration.ofSeconds(40), Duration.ofMillis(300));
  }
}
