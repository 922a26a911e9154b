package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.FailoverPolicy;
import io.vipha.VipGroup;
import io.vipha.plan.FlapRecord;
import io.vipha.plan.Plan;
import io.vipha.plan.Planner;
import io.vipha.testing.InMemoryStateStore;
import io.vipha.testing.VirtualScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Reading the node state file: its edges (no final newline, incarnation 0, a flap exactly one
 * window old, a suspension ending now, flaps out of order).
 */
class StateFileTest {
  private static final long JAN_2026 = 1_767_225_600_000L;
  private static final VipGroup GROUP = NodeMemoryTest.GROUP;
  private static final FailoverPolicy POLICY = GROUP.policy();

  /** The flap record a process starting at {@code JAN_2026} reads from {@code text}. */
  private static FlapRecord read(String text) throws IOException {
    InMemoryStateStore disk = new InMemoryStateStore("disk");
    disk.save(text.getBytes(StandardCharsets.UTF_8));
    NodeMemory m = new NodeMemory(disk, new VirtualScheduler(JAN_2026), "n1", POLICY);
    m.start();
    return m.restore(Planner.forNode(GROUP, "n1").initial()).flapRecord("n1");
  }

  private static String file(long incarnation, String flaps, String until) {
    return "vipha-state 1\nincarnation " + incarnation + "\nflaps" + flaps + "\nsuspendedUntil "
        + until + "\nreturnPlanned true";
  }

  @Test
  void aFileWithoutItsFinalNewlineOrWithIncarnationZeroIsRead() throws IOException {
    FlapRecord r = read(file(0, " " + (JAN_2026 - 1000), "none"));
    assertThat(r.changes()).containsExactly(-1_000_000_000L);
    assertThat(r.returnPlanned()).isTrue();
  }

  @Test
  void aFlapExactlyOneWindowOldIsForgottenOneJustYoungerKept() throws IOException {
    long window = 60_000;
    FlapRecord r = read(file(5, " " + (JAN_2026 - window) + " " + (JAN_2026 - window + 1),
        "none"));
    assertThat(r.changes()).containsExactly(-(window - 1) * 1_000_000L);
  }

  @Test
  void flapsOutOfOrderAreSorted() throws IOException {
    FlapRecord r = read(file(5, " " + (JAN_2026 - 1000) + " " + (JAN_2026 - 3000) + " "
        + (JAN_2026 - 2000), "none"));
    assertThat(r.changes()).containsExactly(-3_000_000_000L, -2_000_000_000L,
        -1_000_000_000L);
  }

  @Test
  void aSuspensionEndingNowIsOverOneEndingLaterIsNot() throws IOException {
    assertThat(read(file(5, "", Long.toString(JAN_2026))).suspendedUntil())
        .isEqualTo(Long.MIN_VALUE);
    assertThat(read(file(5, "", Long.toString(JAN_2026 + 1))).suspendedUntil())
        .isEqualTo(1_000_000L);
    assertThat(read(file(5, "", "never")).suspendedUntil()).isEqualTo(Plan.NEVER);
  }

  @Test
  void anEchoLastingExactlyAsLongAsTheOwnSuspensionChangesNothing() throws IOException {
    InMemoryStateStore disk = new InMemoryStateStore("disk");
    NodeMemory m = new NodeMemory(disk, new VirtualScheduler(JAN_2026), "n1", POLICY);
    m.start();
    Plan initial = Planner.forNode(GROUP, "n1").initial();
    long end = Duration.ofMinutes(2).toNanos();
    Plan p = m.adoptEchoed(initial, end, 0);
    assertThat(m.adoptEchoed(p, end, 0)).isSameAs(p);
    assertThat(m.adoptEchoed(p, end + 1, 0).suspendedUntil("n1")).isEqualTo(end + 1);
    assertThat(m.adoptEchoed(initial, 1, 0).suspendedUntil("n1")).isEqualTo(1);
  }
}
