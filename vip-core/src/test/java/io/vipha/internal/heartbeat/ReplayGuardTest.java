package io.vipha.internal.heartbeat;

import static io.vipha.internal.heartbeat.TestPackets.GROUP;
import static io.vipha.internal.heartbeat.TestPackets.KEY_A;
import static io.vipha.internal.heartbeat.TestPackets.decoder;
import static io.vipha.internal.heartbeat.TestPackets.encoder;
import static io.vipha.internal.heartbeat.TestPackets.packet;
import static io.vipha.internal.heartbeat.TestPackets.resign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
  private final HeartbeatDecoder dec = decoder();
  private final HeartbeatEncoder n1 = encoder("n1");

  private DecodeResult send(long incarnation, long sequence) {
    byte[] p = packet(n1.incarnation(incarnation).sequence(sequence));
    return dec.decode(p, 0, p.length, GROUP);
  }

  @Test
  void theSamePacketTwiceIsReplayed() {
    byte[] p = packet(n1.sequence(1));
    assertThat(dec.decode(p, 0, p.length, GROUP).accepted()).isTrue();
    assertThat(dec.decode(p, 0, p.length, GROUP)).isEqualTo(Rejection.REPLAYED);
    assertThat(dec.rejected(Rejection.REPLAYED)).isEqualTo(1);
  }

  @Test
  void aSignedPacketWithSequenceZeroIsReplayed() {
    byte[] p = packet(n1.sequence(1));
    Arrays.fill(p, 16, 24, (byte) 0); // the sequence field
    resign(KEY_A, p);
    assertThat(dec.decode(p, 0, p.length, GROUP)).isEqualTo(Rejection.REPLAYED);
  }

  @Test
  void theWindowReachesBackSixtyThreeSequences() {
    assertThat(send(1000, 100).accepted()).isTrue();
    assertThat(send(1000, 100 - ReplayGuard.WINDOW)).isEqualTo(Rejection.REPLAYED);
    assertThat(send(1000, 100 - ReplayGuard.WINDOW + 1).accepted()).isTrue();
  }

  @Test
  void outOfOrderWithinTheWindowIsAcceptedOnce() {
    assertThat(send(1000, 10).accepted()).isTrue();
    assertThat(send(1000, 5).accepted()).isTrue();
    assertThat(send(1000, 5)).isEqualTo(Rejection.REPLAYED);
    assertThat(send(1000, 9).accepted()).isTrue();
    assertThat(send(1000, 10)).isEqualTo(Rejection.REPLAYED);
    assertThat(send(1000, 11).accepted()).isTrue();
    assertThat(send(1000, 9)).isEqualTo(Rejection.REPLAYED);
    assertThat(dec.guard().highestSequence(0)).isEqualTo(11);
  }

  @Test
  void olderThanTheWindowIsRejected() {
    assertThat(send(1000, 100).accepted()).isTrue();
    assertThat(send(1000, 100 - 64)).as("64 behind").isEqualTo(Rejection.REPLAYED);
    assertThat(send(1000, 100 - 63).accepted()).as("63 behind").isTrue();
    assertThat(send(1000, 1)).isEqualTo(Rejection.REPLAYED);
    // A jump of more than the window forgets everything below the new window.
    assertThat(send(1000, 1_000).accepted()).isTrue();
    assertThat(send(1000, 950).accepted()).isTrue();
    assertThat(send(1000, 936)).isEqualTo(Rejection.REPLAYED);
    assertThat(send(1000, 100)).isEqualTo(Rejection.REPLAYED);
  }

  @Test
  void aNewIncarnationResetsTheWindowAndAnOldOneIsStale() {
    assertThat(send(1000, 500).accepted()).isTrue();
    assertThat(send(1001, 1).accepted()).as("restart").isTrue();
    assertThat(send(1001, 1)).isEqualTo(Rejection.REPLAYED);
    assertThat(send(1001, 2).accepted()).isTrue();
    assertThat(send(1000, 501)).isEqualTo(Rejection.STALE_INCARNATION);
    assertThat(send(999, 1)).isEqualTo(Rejection.STALE_INCARNATION);
    assertThat(dec.guard().incarnation(0)).isEqualTo(1001);
    // Incarnations compare unsigned: 2^63 is higher than 1001, and then 1001 is stale.
    assertThat(send(Long.MIN_VALUE, 7).accepted()).isTrue();
    assertThat(send(1001, 3)).isEqualTo(Rejection.STALE_INCARNATION);
    assertThat(send(-1L, 1).accepted()).isTrue();
    assertThat(dec.rejected(Rejection.STALE_INCARNATION)).isEqualTo(3);
  }

  @Test
  void sequencesCompareUnsigned() {
    assertThat(send(1000, Long.MAX_VALUE).accepted()).isTrue();
    assertThat(send(1000, Long.MIN_VALUE).accepted()).as("2^63 follows 2^63-1").isTrue();
    assertThat(send(1000, Long.MAX_VALUE)).isEqualTo(Rejection.REPLAYED);
    assertThat(send(1000, -1L).accepted()).isTrue();
    assertThat(send(1000, 5)).isEqualTo(Rejection.REPLAYED);
  }

  @Test
  void onlyAuthenticatedAcceptedPacketsMoveTheGuard() {
    assertThat(send(1000, 2).accepted()).isTrue();
    byte[] forged = packet(n1.incarnation(5000).sequence(1_000_000));
    forged[forged.length - 1] ^= 1;
    assertThat(dec.decode(forged, 0, forged.length, GROUP)).isEqualTo(Rejection.BAD_MAC);
    byte[] otherGroup = packet(new HeartbeatEncoder(HeartbeatKeys.of(1, KEY_A), "db", "n1")
        .incarnation(5000).sequence(1_000_000));
    assertThat(dec.decode(otherGroup, 0, otherGroup.length, GROUP))
        .isEqualTo(Rejection.WRONG_GROUP);
    assertThat(dec.guard().incarnation(0)).isEqualTo(1000);
    assertThat(dec.guard().highestSequence(0)).isEqualTo(2);
    assertThat(send(1000, 3).accepted()).isTrue();
  }

  @Test
  void sequenceZeroIsNeverValid() {
    ReplayGuard g = ReplayGuard.forNodes(List.of("a"));
    assertThat(g.check(0, 1, 0)).isEqualTo(Rejection.REPLAYED);
    assertThat(g.highestSequence(0)).isZero();
    assertThat(g.check(0, 1, 1)).isNull();
    assertThat(g.check(0, 1, 0)).isEqualTo(Rejection.REPLAYED);
  }

  @Test
  void knownNodesOnly() {
    ReplayGuard g = ReplayGuard.forNodes(List.of("n2", "n10", "n1", "ä"));
    assertThat(g.peerCount()).isEqualTo(4);
    assertThat(g.peerIndex("n2")).isZero();
    assertThat(g.peerIndex("n10")).isEqualTo(1);
    assertThat(g.peerIndex("n1")).isEqualTo(2);
    assertThat(g.peerIndex("ä")).isEqualTo(3);
    assertThat(g.peerIndex("n3")).isEqualTo(-1);
    assertThat(g.peerId(1)).isEqualTo("n10");
    assertThat(lookup(g, "n1")).isEqualTo(2);
    assertThat(lookup(g, "n")).isEqualTo(-1);
    assertThat(lookup(g, "n100")).isEqualTo(-1);
    assertThat(g.peerCount()).isEqualTo(4);
    assertThatThrownBy(() -> ReplayGuard.forNodes(List.of("a", "b", "a")))
        .hasMessage("node id \"a\" is listed twice");
    assertThatThrownBy(() -> ReplayGuard.forNodes(List.of("")))
        .hasMessageContaining("is 0 UTF-8 bytes");
    assertThatThrownBy(() -> g.peerId(4)).isInstanceOf(IndexOutOfBoundsException.class);

    HeartbeatDecoder d = new HeartbeatDecoder(HeartbeatKeys.of(1, KEY_A), g);
    byte[] p = packet(encoder("n3"));
    assertThat(d.decode(p, 0, p.length, GROUP)).isEqualTo(Rejection.UNKNOWN_NODE);
    p = packet(encoder("ä"));
    assertThat(((HeartbeatView) d.decode(p, 0, p.length, GROUP)).peerIndex()).isEqualTo(3);
  }

  @Test
  void boundedGuardLearnsUpToItsCapacity() {
    ReplayGuard g = ReplayGuard.bounded(3);
    HeartbeatDecoder d = new HeartbeatDecoder(HeartbeatKeys.of(1, KEY_A), g);
    String[] ids = {"zz", "aa", "mm", "bb"};
    for (int i = 0; i < ids.length; i++) {
      byte[] p = packet(encoder(ids[i]));
      DecodeResult r = d.decode(p, 0, p.length, GROUP);
      if (i < 3) {
        assertThat(((HeartbeatView) r).peerIndex()).isEqualTo(i);
      } else {
        assertThat(r).isEqualTo(Rejection.UNKNOWN_NODE);
      }
    }
    byte[] again = packet(encoder("aa").sequence(2));
    assertThat(((HeartbeatView) d.decode(again, 0, again.length, GROUP)).peerIndex())
        .isEqualTo(1);
    byte[] forged = packet(encoder("cc"));
    forged[50] ^= 1;
    assertThat(d.decode(forged, 0, forged.length, GROUP)).isEqualTo(Rejection.BAD_MAC);
    assertThat(g.peerCount()).isEqualTo(3);
    assertThat(g.peerIndex("mm")).isEqualTo(2);
    assertThatThrownBy(() -> ReplayGuard.bounded(0)).hasMessageContaining("at least 1");
  }

  @Test
  void aLearningGuardKnowsItsFirstPeerAgainWhileItHasRoom() {
    ReplayGuard g = ReplayGuard.bounded(3);
    HeartbeatDecoder d = new HeartbeatDecoder(HeartbeatKeys.of(1, KEY_A), g);
    byte[] first = packet(encoder("n1").sequence(1));
    assertThat(((HeartbeatView) d.decode(first, 0, first.length, GROUP)).peerIndex()).isZero();
    byte[] second = packet(encoder("n1").sequence(2));
    assertThat(((HeartbeatView) d.decode(second, 0, second.length, GROUP)).peerIndex()).isZero();
    assertThat(g.peerCount()).as("the same peer, not a second slot").isEqualTo(1);
    assertThat(d.decode(first, 0, first.length, GROUP)).isEqualTo(Rejection.REPLAYED);
  }

  @Test
  void aPeerIndexPastTheKnownPeersIsRefused() {
    ReplayGuard g = ReplayGuard.bounded(3);
    assertThat(g.lookup("n1".getBytes(StandardCharsets.UTF_8), 0, 2)).isZero();
    assertThat(g.peerId(0)).isEqualTo("n1");
    for (int peer : new int[] {-1, 1, 2, 3}) {
      assertThatThrownBy(() -> g.peerId(peer)).isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessage("peer " + peer + " of 1");
      assertThatThrownBy(() -> g.incarnation(peer))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> g.highestSequence(peer))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> g.reopen(peer)).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void aReopenedPeerStartsAfreshOnAnotherIncarnationOnly() {
    assertThat(send(1000, 10).accepted()).isTrue();
    dec.guard().reopen(0);
    // Its current incarnation is still checked: a replay stays a replay, a new sequence passes.
    assertThat(send(1000, 10)).isEqualTo(Rejection.REPLAYED);
    assertThat(send(1000, 9).accepted()).isTrue();
    assertThat(send(1000, 11).accepted()).isTrue();
    // Accepting a packet of the current incarnation ends the reopening: a lower one is stale.
    assertThat(send(999, 1)).isEqualTo(Rejection.STALE_INCARNATION);

    dec.guard().reopen(0);
    assertThat(send(999, 1).accepted()).as("lower incarnation after a reopen").isTrue();
    assertThat(dec.guard().incarnation(0)).isEqualTo(999);
    assertThat(dec.guard().highestSequence(0)).isEqualTo(1);
    assertThat(send(1000, 12).accepted()).as("a higher one is accepted as always").isTrue();
    assertThat(send(999, 2)).isEqualTo(Rejection.STALE_INCARNATION);
  }

  /** The bitmap window against a plain set of seen sequences, on random traffic. */
  @Test
  void agreesWithAReferenceModel() {
    long seed = 20240601L;
    Random rnd = new Random(seed);
    for (int run = 0; run < 200; run++) {
      ReplayGuard g = ReplayGuard.forNodes(List.of("p"));
      Set<Long> seen = new HashSet<>();
      long inc = 10;
      long top = 0;
      for (int n = 0; n < 2_000; n++) {
        long i = inc + (rnd.nextInt(20) == 0 ? rnd.nextInt(3) - 1 : 0);
        long base = Math.max(1, top - 80);
        long s = rnd.nextInt(10) == 0 ? base + rnd.nextInt(300) : base + rnd.nextInt(100);
        @Nullable Rejection expected;
        if (top == 0 || i > inc) {
          expected = null;
          inc = i;
          seen.clear();
          seen.add(s);
          top = s;
        } else if (i < inc) {
          expected = Rejection.STALE_INCARNATION;
        } else if (s > top) {
          expected = null;
          seen.add(s);
          top = s;
        } else if (top - s >= ReplayGuard.WINDOW || seen.contains(s)) {
          expected = Rejection.REPLAYED;
        } else {
          expected = null;
          seen.add(s);
        }
        assertThat(g.check(0, i, s)).as("seed %d run %d step %d: inc %d seq %d", seed, run, n,
            i, s).isEqualTo(expected);
      }
    }
  }

  private static int lookup(ReplayGuard g, String id) {
    byte[] b = ("xx" + id).getBytes(StandardCharsets.UTF_8);
    return g.lookup(b, 2, b.length - 2);
  }

  @Test
  void aRegroupedGuardKeepsTheStateOfTheNodesThatStayAndStartsTheNewOnesAfresh() {
    ReplayGuard g = ReplayGuard.forNodes(List.of("n1", "n2", "n3"));
    assertThat(g.check(0, 7, 10)).isNull();
    assertThat(g.check(1, 8, 20)).isNull();
    assertThat(g.check(1, 8, 18)).isNull();
    g.reopen(0);
    ReplayGuard r = g.regrouped(List.of("n0", "n2", "n1"));
    assertThat(r.peerCount()).isEqualTo(3);
    assertThat(r.peerIndex("n3")).isEqualTo(-1);
    int n1 = r.peerIndex("n1");
    int n2 = r.peerIndex("n2");
    int n0 = r.peerIndex("n0");
    assertThat(r.incarnation(n1)).isEqualTo(7);
    assertThat(r.highestSequence(n1)).isEqualTo(10);
    assertThat(r.incarnation(n2)).isEqualTo(8);
    assertThat(r.highestSequence(n2)).isEqualTo(20);
    assertThat(r.highestSequence(n0)).isZero();
    // The window came along: 18 was seen, 19 was not; 20 and 10 are old news.
    assertThat(r.check(n2, 8, 18)).isEqualTo(Rejection.REPLAYED);
    assertThat(r.check(n2, 8, 20)).isEqualTo(Rejection.REPLAYED);
    assertThat(r.check(n2, 8, 19)).isNull();
    assertThat(r.check(n2, 7, 30)).isEqualTo(Rejection.STALE_INCARNATION);
    // So did the reopened door: n1 may come back with a lower incarnation.
    assertThat(r.check(n1, 3, 1)).isNull();
    assertThat(r.check(n0, 1, 1)).isNull();
    // The old guard is untouched.
    assertThat(g.highestSequence(1)).isEqualTo(20);
    assertThatThrownBy(() -> g.regrouped(List.of("a", "a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listed twice");
  }
}
