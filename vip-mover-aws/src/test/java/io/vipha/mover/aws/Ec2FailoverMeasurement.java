package io.vipha.mover.aws;

import static io.vipha.mover.aws.Ec2Fixture.await;
import static io.vipha.mover.aws.Ec2Fixture.vip;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.spi.MoverResult.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test (it asserts no timing): one failover through each EC2 mover against
 * {@link FakeEc2} with the provider's reported latency, the address held by node a under epoch
 * {@code 100 r} and claimed by a fresh mover of node b under {@code 100 r + 1}; the wall time
 * from the claim call to its answer and the provider calls it made, median and range of 7 rounds,
 * with every write visible at once and with the first two reads after a write stale. The moving
 * call (AssociateAddress, AssignPrivateIpAddresses) takes 3-6 s, the figure reported for EIP
 * reassociation under keepalived notify scripts; every other call 100-300 ms (an assumption).
 * The second measurement runs the same failover through two agents in the simulator ({@link
 * Ec2SimRig}): n1 holds, n1 powers off, and n2's claim is timed from the planner's decision to
 * the provider's answer ({@link AgentEvent.MoverClaimed#tookNanos()}), the real mover's time
 * carried into virtual time by {@link VirtualTimeMover}. Run with {@code mvn -B -pl
 * vip-mover-aws -am verify -Dtest=Ec2FailoverMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * -Dvipha.aws.measure=true}.
 */
@EnabledIfSystemProperty(named = "vipha.aws.measure", matches = "true")
class Ec2FailoverMeasurement {
  private static final int ROUNDS = Integer.getInteger("vipha.aws.rounds", 7);
  private static final String ALLOC = "eipalloc-0aaaaaaaaaaaaaaa1";
  private static final String A = "eni-0aaaaaaaaaaaaaaa1";
  private static final String B = "eni-0bbbbbbbbbbbbbbb2";

  @TempDir Path dir;

  @Test
  void claimTimeAndProviderCallsPerFailover() throws Exception {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%n%-17s %-6s %8s %8s %8s"
        + "   %s%n", "mover", "stale", "median", "min", "max", "calls (ms per round)"));
    for (int stale : new int[] {0, 2}) {
      out.append(cell("aws-eip", stale, vip("203.0.113.7/32"), (fake, round) -> {
        fake.eip(ALLOC, "203.0.113.7");
        fake.associate(ALLOC, A);
        fake.tag(ALLOC, "vipha:epoch", Long.toString(100L * round));
        return Ec2Fixture.eip("b", settings(fake, "allocationId", ALLOC,
            "networkInterfaceId", B), Ec2Mover.Verify.DEFAULT);
      }));
      out.append(cell("aws-secondary-ip", stale, vip("10.0.1.100/24"), (fake, round) -> {
        fake.assign(A, "10.0.1.100");
        fake.tag(A, SecondaryIpMover.epochKey("10.0.1.100"), Long.toString(100L * round));
        return Ec2Fixture.secondary("b", settings(fake, "networkInterfaceId", B),
            Ec2Mover.Verify.DEFAULT);
      }));
    }
    System.out.println(out);
  }

  @Test
  void decisionToAnswerThroughTwoAgents() throws Exception {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%n%-22s %-6s %8s %8s %8s"
        + "   %s%n", "agents, aws-eip", "stale", "median", "min", "max",
        "n2's calls (ms per round)"));
    for (int stale : new int[] {0, 2}) {
      List<Long> ms = new ArrayList<>();
      List<Integer> calls = new ArrayList<>();
      for (int round = 1; round <= ROUNDS; round++) {
        List<Ec2Mover> made = new ArrayList<>();
        try (FakeEc2 fake = new FakeEc2()
            .eni(A, "subnet-0a", "10.0.1.10", "i-0aaaaaaaaaaaaaaa1")
            .eni(B, "subnet-0a", "10.0.1.20", "i-0bbbbbbbbbbbbbbb2")) {
          fake.latency(Duration.ofMillis(100), Duration.ofMillis(300), 1000L * stale + round)
              .latency("AssociateAddress", Duration.ofSeconds(3), Duration.ofSeconds(6))
              .staleReads(stale);
          Ec2SimRig r = new Ec2SimRig(fake, Ec2Fixture.credentials(dir), round,
              Ec2Mover.Verify.DEFAULT, made::add);
          r.sim.start();
          r.sim.run(Duration.ofSeconds(12));
          assertThat(r.pointedAt()).isEqualTo(A);
          List<AgentEvent.MoverClaimed> claimed = new ArrayList<>();
          r.sim.node("n2").requireAgent().addListener(e -> {
            if (e instanceof AgentEvent.MoverClaimed c) {
              claimed.add(c);
            }
          });
          int before = fake.calls();
          r.sim.node("n1").powerOff();
          r.sim.run(Duration.ofSeconds(20));
          assertThat(r.pointedAt()).isEqualTo(B);
          assertThat(claimed).hasSize(1);
          ms.add(claimed.get(0).tookNanos() / 1_000_000);
          calls.add(fake.calls() - before);
        } finally {
          made.forEach(Ec2Mover::close);
        }
      }
      List<Long> sorted = new ArrayList<>(ms);
      sorted.sort(null);
      List<Integer> c = new ArrayList<>(calls);
      c.sort(null);
      out.append(String.format(Locale.ROOT, "%-22s %-6d %8d %8d %8d   %d %s %s%n", "", stale,
          sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1),
          c.get(c.size() / 2), calls, ms));
    }
    System.out.println(out);
  }

  private java.util.Map<String, String> settings(FakeEc2 fake, String... more) {
    try {
      return Ec2Fixture.settings(fake, Ec2Fixture.credentials(dir), more);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String cell(String type, int stale, VirtualIp vip,
      BiFunction<FakeEc2, Integer, Ec2Mover> setup) throws Exception {
    List<Long> ms = new ArrayList<>();
    List<Integer> calls = new ArrayList<>();
    for (int round = 1; round <= ROUNDS; round++) {
      try (FakeEc2 fake = new FakeEc2()
          .eni(A, "subnet-0a", "10.0.1.10", "i-0aaaaaaaaaaaaaaa1")
          .eni(B, "subnet-0a", "10.0.1.20", "i-0bbbbbbbbbbbbbbb2")) {
        try (Ec2Mover mover = setup.apply(fake, round)) {
          fake.latency(Duration.ofMillis(100), Duration.ofMillis(300), 1000L * stale + round)
              .latency("AssociateAddress", Duration.ofSeconds(3), Duration.ofSeconds(6))
              .latency("AssignPrivateIpAddresses", Duration.ofSeconds(3), Duration.ofSeconds(6))
              .staleReads(stale);
          long start = System.nanoTime();
          var r = await(mover.claim(vip, 100L * round + 1, null, Duration.ofSeconds(30)));
          ms.add((System.nanoTime() - start) / 1_000_000);
          assertThat(r.outcome()).as("%s round %d: %s", type, round, r).isEqualTo(
              Outcome.ACCEPTED);
          calls.add(fake.calls());
        }
      }
    }
    List<Long> sorted = new ArrayList<>(ms);
    sorted.sort(null);
    List<Integer> c = new ArrayList<>(calls);
    c.sort(null);
    return String.format(Locale.ROOT, "%-17s %-6d %8d %8d %8d   %d %s %s%n", type, stale,
        sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1),
        c.get(c.size() / 2), calls, ms);
  }
}
