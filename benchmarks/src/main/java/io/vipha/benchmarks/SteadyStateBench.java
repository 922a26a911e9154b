package io.vipha.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The steady state of a running three-node Active/Passive group at a 5 ms heartbeat ({@link
 * SteadyStateGroup}): one full heartbeat interval, and the parts of it that can be driven alone.
 * The group's state is checked after every iteration: n1 holds both VIPs, every node has quorum
 * and sees its peers alive, and no agent counted a change or emitted an event.
 *
 * <p>Run all: {@code java -jar benchmarks/target/benchmarks.jar SteadyStateBench -prof gc -f 2
 * -wi 4 -w 1s -i 5 -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SteadyStateBench {
  private final SteadyStateGroup group = new SteadyStateGroup();

  /** Fails the run when the measured ops took the group out of its steady state. */
  @TearDown(Level.Iteration)
  public void check() {
    group.check();
  }

  /**
   * One heartbeat interval of the group: 5 ms of virtual time with every task due run (three
   * heartbeats encoded, signed and sent, six authenticated, decoded and applied; planning,
   * reconcile, lease renewal and announcement refreshes whenever due).
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar SteadyStateBench.interval -prof gc -f 2
   * -wi 4 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public long interval() {
    group.interval();
    return group.sent();
  }

  /**
   * The send path: n1's coordinator asks its agent what to advertise, encodes, signs and sends
   * one heartbeat to its two peers, which do not receive it.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar SteadyStateBench.send -prof gc -f 2 -wi
   * 4 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public long send() {
    group.send();
    return group.sent();
  }

  /**
   * The send path and the receive path of two peers: n1 sends one heartbeat, n2 and n3 each
   * authenticate, replay-check, decode and apply it (the view update; their agents hear of a
   * change only when there is one).
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar SteadyStateBench.sendAndReceive -prof gc
   * -f 2 -wi 4 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public long sendAndReceive() {
    group.sendAndReceive();
    return group.accepted();
  }
}
