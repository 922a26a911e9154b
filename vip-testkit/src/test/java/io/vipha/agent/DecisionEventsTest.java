package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.testing.InMemoryBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The listeners of a take-over's events run after the work the decision brings: when n1 dies,
 * n2 adds and announces both VIPs before any listener hears that n1 is down or that a VIP was
 * acquired; the listeners still hear every event, in the order emitted, as emitted.
 */
class DecisionEventsTest {
  private static VipGroup group() {
    return VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO))
        .build();
  }

  /** What n2's host showed when a listener heard an event. */
  private record Heard(AgentEvent event, boolean holdsBoth, int announced) {}

  @Test
  void aTakeOverAddsAndAnnouncesEveryVipBeforeItsListenersHearOfItInTheEmittedOrder() {
    TestCluster c = new TestCluster(group());
    c.startAll();
    c.run(Duration.ofSeconds(2));
    List<VirtualIp> vips = c.group.vips();
    assertThat(c.holders(vips.get(0))).containsExactly("n1");
    InMemoryBackend host = c.host("n2");
    List<Heard> heard = new ArrayList<>();
    c.agent("n2").addListener(e -> heard.add(new Heard(e,
        host.holds(vips.get(0)) && host.holds(vips.get(1)), host.announcements().size())));
    int before = c.agent("n2").state().recentEvents().size();

    c.powerOff("n1");
    c.run(Duration.ofSeconds(2));

    assertThat(c.holders(vips.get(0))).containsExactly("n2");
    List<AgentEvent> emitted = c.agent("n2").state().recentEvents();
    // Same events, same order, the same objects: only when the listeners heard them moved.
    assertThat(heard).extracting(Heard::event)
        .containsExactlyElementsOf(emitted.subList(before, emitted.size()));
    assertThat(heard).extracting(h -> h.event().getClass().getSimpleName())
        .containsSubsequence("PeerDown", "Acquired", "Acquired");
    Heard down = heard.stream().filter(h -> h.event() instanceof AgentEvent.PeerDown)
        .findFirst().orElseThrow();
    assertThat(down.holdsBoth()).isTrue();
    assertThat(down.announced()).isEqualTo(2); // the first announcement of each VIP
    List<Heard> acquired = heard.stream()
        .filter(h -> h.event() instanceof AgentEvent.Acquired).toList();
    assertThat(acquired).extracting(h -> ((AgentEvent.Acquired) h.event()).vip())
        .containsExactlyElementsOf(vips);
    assertThat(acquired).allSatisfy(h -> {
      assertThat(h.holdsBoth()).isTrue();
      assertThat(h.announced()).isEqualTo(2);
    });
    // The events still carry the decision's time: the acquisitions at the peer's verdict.
    long downAt = down.event().at();
    assertThat(acquired).allSatisfy(h -> assertThat(h.event().at()).isEqualTo(downAt));
  }

  @Test
  void aStopEndsOnlyOnceTheListenersHeardEveryRelease() {
    TestCluster c = new TestCluster(group());
    c.startAll();
    c.run(Duration.ofSeconds(2));
    assertThat(c.holders(c.group.vips().get(0))).containsExactly("n1");
    List<AgentEvent> heard = new ArrayList<>();
    VipAgent n1 = c.agent("n1");
    n1.addListener(heard::add);
    var stopped = n1.stop();
    List<AgentEvent> heardWhenStopped = new ArrayList<>();
    stopped.thenRun(() -> heardWhenStopped.addAll(heard));
    c.run(Duration.ofSeconds(5));
    assertThat(stopped).isDone();
    assertThat(c.holders(c.group.vips().get(0))).containsExactly("n2");
    assertThat(heardWhenStopped).filteredOn(e -> e instanceof AgentEvent.Released)
        .extracting(e -> ((AgentEvent.Released) e).vip())
        .containsExactlyInAnyOrderElementsOf(c.group.vips());
  }
}
