package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.FailoverPolicy;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.plan.FlapRecord;
import io.vipha.plan.Plan;
import io.vipha.plan.Planner;
import io.vipha.spi.StateStore;
import io.vipha.spi.StateStoreException;
import io.vipha.testing.InMemoryStateStore;
import io.vipha.testing.VirtualScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node state kept across restarts: a monotonic incarnation and the flap record. */
class NodeMemoryTest {
  private static final long JAN_2026 = 1_767_225_600_000L;
  private static final long HOUR = 3_600_000L;

  static final VipGroup GROUP = VipGroup.builder().name("g").mode(Mode.ACTIVE_PASSIVE)
      .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
      .node(n -> n.id("n1").heartbeat("198.51.100.1"))
      .node(n -> n.id("n2").heartbeat("198.51.100.2"))
      .policy(p -> p.flapLimit(4, Duration.ofMinutes(1), Duration.ofMinutes(5)))
      .build();
  private static final FailoverPolicy POLICY = GROUP.policy();

  private static NodeMemory started(StateStore disk, VirtualScheduler clock) throws IOException {
    NodeMemory m = new NodeMemory(disk, clock, "n1", POLICY);
    m.start();
    return m;
  }

  private static String text(StateStore s) throws IOException {
    return new String(java.util.Objects.requireNonNull(s.load()), StandardCharsets.UTF_8);
  }

  @Test
  void theIncarnationGrowsOnEveryStartEvenWhenTheWallClockSteppedBack() throws IOException {
    assertThat(NodeMemory.nextIncarnation(0, JAN_2026, 7)).isEqualTo(JAN_2026 * 1000 + 7);
    long stored = JAN_2026 * 1000 + 7;
    assertThat(NodeMemory.nextIncarnation(stored, JAN_2026 - HOUR, 8))
        .as("the clock stepped back an hour: one above the stored one").isEqualTo(stored + 1);
    assertThat(NodeMemory.nextIncarnation(stored, JAN_2026 + HOUR, 8))
        .as("the clock went on: from the clock").isEqualTo((JAN_2026 + HOUR) * 1000 + 8);
    assertThat(NodeMemory.nextIncarnation(0, -5, 1)).as("a clock before 1970").isEqualTo(1001);

    InMemoryStateStore disk = new InMemoryStateStore("disk");
    long first = new NodeMemory(disk, new VirtualScheduler(JAN_2026), "n1", POLICY).start();
    assertThat(text(disk)).contains("incarnation " + first);
    long[] previous = {first};
    for (long wall : new long[] {JAN_2026 - HOUR, JAN_2026 - 2 * HOUR, JAN_2026 - 3 * HOUR}) {
      long next = new NodeMemory(disk, new VirtualScheduler(wall), "n1", POLICY).start();
      assertThat(next).as("restart with the wall clock at %d", wall).isGreaterThan(previous[0]);
      previous[0] = next;
    }
    long without = new NodeMemory(null, new VirtualScheduler(JAN_2026 - HOUR), "n1", POLICY)
        .start();
    assertThat(without).as("without a store only the wall clock counts").isLessThan(first);
  }

  @Test
  void theFlapRecordSurvivesARestartOnTheNewProcesssClock() throws IOException {
    InMemoryStateStore disk = new InMemoryStateStore("disk");
    VirtualScheduler before = new VirtualScheduler(JAN_2026);
    NodeMemory m = started(disk, before);
    before.runUntil(Duration.ofSeconds(30).toNanos());
    long now = before.nanoTime();
    Planner planner = Planner.forNode(GROUP, "n1");
    FlapRecord r = new FlapRecord(List.of(now - 20_000_000_000L, now - 5_000_000_000L),
        now + Duration.ofMinutes(2).toNanos(), true);
    m.remember(planner.initial().withFlapRecord("n1", r));
    assertThat(text(disk)).contains("returnPlanned true").contains("suspendedUntil "
        + (JAN_2026 + 30_000 + 120_000));

    // A new process 10 s later, its monotonic clock starting again at 0.
    VirtualScheduler after = new VirtualScheduler(JAN_2026 + 40_000);
    NodeMemory again = new NodeMemory(disk, after, "n1", POLICY);
    again.start();
    FlapRecord back = again.restore(planner.initial()).flapRecord("n1");
    assertThat(back.changes()).containsExactly(-30_000_000_000L, -15_000_000_000L);
    assertThat(back.suspendedUntil()).isEqualTo(Duration.ofSeconds(110).toNanos());
    assertThat(back.returnPlanned()).isTrue();
    assertThat(again.restore(planner.initial()).isSuspended("n1", 0)).isTrue();

    // The wall clock stepped back a day: no change in the future, no suspension beyond 5 min.
    VirtualScheduler stepped = new VirtualScheduler(JAN_2026 - 24 * HOUR);
    NodeMemory third = new NodeMemory(disk, stepped, "n1", POLICY);
    third.start();
    FlapRecord s = third.restore(planner.initial()).flapRecord("n1");
    assertThat(s.changes()).containsExactly(0L, 0L);
    assertThat(s.suspendedUntil()).isEqualTo(Duration.ofMinutes(5).toNanos());
  }

  @Test
  void aCorruptOrUnwritableStoreFailsTheStartNamingIt(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("g-n1.state");
    StateStore store = StateStore.file(file);
    NodeMemory ok = new NodeMemory(store, new VirtualScheduler(JAN_2026), "n1", POLICY);
    long inc = ok.start();
    assertThat(Files.readString(file)).startsWith("vipha-state 1\nincarnation " + inc + "\n");
    assertThat(dir.resolve("g-n1.state.tmp")).doesNotExist();

    for (String bad : new String[] {"", "hello\n", "vipha-state 1\nincarnation x\nflaps\n"
        + "suspendedUntil none\nreturnPlanned false\n", "vipha-state 1\nincarnation 5\nflaps 1 y\n"
        + "suspendedUntil none\nreturnPlanned false\n", "vipha-state 1\nincarnation 5\nflaps\n"
        + "suspendedUntil soon\nreturnPlanned false\n", "vipha-state 1\nincarnation 5\nflaps\n"
        + "suspendedUntil none\nreturnPlanned maybe\n", "vipha-state 1\nincarnation -1\nflaps\n"
        + "suspendedUntil none\nreturnPlanned false\n"}) {
      Files.writeString(file, bad);
      assertThatThrownBy(() -> new NodeMemory(store, new VirtualScheduler(JAN_2026), "n1",
          POLICY).start()).as("%s", bad).isInstanceOf(StateStoreException.class)
          .hasMessageContaining(file.toString()).hasMessageContaining("is corrupt")
          .hasMessageContaining("move it away");
    }

    StateStore nowhere = StateStore.file(dir.resolve("missing-dir").resolve("g-n1.state"));
    assertThatThrownBy(() -> new NodeMemory(nowhere, new VirtualScheduler(JAN_2026), "n1",
        POLICY).start()).isInstanceOf(StateStoreException.class)
        .hasMessageContaining("cannot write the node state")
        .hasMessageContaining("missing-dir");
  }

  @Test
  void anEchoedSuspensionIsAdoptedCappedAtSuspendForButNeverOneUntilCleared() throws IOException {
    InMemoryStateStore disk = new InMemoryStateStore("disk");
    NodeMemory m = started(disk, new VirtualScheduler(JAN_2026));
    Plan initial = Planner.forNode(GROUP, "n1").initial();
    long now = 0;
    Plan p = m.adoptEchoed(initial, now + Duration.ofMinutes(2).toNanos(), now);
    assertThat(p.suspendedUntil("n1")).isEqualTo(now + Duration.ofMinutes(2).toNanos());
    assertThat(text(disk)).doesNotContain("suspendedUntil none");
    assertThat(m.adoptEchoed(p, now + Duration.ofMinutes(1).toNanos(), now))
        .as("its own lasts longer").isSameAs(p);
    assertThat(m.adoptEchoed(initial, now + Duration.ofDays(1).toNanos(), now)
        .suspendedUntil("n1")).as("capped at suspendFor")
        .isEqualTo(now + Duration.ofMinutes(5).toNanos());
    assertThat(m.adoptEchoed(initial, Plan.NEVER, now)).as("until cleared: not from an echo")
        .isSameAs(initial);
    assertThat(m.adoptEchoed(initial, now, now)).as("already over").isSameAs(initial);
  }

  @Test
  void withoutAStoreNothingIsRestored() throws IOException {
    NodeMemory m = new NodeMemory(null, new VirtualScheduler(JAN_2026), "n1", POLICY);
    m.start();
    Plan initial = Planner.forNode(GROUP, "n1").initial();
    assertThat(m.restore(initial)).isSameAs(initial);
    m.remember(initial); // nothing to write to, nothing thrown
  }

  /**
   * A store that waits for a disk ({@link StateStore#slow()}): the start saves on the caller's
   * thread, later changes from the memory's own thread, the latest only, and the event loop never
   * waits; a failed save is logged and made again on the next plan; close waits for the last.
   */
  @Test
  void aSlowStoreIsSavedOffTheLoopKeepingOnlyTheLatestRecord() throws Exception {
    SlowDisk slow = new SlowDisk();
    CountDownLatch disk = slow.disk;
    List<String> threads = slow.threads;
    AtomicBoolean fail = slow.fail;
    AtomicInteger failures = slow.failures;
    VirtualScheduler clock = new VirtualScheduler(JAN_2026);
    NodeMemory m = started(slow, clock);
    assertThat(threads).containsExactly(Thread.currentThread().getName());
    Planner planner = Planner.forNode(GROUP, "n1");
    Plan initial = planner.initial();
    for (int i = 1; i <= 3; i++) {
      // each returns at once although the first save waits for the disk
      m.remember(initial.withFlapRecord("n1", new FlapRecord(List.of(), i * 1_000_000_000L,
          false)));
    }
    assertThat(text(slow)).as("nothing written yet").contains("suspendedUntil none");
    disk.countDown();
    m.close(Duration.ofSeconds(30));
    assertThat(text(slow)).contains("suspendedUntil " + (JAN_2026 + 3_000));
    assertThat(threads.subList(1, threads.size())).as("saved off the caller's thread, the"
        + " first and then only the latest").hasSizeBetween(1, 2)
        .allMatch(t -> t.equals("vipha-state-n1"));

    NodeMemory again = started(slow, clock);
    fail.set(true);
    again.remember(initial.withFlapRecord("n1", new FlapRecord(List.of(), 4_000_000_000L,
        false)));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (failures.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(failures.get()).as("the save failed").isEqualTo(1);
    fail.set(false);
    // the same record in a new plan: saved again, since the last save failed
    again.remember(initial.withFlapRecord("n1", new FlapRecord(List.of(), 4_000_000_000L,
        false)));
    again.close(Duration.ofSeconds(30));
    assertThat(text(slow)).contains("suspendedUntil " + (JAN_2026 + 4_000));
    int saves = threads.size();
    again.remember(initial.withFlapRecord("n1", new FlapRecord(List.of(), 5_000_000_000L,
        false)));
    assertThat(threads).as("after the stop nothing is saved: the stop saved its plan").hasSize(
        saves);
  }

  @Test
  void theWriterIsADaemonThreadAndAStopKeepsTheCallersInterrupt() throws Exception {
    SlowDisk slow = new SlowDisk();
    NodeMemory m = started(slow, new VirtualScheduler(JAN_2026));
    m.remember(Planner.forNode(GROUP, "n1").initial().withFlapRecord("n1",
        new FlapRecord(List.of(), 1_000_000_000L, false)));
    Thread.currentThread().interrupt(); // the stop is interrupted while the disk is busy
    m.close(Duration.ofSeconds(30));
    assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    slow.disk.countDown();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (slow.daemons.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(slow.daemons).as("the start's save, then the writer's, which never keeps the"
        + " JVM alive").containsExactly(false, true);
  }

  /**
   * A store that waits for a disk ({@link StateStore#slow()}): a save on any thread but the
   * first to save waits for {@link #disk} and then {@link #writeMillis}, and fails while
   * {@link #fail} is set.
   */
  static final class SlowDisk implements StateStore {
    final CountDownLatch disk = new CountDownLatch(1);
    /** The name of each saving thread, in order. */
    final List<String> threads = new CopyOnWriteArrayList<>();
    /** Whether each saving thread was a daemon, in order. */
    final List<Boolean> daemons = new CopyOnWriteArrayList<>();
    final AtomicBoolean fail = new AtomicBoolean();
    final AtomicInteger failures = new AtomicInteger();
    /** How long a save on any thread but the first takes once the disk is free. */
    volatile long writeMillis;
    private final AtomicReference<byte @Nullable []> bytes = new AtomicReference<>();

    @Override
    public byte @Nullable [] load() {
      return bytes.get();
    }

    @Override
    public void save(byte[] state) throws IOException {
      Thread me = Thread.currentThread();
      threads.add(me.getName());
      daemons.add(me.isDaemon());
      if (!threads.get(0).equals(me.getName())) {
        try {
          disk.await();
          Thread.sleep(writeMillis);
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      }
      if (fail.get()) {
        failures.incrementAndGet();
        throw new IOException("disk full");
      }
      bytes.set(state);
    }

    @Override
    public boolean slow() {
      return true;
    }
  }
}
