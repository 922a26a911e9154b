package io.vipha.benchmarks;

import io.vipha.VipGroup;
import io.vipha.agent.AgentCounters;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.testing.InMemoryBackend;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jdk.jfr.Recording;

/**
 * The steady state of {@link SteadyStateGroup}'s three agents as vipd runs them: each on its own
 * {@link EventLoopScheduler} with the default {@code UdpTransport} on loopback (127.0.0.1, ports
 * 47101–47103) and a real clock, at a 5 ms heartbeat. After a warm-up it reads the allocation
 * counter of every event-loop and receive thread ({@code
 * com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) over a measured span and prints
 * bytes per heartbeat interval and thread; it fails if any agent counted anything (acquisition,
 * release, stall...) meanwhile or n1 does not hold both VIPs. Run with {@code -XX:-UseTLAB},
 * it also ranks every object n1's event loop and receive thread allocate by site, from a JFR
 * recording of {@code jdk.ObjectAllocationOutsideTLAB} (as {@link SteadyStateProfile} does).
 *
 * <p>{@code java -XX:-UseTLAB -cp benchmarks/target/benchmarks.jar
 * io.vipha.benchmarks.LoopbackProfile [WARMUP_S [MEASURED_S]]} (defaults 20 and 30).
 */
public final class LoopbackProfile {
  private LoopbackProfile() {}

  /** Runs the agents, measures, prints a Markdown table. */
  public static void main(String[] args) throws Exception {
    long warmup = args.length > 0 ? Long.parseLong(args[0]) : 20;
    long measured = args.length > 1 ? Long.parseLong(args[1]) : 30;
    VipGroup group = Fixtures.agentGroup("127.0.0.1:47101", "127.0.0.1:47102",
        "127.0.0.1:47103").policy(p -> p.heartbeatInterval(SteadyStateGroup.INTERVAL).deadAfter(3))
        .build();
    List<VipAgent> agents = new ArrayList<>();
    List<EventLoopScheduler> loops = new ArrayList<>();
    try {
      for (String id : List.of("n1", "n2", "n3")) {
        EventLoopScheduler loop = new EventLoopScheduler("vipha-" + id);
        loops.add(loop);
        VipAgent a = VipAgent.builder().group(group).nodeId(id)
            .backend(new InMemoryBackend(loop))
            .coordinator(HeartbeatCoordinator.builder().key(1, Fixtures.HEARTBEAT_KEY).build())
            .scheduler(loop).build();
        agents.add(a);
        a.start().get();
      }
      Thread.sleep(warmup * 1000);
      List<AgentCounters> before = new ArrayList<>();
      for (VipAgent a : agents) {
        before.add(a.counters());
      }
      List<Thread> threads = new ArrayList<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith("vipha-")) {
          threads.add(t);
        }
      }
      threads.sort((x, y) -> x.getName().compareTo(y.getName()));
      com.sun.management.ThreadMXBean mx =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] ids = threads.stream().mapToLong(Thread::getId).toArray();
      Path file = Files.createTempFile("loopback", ".jfr");
      long[] b0;
      long[] b1;
      long t0;
      try (Recording r = new Recording()) {
        r.enable(SteadyStateProfile.EVENT).withStackTrace();
        r.setToDisk(true);
        r.start();
        b0 = mx.getThreadAllocatedBytes(ids);
        t0 = System.nanoTime();
        Thread.sleep(measured * 1000);
        b1 = mx.getThreadAllocatedBytes(ids);
        r.stop();
        r.dump(file);
      }
      double intervals = (System.nanoTime() - t0) / (double) SteadyStateGroup.INTERVAL.toNanos();
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < agents.size(); i++) {
        VipAgent a = agents.get(i);
        if (!a.counters().equals(before.get(i))) {
          problems.add(a.nodeId() + " counted " + a.counters() + " since " + before.get(i));
        }
        if (a.state().held().size() != (i == 0 ? 2 : 0)) {
          problems.add(a.nodeId() + " holds " + a.state().held());
        }
      }
      System.out.printf(Locale.ROOT, "%.0f intervals of 5 ms measured after %d s%n%n",
          intervals, warmup);
      System.out.println("| thread | B/interval |");
      System.out.println("|---|---|");
      for (int i = 0; i < ids.length; i++) {
        System.out.printf(Locale.ROOT, "| `%s` | %.1f |%n", threads.get(i).getName(),
            (b1[i] - b0[i]) / intervals);
      }
      for (int i : new int[] {0, ids.length / 2}) { // n1's event loop and its receive thread
        List<AllocationSites.Sample> samples = SteadyStateProfile.samples(file, ids[i]);
        System.out.printf("%n%s: %d allocations recorded%n%n", threads.get(i).getName(),
            samples.size());
        System.out.print(AllocationSites.table(
            AllocationSites.rank(samples, Math.round(intervals)), 0.005));
      }
      Files.deleteIfExists(file);
      if (!problems.isEmpty()) {
        throw new IllegalStateException("not in the steady state: " + problems);
      }
    } finally {
      for (VipAgent a : agents) {
        a.stop().get();
      }
      for (EventLoopScheduler l : loops) {
        l.close();
      }
    }
  }
}
