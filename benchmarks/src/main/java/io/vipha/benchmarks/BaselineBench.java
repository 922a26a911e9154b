package io.vipha.benchmarks;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The baselines' replan after n07 of 64 nodes fails, 4,096 VIPs: the same input as {@link
 * ActiveActiveBench#nodeFailure()}. Both baselines are stateless, so the replan is a full
 * placement of every VIP over the 63 alive nodes (and a return costs the same over 64).
 *
 * <p>Run both: {@code java -jar benchmarks/target/benchmarks.jar BaselineBench -prof gc -f 3 -wi 5
 * -w 1s -i 5 -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BaselineBench {
  private final Baselines baselines;
  private final boolean[] alive;

  /** Builds the group and the alive set without n07. */
  public BaselineBench() {
    baselines = new Baselines(Fixtures.activeActiveGroup());
    alive = new boolean[baselines.ids.length];
    Arrays.fill(alive, true);
    alive[baselines.nodeIndex(Fixtures.AA_FAILED)] = false;
  }

  /**
   * Hash mod n: {@code hash(address) mod 63} over the alive nodes, for every VIP.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar BaselineBench.hashModN -prof gc -f 3 -wi 5
   * -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public int[] hashModN() {
    return baselines.hashModN(alive);
  }

  /**
   * Plain rendezvous hashing: for every VIP, the score of each of the 63 alive nodes (one {@code
   * StrictMath.log} each), highest wins.
   *
   * <p>{@code java -jar benchmarks/target/benchmarks.jar BaselineBench.rendezvous -prof gc -f 3
   * -wi 5 -w 1s -i 5 -r 1s}
   */
  @Benchmark
  public int[] rendezvous() {
    return baselines.rendezvous(alive);
  }
}
