package io.vipha.mover.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.agent.AgentEvent;
import io.vipha.spi.MoverResult.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two agents in the simulator with one {@link FakeEc2} between them: through a partition and its
 * heal, the stale side's claim is refused by the epoch tag, and the address (an Elastic IP, or a
 * secondary private address) ends with the rightful owner.
 */
class Ec2SimulationTest extends FakeEc2Test {

  @ParameterizedTest
  @CsvSource({"EIP, 11", "EIP, 12", "EIP, 13", "SECONDARY_IP, 11", "SECONDARY_IP, 12"})
  void theStaleSidesClaimIsRefusedByTheTagAndTheAddressEndsWithTheRightfulOwner(
      Ec2Settings.Kind kind, long seed) {
    fake.latency(Duration.ofMillis(20), Duration.ofMillis(120), seed);
    Ec2SimRig r = new Ec2SimRig(kind, fake, credentials, seed, Ec2Fixture.FAST,
        this::closedAfter);
    List<AgentEvent.MoverFailed> failed = new ArrayList<>();
    r.sim.start();
    r.sim.node("n1").requireAgent().addListener(e -> {
      if (e instanceof AgentEvent.MoverFailed f) {
        failed.add(f);
      }
    });

    r.sim.run(Duration.ofSeconds(2));
    assertThat(r.holders()).containsExactly("n1");
    assertThat(r.pointedAt()).isEqualTo(ENI_A);
    long first = r.epoch();

    r.sim.partition(Set.of("n1"));
    r.sim.run(Duration.ofSeconds(2));
    assertThat(r.holders()).as("both sides hold").containsExactly("n1", "n2");
    assertThat(r.pointedAt()).isEqualTo(ENI_B);
    long taken = r.epoch();
    assertThat(taken).isGreaterThan(first);

    r.sim.heal();
    r.sim.run(Duration.ofSeconds(6));
    assertThat(r.calls()).as("n1's claim under its old epoch").anySatisfy(c -> {
      assertThat(c.node()).isEqualTo("n1");
      assertThat(c.operation()).isEqualTo("claim");
      assertThat(c.epoch()).isEqualTo(first);
      assertThat(c.result().outcome()).isEqualTo(Outcome.STALE_EPOCH);
      assertThat(c.result().epoch()).isEqualTo(taken);
    });
    assertThat(failed).anySatisfy(f -> assertThat(f.outcome()).isEqualTo(Outcome.STALE_EPOCH));
    List<String> holders = r.holders();
    assertThat(holders).as("one holder").hasSize(1);
    assertThat(r.pointedAt()).isEqualTo(Ec2SimRig.eni(holders.get(0)));
    assertThat(r.epoch()).isGreaterThanOrEqualTo(taken);
    if (kind == Ec2Settings.Kind.EIP) {
      assertThat(fake.eipState(Ec2SimRig.ALLOC).tags).containsEntry("vipha:node",
          holders.get(0));
    }
  }
}
