package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How listeners run: in order, each event to every listener, a throwing one ignored. */
class AgentListenerTest {
  private record Heard(String listener, AgentEvent event) {}

  @Test
  void everyListenerHearsEveryEventInOrderAndOneThatThrowsStopsNeitherTheOthersNorTheAgent() {
    TestCluster c = new TestCluster(threeNodes(true));
    VipAgent n2 = c.create("n2");
    List<Heard> heard = new ArrayList<>();
    List<AgentEvent> before = new ArrayList<>();
    n2.addListener(e -> heard.add(new Heard("first", e)));
    n2.addListener(e -> {
      throw new IllegalStateException("a listener's bug");
    });
    n2.addListener(e -> {
      if (e instanceof AgentEvent.Acquired) {
        throw new AssertionError("an error, not an exception");
      }
    });
    n2.addListener(e -> heard.add(new Heard("last", e)));
    c.start("n1");
    c.start(n2);
    c.start("n3");
    c.run(Duration.ofSeconds(2));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    c.powerOff("n1");
    c.run(Duration.ofSeconds(3));

    assertThat(c.holders(vip4(c))).as("n2 took over despite its failing listeners")
        .containsExactly("n2");
    assertThat(n2.state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
    for (AgentEvent e : c.events) {
      if ("n2".equals(c.eventNode.get(e))) {
        before.add(e);
      }
    }
    assertThat(c.events(AgentEvent.Acquired.class, "n2")).hasSize(2);
    assertThat(c.events(AgentEvent.PeerDown.class, "n2")).isNotEmpty();
    // Each event reaches the listeners in the order they were added before the next event
    // reaches any: first, last, first, last, ... in the order the agent emitted them (the
    // cluster's own listener, added first, saw that order).
    List<Heard> expected = new ArrayList<>();
    for (AgentEvent e : before) {
      expected.add(new Heard("first", e));
      expected.add(new Heard("last", e));
    }
    assertThat(heard).containsExactlyElementsOf(expected);
  }
}
