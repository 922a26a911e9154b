package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.testing.InMemoryBackend;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * When a node announces the VIPs it holds and owns (gratuitous ARP, unsolicited neighbour
 * advertisements): the burst after taking one, the refresh, an operator's request, and the
 * re-announcements a peer's news calls for. Node n1 is a real agent; n2 is played by the test.
 */
class AnnouncementTest {
  private static final long MS = 1_000_000L;


  /** n1 started, n2 heard every interval, run until n1 holds the VIP. */
  private static TestCluster running(VipGroup g, ScriptedPeer[] n2) {
    TestCluster c = new TestCluster(g);
    n2[0] = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofMillis(600));
    assertThat(c.holders(g.vips().get(0))).containsExactly("n1");
    return c;
  }

  private static List<Long> times(InMemoryBackend h) {
    return h.announcements().stream().map(InMemoryBackend.Announcement::at).toList();
  }

  @Test
  void afterTakingAVipTheNodeAnnouncesItCountTimesAtTheInterval() {
    ScriptedPeer[] n2 = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(p -> p.announce(4, Duration.ofMillis(70))), n2);
    long took = c.events(AgentEvent.Acquired.class, "n1").get(0).at();
    assertThat(times(c.host("n1"))).containsExactly(took, took + 70 * MS, took + 140 * MS,
        took + 210 * MS);
    c.run(Duration.ofSeconds(5));
    assertThat(c.host("n1").announcements()).hasSize(4); // no refresh by default
  }

  @Test
  void theRefreshAnnouncesEveryHeldVipAgainUntilTheNodeStops() {
    ScriptedPeer[] n2 = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(p -> p.announce(1, Duration.ofMillis(70))
        .announceRefresh(Duration.ofSeconds(1))), n2);
    c.run(Duration.ofMillis(3000));
    List<Long> t = times(c.host("n1"));
    // The refresh runs every second from the start, the first at 1 s.
    assertThat(t.subList(1, t.size())).containsExactly(1000 * MS, 2000 * MS, 3000 * MS);
    c.agent("n1").stop();
    c.run(Duration.ofSeconds(3));
    assertThat(c.host("n1").announcements()).hasSize(t.size());
  }

  @Test
  void aPeerClaimingTheVipIsAnsweredAQuarterIntervalLaterAtMostOncePerInterval() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(), p);
    ScriptedPeer n2 = p[0];
    VirtualIp vip = c.group.vips().get(0);
    int before = c.host("n1").announcements().size();
    n2.holds(0).send();
    c.run(Duration.ofMillis(1)); // delivered
    long claimed = c.time.nanoTime() - 1 * MS + 100_000;
    c.run(Duration.ofMillis(23));
    assertThat(c.events(AgentEvent.Conflict.class, "n1")).isEmpty();
    c.run(Duration.ofMillis(2));
    assertThat(c.events(AgentEvent.Conflict.class, "n1")).singleElement().satisfies(e -> {
      assertThat(e.vip()).isEqualTo(vip);
      assertThat(e.peer()).isEqualTo("n2");
      assertThat(e.at()).isEqualTo(claimed + 25 * MS);
    });
    assertThat(c.host("n1").announcements()).hasSize(before + 1);
    assertThat(c.agent("n1").counters().conflicts()).isEqualTo(1);
    // More news from n2 within the interval: no second answer.
    n2.priority = 151;
    n2.send();
    c.run(Duration.ofMillis(60));
    assertThat(c.events(AgentEvent.Conflict.class, "n1")).hasSize(1);
    assertThat(c.holders(vip)).containsExactly("n1");
  }

  @Test
  void aClaimWithdrawnWithinTheQuarterIntervalIsNotAnswered() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(), p);
    ScriptedPeer n2 = p[0];
    n2.holds(0).send();
    c.run(Duration.ofMillis(10));
    int before = c.host("n1").announcements().size();
    n2.holds().send(); // it let go: n1 announces at once, so clients come back
    c.run(Duration.ofMillis(1));
    assertThat(c.host("n1").announcements()).hasSize(before + 1);
    c.run(Duration.ofMillis(100));
    assertThat(c.events(AgentEvent.Conflict.class, "n1")).isEmpty();
    assertThat(c.host("n1").announcements()).hasSize(before + 1);
  }

  @Test
  void aPeerThatDoesNotHearThisNodeIsNotAnsweredWhenItClaims() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(), p);
    ScriptedPeer n2 = p[0];
    int before = c.host("n1").announcements().size();
    n2.hears(1).holds(0).send(); // n2 does not hear n1: to n1 it counts as dead
    c.run(Duration.ofMillis(100));
    assertThat(c.events(AgentEvent.Conflict.class, "n1")).isEmpty();
    assertThat(c.host("n1").announcements()).hasSize(before);
  }

  @Test
  void aPeerBackFromTheDeadIsAnsweredAtOnce() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(), p);
    ScriptedPeer n2 = p[0];
    n2.silent = true;
    c.run(Duration.ofMillis(600));
    assertThat(Objects.requireNonNull(c.agent("n1").state().peers().get("n2")).liveness())
        .isEqualTo(io.vipha.plan.Liveness.DEAD);
    int before = c.host("n1").announcements().size();
    n2.send();
    c.run(Duration.ofMillis(1));
    assertThat(c.host("n1").announcements()).hasSize(before + 1);
  }

  @Test
  void anOperatorsRequestAnnouncesWhatTheNodeHoldsAndOwns() throws Exception {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(p2 -> p2.announce(2, Duration.ofMillis(50))), p);
    int before = c.host("n1").announcements().size();
    var asked = c.agent("n1").announce();
    c.time.runDue();
    assertThat(asked.get()).containsExactly(c.group.vips().get(0));
    c.run(Duration.ofMillis(100));
    assertThat(c.host("n1").announcements()).hasSize(before + 2);
    c.agent("n1").stop();
    c.run(Duration.ofSeconds(1));
    var late = c.agent("n1").announce();
    c.time.runDue();
    assertThat(late.get()).isEmpty();
  }

  @Test
  void aJoiningNodeAnnouncesNothingOnRequest() throws Exception {
    TestCluster c = new TestCluster(TwoNodes.group());
    c.host("n1").addByHand(c.group.vips().get(0));
    c.start("n1");
    var asked = c.agent("n1").announce();
    c.time.runDue();
    assertThat(asked.get()).isEmpty();
    assertThat(c.host("n1").announcements()).isEmpty();
  }

  @Test
  void aFailedAnnouncementIsReported() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(p2 -> p2.announceRefresh(Duration.ofSeconds(1))), p);
    c.host("n1").failWith(new io.vipha.spi.BackendException(
        io.vipha.spi.BackendException.Kind.PERMISSION, "EPERM"));
    c.run(Duration.ofMillis(1000));
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).anySatisfy(e -> {
      assertThat(e.operation()).isEqualTo("announce");
      assertThat(e.vip()).isEqualTo(c.group.vips().get(0));
    });
  }
  @Test
  void aTakeWhoseAnnouncementFailsHoldsTheVipReportsWhyAndTheBurstGoesOn() {
    TestCluster c = new TestCluster(TwoNodes.group(p -> p.announce(3, Duration.ofMillis(70))));
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.host("n1").failAnnouncementsWith(new io.vipha.spi.BackendException(
        io.vipha.spi.BackendException.Kind.PERMISSION, "no CAP_NET_RAW"));
    c.start("n1");
    VirtualIp vip = c.group.vips().get(0);
    for (int ms = 0; ms < 600 && c.events(AgentEvent.Acquired.class, "n1").isEmpty(); ms++) {
      c.run(Duration.ofMillis(1));
    }
    assertThat(c.holders(vip)).as("added all the same").containsExactly("n1");
    long took = c.events(AgentEvent.Acquired.class, "n1").get(0).at();
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).singleElement().satisfies(e -> {
      assertThat(e.operation()).isEqualTo("announce");
      assertThat(e.vip()).isEqualTo(vip);
      assertThat(e.at()).isEqualTo(took);
      assertThat(e.error().getMessage()).isEqualTo("no CAP_NET_RAW");
    });
    c.host("n1").heal();
    c.run(Duration.ofMillis(200));
    assertThat(times(c.host("n1"))).as("the rest of the burst").containsExactly(took + 70 * MS,
        took + 140 * MS);
    assertThat(c.holders(vip)).containsExactly("n1");
  }

  @Test
  void newsExactlyOneIntervalAfterTheLastAnswerIsAnsweredAgain() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(), p);
    ScriptedPeer n2 = p[0];
    c.run(Duration.ofMillis(50)); // between n2's periodic heartbeats
    n2.holds(0).send();
    c.run(Duration.ofMillis(100));
    n2.priority = 151;
    n2.send(); // arrives exactly one interval after the first claim
    c.run(Duration.ofMillis(40));
    assertThat(c.events(AgentEvent.Conflict.class, "n1")).hasSize(2);
  }

  @Test
  void aPeerBackExactlyOneIntervalAfterItsDeathIsAnsweredAtOnce() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(TwoNodes.group(), p);
    ScriptedPeer n2 = p[0];
    n2.silent = true;
    c.run(Duration.ofMillis(301)); // heard last at 600.1 ms: dead at 900.1 ms
    io.vipha.spi.Coordinator.PeerState dead = Objects.requireNonNull(
        c.agent("n1").state().peers().get("n2"));
    assertThat(dead.liveness()).isEqualTo(io.vipha.plan.Liveness.DEAD);
    long died = dead.since();
    assertThat(c.time.nanoTime()).isLessThan(died + 100 * MS - 100_000);
    c.time.runUntil(died + 100 * MS - 100_000); // its heartbeat then arrives at died + 100 ms
    int before = c.host("n1").announcements().size();
    n2.send();
    c.run(Duration.ofMillis(1));
    assertThat(c.host("n1").announcements()).hasSize(before + 1);
  }
}
