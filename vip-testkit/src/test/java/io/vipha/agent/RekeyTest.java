package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Key rotation on a running group: the README's three rollouts, one node at a time. */
class RekeyTest {
  static final byte[] OLD = TestCluster.KEY;
  static final byte[] NEW = "fedcba9876543210fedcba9876543210".getBytes(
      StandardCharsets.US_ASCII);
  private static final List<String> NODES = List.of("n2", "n3", "n1");

  private static TestCluster running() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    return c;
  }

  private static long rejected(TestCluster c, String reason) {
    long n = 0;
    for (String id : NODES) {
      n += c.coordinator(id).rejected(reason);
    }
    return n;
  }

  /** One rollout: each node in turn, 250 ms apart, while nothing may go wrong. */
  private static void rollout(TestCluster c, Consumer<HeartbeatCoordinator> step) {
    for (String id : NODES) {
      step.accept(c.coordinator(id));
      c.runChecking(Duration.ofMillis(250), Duration.ofMillis(1), () -> {
        assertThat(c.holders(vip4(c))).containsExactly("n1");
        assertThat(rejected(c, "UNKNOWN_KEY") + rejected(c, "BAD_MAC")).isZero();
      });
    }
  }

  @Test
  void theThreeRolloutsRotateTheKeyWithoutARejectedHeartbeat() {
    TestCluster c = running();
    int mark = c.events.size();
    long accepted = c.coordinator("n2").accepted();
    rollout(c, k -> k.rekey(1, OLD, 2, NEW)); // accept the new key
    rollout(c, k -> k.rekey(2, NEW, 1, OLD)); // sign with it, still accept the old one
    rollout(c, k -> k.rekey(2, NEW)); // drop the old key
    c.run(Duration.ofSeconds(1));
    assertThat(ReconfigureTest.disturbances(c, mark)).isEmpty();
    assertThat(c.coordinator("n2").accepted() - accepted).isGreaterThan(2 * 25);
    // The old key is gone: a node that signs with it is no longer heard.
    c.coordinator("n3").rekey(1, OLD);
    c.run(Duration.ofSeconds(1));
    assertThat(c.coordinator("n1").rejected("UNKNOWN_KEY")).isPositive();
    assertThat(c.events(AgentEvent.PeerDown.class, "n1")).extracting(AgentEvent.PeerDown::nodeId)
        .contains("n3");
  }

  @Test
  void signingWithAKeyThePeersDoNotAcceptYetIsRejected() {
    TestCluster c = running();
    c.coordinator("n3").rekey(2, NEW, 1, OLD); // skips the first rollout
    c.run(Duration.ofMillis(200));
    assertThat(c.coordinator("n1").rejected("UNKNOWN_KEY")).isPositive();
    assertThat(c.coordinator("n3").rejected("UNKNOWN_KEY")).isZero(); // it still accepts OLD
  }

  @Test
  void aKeyWithTheOldIdButOtherBytesFailsItsMac() {
    TestCluster c = running();
    c.coordinator("n3").rekey(1, NEW);
    c.run(Duration.ofMillis(200));
    assertThat(c.coordinator("n1").rejected("BAD_MAC")).isPositive();
  }

  @Test
  void invalidKeysAreRefusedAndTheKeysInUseStay() {
    TestCluster c = running();
    HeartbeatCoordinator k = c.coordinator("n2");
    byte[] shortKey = new byte[31];
    assertThatThrownBy(() -> k.rekey(1, shortKey)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("31 bytes").hasMessageContaining("at least 32");
    assertThatThrownBy(() -> k.rekey(256, NEW)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("256").hasMessageContaining("0..255");
    assertThatThrownBy(() -> k.rekey(-1, NEW)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> k.rekey(2, NEW, 2, OLD)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same id 2");
    assertThatThrownBy(() -> k.rekey(2, NEW, 300, OLD))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("300");
    assertThatThrownBy(() -> k.rekey(2, NEW, 3, shortKey))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("31 bytes");
    k.rekey(0, NEW, 255, OLD); // the bounds themselves are fine
    k.rekey(1, OLD);
    int mark = c.events.size();
    c.run(Duration.ofSeconds(1));
    assertThat(ReconfigureTest.disturbances(c, mark)).isEmpty();
    assertThat(rejected(c, "UNKNOWN_KEY") + rejected(c, "BAD_MAC")).isZero();
  }

  @Test
  void aCoordinatorRekeyedBeforeStartSignsWithTheNewKey() {
    TestCluster c = new TestCluster(threeNodes(true));
    for (String id : NODES) {
      c.create(id);
      c.coordinator(id).rekey(5, NEW);
    }
    for (String id : NODES) {
      c.start(c.agent(id));
    }
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    assertThat(c.coordinator("n1").accepted()).isPositive();
  }
}
