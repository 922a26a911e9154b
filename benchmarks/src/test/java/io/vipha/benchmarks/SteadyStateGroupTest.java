package io.vipha.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The fixture of {@link SteadyStateBench}: what one op does, and that leaving is caught. */
class SteadyStateGroupTest {
  private final SteadyStateGroup group = new SteadyStateGroup();

  @Test
  void oneIntervalSendsEachNodesHeartbeatToBothPeersAndTheyAcceptIt() {
    for (int i = 0; i < 100; i++) {
      group.interval(); // past any tick still due from the settling
    }
    long sent = group.sent();
    long accepted = group.accepted();
    group.interval();
    assertThat(group.sent() - sent).isEqualTo(6); // 3 heartbeats, each to 2 peers
    assertThat(group.accepted() - accepted).isEqualTo(6);
    group.check();
  }

  @Test
  void sendReachesNobodyAndSendAndReceiveReachesBothPeers() {
    long sent = group.sent();
    long accepted = group.accepted();
    group.send();
    assertThat(group.sent() - sent).isEqualTo(2);
    assertThat(group.accepted()).isEqualTo(accepted);
    group.sendAndReceive();
    assertThat(group.sent() - sent).isEqualTo(4);
    assertThat(group.accepted() - accepted).isEqualTo(2);
  }

  @Test
  void manyIntervalsStayInTheSteadyState() {
    for (int i = 0; i < 200_000; i++) { // 1,000 s of virtual time: renewals, reconciles, refreshes
      group.interval();
    }
    group.check();
  }

  @Test
  void checkFailsOnceTheGroupLeavesTheSteadyState() {
    group.mute(true);
    for (int i = 0; i < 200; i++) { // 1 s without heartbeats: peers dead, quorum lost
      group.interval();
    }
    assertThatThrownBy(group::check).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not in the steady state")
        .hasMessageContaining("n2 sees n1 DEAD");
  }
}
