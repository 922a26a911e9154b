package io.vipha.benchmarks;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vipha.VipGroup;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.micrometer.VipAgentMetrics;
import io.vipha.plan.Eligibility;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Scheduler;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testing.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The metrics path of a heartbeat: agents n1 and n2 on virtual time and in-memory hosts, and n3,
 * a bare coordinator driven by a fixed context (what it advertises is built once); the
 * coordinators hand datagrams to each other directly (no copy, no queue); n2's binder is on a
 * {@link SimpleMeterRegistry}. The fixed context keeps an agent's own per-heartbeat snapshot
 * (its {@code LocalState}, outside the metrics) out of {@link #heartbeat()}; {@link
 * #agentHeartbeat()} includes it.
 *
 * <p>Run all: {@code java -jar benchmarks/target/benchmarks.jar MetricsBench -prof gc -f 2 -wi 4
 * -w 1s -i 5 -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsBench {
  private final HeartbeatCoordinator sender;
  private final HeartbeatCoordinator agentSender;
  private final HeartbeatCoordinator receiver;
  private final FunctionCounter sent;
  private final FunctionCounter received;
  private final List<Meter> meters;

  /** Starts both agents, lets n1 take the VIPs and binds n2's metrics; checks the counting. */
  public MetricsBench() {
    VipGroup group = Fixtures.agentGroup().build();
    VirtualScheduler time = new VirtualScheduler();
    DirectWire wire = new DirectWire();
    agentSender = wire.coordinator();
    receiver = wire.coordinator();
    sender = wire.coordinator();
    VipAgent n1 = VipAgent.builder().group(group).nodeId("n1").backend(new InMemoryBackend(time))
        .coordinator(agentSender).scheduler(time).build();
    VipAgent n2 = VipAgent.builder().group(group).nodeId("n2").backend(new InMemoryBackend(time))
        .coordinator(receiver).scheduler(time).build();
    var unused1 = n1.start();
    var unused2 = n2.start();
    try {
      sender.start(new FixedContext(time, group));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    time.advance(Duration.ofSeconds(2));
    if (n1.state().held().size() != 2) {
      throw new IllegalStateException("n1 should hold both VIPs: " + n1.state());
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    VipAgentMetrics.builder(n2).coordinator(receiver).build().bindTo(registry);
    sent = registry.get("vipha.heartbeat.sent").functionCounter();
    received = registry.get("vipha.heartbeat.received").functionCounter();
    meters = List.copyOf(registry.getMeters());
    long before = receiver.accepted();
    heartbeat();
    if (receiver.accepted() != before + 1 || received.count() != before + 1) {
      throw new IllegalStateException("a heartbeat was not counted");
    }
  }

  /** Node n3 advertising a fixed state: priority 100, eligible, with quorum, holding nothing. */
  private static final class FixedContext implements Coordinator.Context {
    private final Scheduler loop;
    private final VipGroup group;
    private final Coordinator.LocalState local;

    FixedContext(Scheduler loop, VipGroup group) {
      this.loop = loop;
      this.group = group;
      this.local = new Coordinator.LocalState(100, Eligibility.ELIGIBLE, true, Set.of(),
          List.of());
    }

    @Override
    public Scheduler loop() {
      return loop;
    }

    @Override
    public VipGroup group() {
      return group;
    }

    @Override
    public String nodeId() {
      return "n3";
    }

    @Override
    public long incarnation() {
      return 1;
    }

    @Override
    public Coordinator.LocalState local() {
      return local;
    }

    @Override
    public void peer(Coordinator.PeerState state) {}

    @Override
    public void stalled(long nanos) {}
  }

  /**
   * One heartbeat, counted on both sides: n3 encodes, signs and sends it to n1 and n2 ({@code
   * vipha.heartbeat.sent}), each authenticates, replay-checks and applies it ({@code
   * vipha.heartbeat.received}).
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar MetricsBench.heartbeat -prof gc -f 2 -wi
   * 4 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public long heartbeat() {
    sender.publishNow();
    return receiver.accepted();
  }

  /**
   * The same from agent n1, whose agent builds what it advertises for every heartbeat.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar MetricsBench.agentHeartbeat -prof gc -f
   * 2 -wi 4 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public long agentHeartbeat() {
    agentSender.publishNow();
    return receiver.accepted();
  }

  /**
   * Reading the two heartbeat counters through their meters.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar MetricsBench.readHeartbeatCounters -prof
   * gc -f 2 -wi 4 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public double readHeartbeatCounters() {
    return sent.count() + received.count();
  }

  /**
   * Every meter of the binder measured, as a registry scrape reads them (without rendering
   * text).
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar MetricsBench.scrape -prof gc -f 2 -wi 4
   * -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public void scrape(Blackhole bh) {
    for (Meter m : meters) {
      for (Measurement x : m.measure()) {
        bh.consume(x.getValue());
      }
    }
  }
}
