package io.vipha.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AcquireTraceTest {
  private static final long MS = 1_000_000L;

  @Test
  void offByDefault() {
    long before = AcquireTrace.written();
    AcquireTrace.mark(AcquireTrace.DECIDED);
    assertThat(AcquireTrace.ON).isFalse();
    assertThat(AcquireTrace.written()).isEqualTo(before);
  }

  @Test
  void muteHereHoldsTheCallingThreadsMarksBackAndNests() throws Exception {
    assertThat(AcquireTrace.muted()).isFalse();
    AcquireTrace.muteHere(true);
    AcquireTrace.muteHere(true);
    boolean[] elsewhere = new boolean[1];
    Thread other = new Thread(() -> elsewhere[0] = AcquireTrace.muted());
    other.start();
    other.join(5_000);
    assertThat(elsewhere[0]).as("another thread").isFalse();
    assertThat(AcquireTrace.muted()).isTrue();
    AcquireTrace.muteHere(false);
    assertThat(AcquireTrace.muted()).as("still held once").isTrue();
    AcquireTrace.muteHere(false);
    assertThat(AcquireTrace.muted()).isFalse();
  }

  @Test
  void theWarmUpsMarksBelongToNoEpisode() {
    long from = AcquireTrace.written();
    AcquireTrace.warm();
    long to = AcquireTrace.written();
    assertThat(to - from).isEqualTo(20_000);
    StringBuilder out = new StringBuilder();
    assertThat(AcquireTrace.episodes(to - 4096, to, Long.MAX_VALUE, out)).isEqualTo(to);
    assertThat(out).isEmpty();
  }

  @Test
  void printsEachEpisodeOnceItIsOverInMicrosecondsFromTheDecision() {
    long from = AcquireTrace.written();
    long t = 1_000_000 * MS;
    AcquireTrace.record(AcquireTrace.RECONCILE, t - MS); // before any decision: no episode
    AcquireTrace.record(AcquireTrace.DECIDED, t);
    AcquireTrace.record(AcquireTrace.DUE, t - 21_400); // marked after the decision, with its time
    AcquireTrace.record(AcquireTrace.REPLAN, t + 12_300);
    AcquireTrace.record(AcquireTrace.ASSIGN, t + 2 * MS);
    AcquireTrace.record(AcquireTrace.ANNOUNCED, t + 3 * MS);
    AcquireTrace.record(AcquireTrace.RECONCILE, t + 500 * MS); // long after: outside it
    AcquireTrace.record(AcquireTrace.DECIDED, t + 1000 * MS);
    AcquireTrace.record(AcquireTrace.ASSIGN, t + 1001 * MS);
    long to = AcquireTrace.written();

    StringBuilder out = new StringBuilder();
    long next = AcquireTrace.episodes(from, to, t + 1050 * MS, out);
    assertThat(out.toString()).isEqualTo(
        "vipha-acquire-trace decided+0.0 due-21.4 replan+12.3 assign+2000.0 announced+3000.0\n");
    assertThat(next).as("the second episode is still open").isEqualTo(to - 2);

    out.setLength(0);
    assertThat(AcquireTrace.episodes(next, to, t + 1200 * MS, out)).isEqualTo(to);
    assertThat(out.toString()).isEqualTo("vipha-acquire-trace decided+0.0 assign+1000.0\n");
  }
}
