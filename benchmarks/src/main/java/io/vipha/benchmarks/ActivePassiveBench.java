package io.vipha.benchmarks;

import static io.vipha.benchmarks.Fixtures.T_FAIL;
import static io.vipha.benchmarks.Fixtures.check;

import io.vipha.VipGroup;
import io.vipha.plan.ClusterView;
import io.vipha.plan.Plan;
import io.vipha.plan.Planner;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Active/Passive planner: 3 nodes (priorities 150, 100, 50), 2 VIPs, preempt on with a zero
 * delay.
 *
 * <p>Run both: {@code java -jar benchmarks/target/benchmarks.jar ActivePassiveBench -prof gc -f 3
 * -wi 5 -w 1s -i 5 -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ActivePassiveBench {
  private final Planner planner;
  private final ClusterView allAlive;
  private final ClusterView allAliveTwin;
  private boolean flip;
  private final Plan settled;
  private final ClusterView ownerDead;

  /** Builds the group, the settled plan and the view with the owner dead, and checks them. */
  public ActivePassiveBench() {
    VipGroup group = Fixtures.activePassiveGroup();
    planner = Planner.of(group);
    allAlive = Fixtures.allAlive(group);
    allAliveTwin = Fixtures.allAlive(group);
    settled = Fixtures.settled(planner, allAlive);
    String owner = Fixtures.nodeId(0);
    check(settled.assignment().count(owner) == Fixtures.AP_VIPS, "n00 does not own the group");
    check(planner.plan(allAlive, settled, T_FAIL) == settled, "steady state is not a no-op");
    ownerDead = Fixtures.dead(allAlive, owner, T_FAIL);
    Plan failed = planner.plan(ownerDead, settled, T_FAIL);
    check(failed.moves().size() == Fixtures.AP_VIPS
        && failed.assignment().count(Fixtures.nodeId(1)) == Fixtures.AP_VIPS,
        "n01 did not take over: " + failed);
  }

  /**
   * Steady state: same view, previous = the settled plan; returns that plan itself. Target: at
   * most 50 ns/op and 0 B/op.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar ActivePassiveBench.steadyState -prof gc
   * -f 3 -wi 5 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public Plan steadyState() {
    return planner.plan(allAlive, settled, T_FAIL);
  }

  /**
   * Steady state evaluated in full: two equal views that are different objects take turns, so
   * the planner cannot answer from its last call and works the view out each time (the cost when
   * a caller builds a new view for every call). Same target: at most 50 ns/op and 0 B/op.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar ActivePassiveBench.steadyStateNewView
   * -prof gc -f 3 -wi 5 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public Plan steadyStateNewView() {
    flip = !flip;
    return planner.plan(flip ? allAlive : allAliveTwin, settled, T_FAIL);
  }

  /**
   * The owner (n00) is dead: both VIPs move to n01. Every invocation replans from the settled plan
   * before the failure.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar ActivePassiveBench.ownerFailure -prof gc
   * -f 3 -wi 5 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public Plan ownerFailure() {
    return planner.plan(ownerDead, settled, T_FAIL);
  }
}
