package io.vipha.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.testing.FakeCloud;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a failover costs through a provider as slow as AWS's EIP association (3–6 s, as reported
 * for keepalived + notify setups), on the simulator's virtual clock: the time from the planner's
 * decision to the provider's answer, and the provider calls per failover. docs/failover.md
 * reports the figures this prints; the assertions check that each run is what the model says.
 */
class CloudFailoverMeasurementTest {
  private static final int RUNS = 50;

  /** One failover: the claim's time from decision to answer, and the calls it took. */
  private record Run(long tookNanos, long crashToCloudNanos, int calls, int claims,
      int timedOut) {}

  private static Run failover(long seed, Duration timeout, boolean crash) {
    VipGroup g = CloudMoverTest.group(false);
    VirtualIp vip = g.vips().get(0);
    AtomicReference<FakeCloud> ref = new AtomicReference<>();
    Simulation sim = Simulation.builder().group(g).seed(seed).customize((id, b) -> b.mover(vip,
        java.util.Objects.requireNonNull(ref.get()).mover(id), timeout)).build();
    FakeCloud cloud = new FakeCloud(sim.scheduler(), seed)
        .latency(Duration.ofSeconds(3), Duration.ofSeconds(6));
    ref.set(cloud);
    sim.start();
    sim.run(Duration.ofSeconds(8));
    assertThat(cloud.target(vip)).isEqualTo("n1");
    List<AgentEvent.MoverClaimed> claimed = new ArrayList<>();
    sim.node("n2").requireAgent().addListener(e -> {
      if (e instanceof AgentEvent.MoverClaimed c) {
        claimed.add(c);
      }
    });
    int before = cloud.calls().size();
    long start = sim.now();
    if (crash) {
      sim.node("n1").powerOff();
    } else {
      sim.node("n1").requireAgent().switchover("n2");
    }
    long pointed = -1;
    for (int i = 0; i < 400 && pointed < 0; i++) {
      sim.run(Duration.ofMillis(50));
      if ("n2".equals(cloud.target(vip))) {
        pointed = sim.now() - start;
      }
    }
    for (int i = 0; i < 60 && claimed.isEmpty(); i++) {
      sim.run(Duration.ofSeconds(5)); // (a claim past a short deadline is tried again)
    }
    sim.run(Duration.ofSeconds(10)); // every answer is in
    assertThat(claimed).as("%s", cloud.calls()).hasSize(1);
    // (n1's own claim may still be retried after a time-out before the fault: not counted)
    List<FakeCloud.Call> calls = cloud.calls().subList(before, cloud.calls().size()).stream()
        .filter(c -> !(c.node().equals("n1") && c.operation().equals("claim"))).toList();
    int claims = (int) calls.stream().filter(c -> c.operation().equals("claim")).count();
    int timedOut = (int) calls.stream()
        .filter(c -> c.result().outcome() == io.vipha.spi.MoverResult.Outcome.TIMED_OUT).count();
    return new Run(claimed.get(0).tookNanos(), pointed, calls.size(), claims, timedOut);
  }

  @Test
  void aCrashFailoverThroughAProviderOfThreeToSixSeconds() {
    List<Run> runs = new ArrayList<>();
    for (long seed = 1; seed <= RUNS; seed++) {
      Run r = failover(seed, Duration.ofSeconds(10), true);
      // one claim, answered after the provider's latency; the dead owner releases nothing
      assertThat(r.tookNanos()).isBetween(3_000_000_000L, 6_000_000_000L);
      assertThat(r.calls()).isEqualTo(1);
      runs.add(r);
    }
    report("crash, 10 s deadline", runs);
  }

  @Test
  void aCrashFailoverWhenTheDeadlineIsShorterThanTheProvider() {
    List<Run> runs = new ArrayList<>();
    for (long seed = 1; seed <= RUNS; seed++) {
      Run r = failover(seed, Duration.ofSeconds(5), true);
      // a claim past its 5 s deadline times out (the provider applies it all the same) and is
      // tried again a second later: one more claim per time-out, the last one answered
      assertThat(r.claims()).isEqualTo(1 + r.timedOut());
      assertThat(r.calls()).isEqualTo(r.claims());
      runs.add(r);
    }
    assertThat(runs).anySatisfy(r -> assertThat(r.timedOut()).isPositive());
    report("crash, 5 s deadline", runs);
  }

  @Test
  void aSwitchoverThroughAProviderOfThreeToSixSeconds() {
    List<Run> runs = new ArrayList<>();
    for (long seed = 1; seed <= RUNS; seed++) {
      Run r = failover(seed, Duration.ofSeconds(10), false);
      // the new owner's claim, and the old owner's release once its address is gone
      assertThat(r.calls()).isEqualTo(2);
      assertThat(r.claims()).isEqualTo(1);
      runs.add(r);
    }
    report("switchover, 10 s deadline", runs);
  }

  private static void report(String what, List<Run> runs) {
    List<Long> took = new ArrayList<>();
    List<Long> pointed = new ArrayList<>();
    List<Integer> calls = new ArrayList<>();
    for (Run r : runs) {
      took.add(r.tookNanos());
      pointed.add(r.crashToCloudNanos());
      calls.add(r.calls());
    }
    Collections.sort(took);
    Collections.sort(pointed);
    Collections.sort(calls);
    System.out.printf(Locale.ROOT, "cloud failover (%s, %d runs): decision to answer min %.2f"
        + " median %.2f max %.2f s; fault to provider pointing at n2 median %.2f max %.2f s;"
        + " provider calls min %d median %d max %d, mean %.2f%n", what, runs.size(),
        took.get(0) / 1e9, took.get(took.size() / 2) / 1e9, took.get(took.size() - 1) / 1e9,
        pointed.get(pointed.size() / 2) / 1e9, pointed.get(pointed.size() - 1) / 1e9,
        calls.get(0), calls.get(calls.size() / 2), calls.get(calls.size() - 1),
        calls.stream().mapToInt(Integer::intValue).average().orElse(0));
  }
}
