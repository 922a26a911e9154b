package io.vipha.benchmarks;

import static io.vipha.benchmarks.Fixtures.AA_FAILED;
import static io.vipha.benchmarks.Fixtures.T_FAIL;
import static io.vipha.benchmarks.Fixtures.T_RETURN;
import static io.vipha.benchmarks.Fixtures.check;

import io.vipha.VipGroup;
import io.vipha.plan.ClusterView;
import io.vipha.plan.Move;
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
 * Active/Active planner: 64 nodes of weight 1, 4,096 VIPs, preempt on with a zero delay (default
 * hold-down 5s and flap limit). The balanced plan gives every node exactly 64 VIPs; node n07 fails
 * at 10s and comes back at 20s.
 *
 * <p>Run all: {@code java -jar benchmarks/target/benchmarks.jar ActiveActiveBench -prof gc -f 3
 * -wi 5 -w 1s -i 5 -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ActiveActiveBench {
  private final Planner planner;
  private final ClusterView allAlive;
  private final Plan balanced;
  private final ClusterView failed;
  private final Plan afterFailure;
  private final ClusterView returned;

  /** Builds the group, the balanced plan, the failure and the return, and checks them. */
  public ActiveActiveBench() {
    VipGroup group = Fixtures.activeActiveGroup();
    planner = Planner.of(group);
    allAlive = Fixtures.allAlive(group);
    balanced = Fixtures.settled(planner, allAlive);
    for (int i = 0; i < Fixtures.AA_NODES; i++) {
      check(balanced.assignment().count(Fixtures.nodeId(i)) == 64, "not balanced");
    }
    check(planner.plan(allAlive, balanced, T_FAIL) == balanced, "steady state is not a no-op");
    failed = Fixtures.dead(allAlive, AA_FAILED, T_FAIL);
    afterFailure = planner.plan(failed, balanced, T_FAIL);
    check(afterFailure.moves().size() == 64
        && afterFailure.moves().stream().allMatch(m -> AA_FAILED.equals(m.from())),
        "failure moved other VIPs than n07's: " + afterFailure.moves().size());
    returned = Fixtures.alive(failed, AA_FAILED, T_RETURN);
    Plan back = planner.plan(returned, afterFailure, T_RETURN);
    check(!back.moves().isEmpty()
        && back.moves().stream().map(Move::to).allMatch(AA_FAILED::equals),
        "return did not move VIPs to n07 only: " + back.moves().size());
  }

  /**
   * Steady state: all 64 nodes alive, previous = the balanced settled plan; returns that plan
   * itself.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar ActiveActiveBench.steadyState -prof gc
   * -f 3 -wi 5 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public Plan steadyState() {
    return planner.plan(allAlive, balanced, T_FAIL);
  }

  /**
   * Node n07 is dead: its 64 VIPs go to the other 63 nodes. Every invocation replans from the
   * balanced plan. Target: at most 1 ms/op, allocation proportional to the VIPs moved.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar ActiveActiveBench.nodeFailure -prof gc
   * -f 3 -wi 5 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public Plan nodeFailure() {
    return planner.plan(failed, balanced, T_FAIL);
  }

  /**
   * Node n07 is back (after its hold-down) and preemption hands it the other nodes' excess.
   * Every invocation replans from the plan the failure produced.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar ActiveActiveBench.nodeReturn -prof gc
   * -f 3 -wi 5 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public Plan nodeReturn() {
    return planner.plan(returned, afterFailure, T_RETURN);
  }
}
