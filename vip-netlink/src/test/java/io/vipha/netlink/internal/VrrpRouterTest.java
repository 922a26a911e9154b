package io.vipha.netlink.internal;

import static io.vipha.netlink.internal.VrrpRouter.State.BACKUP;
import static io.vipha.netlink.internal.VrrpRouter.State.INITIALIZE;
import static io.vipha.netlink.internal.VrrpRouter.State.MASTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.netlink.internal.VrrpRouter.State;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import io.vipha.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The VRRP state machine in virtual time: the times of RFC 5798 to the nanosecond, the
 * transitions of §6.4, preemption and its delay, priority 0 on a stop and while ineligible.
 */
class VrrpRouterTest {
  private static final long SECOND = 1_000_000_000L;
  private final VirtualScheduler loop = new VirtualScheduler();

  /** What one router did, with the virtual time of each action. */
  private final class Log implements VrrpRouter.Actions {
    final List<String> events = new ArrayList<>();
    final List<Integer> sent = new ArrayList<>();
    long masterAt = -1;
    /** Run once, inside the next entry into MASTER (as the agent takes the VIPs). */
    @Nullable Runnable onMaster;
    int warmed;

    @Override
    public void warmMaster() {
      warmed++;
    }

    @Override
    public void advertise(int priority) {
      sent.add(priority);
      events.add(loop.nanoTime() + " advertise " + priority);
    }

    @Override
    public void entered(State state) {
      if (state == MASTER) {
        masterAt = loop.nanoTime();
      }
      events.add(loop.nanoTime() + " " + state);
      Runnable r = onMaster;
      if (state == MASTER && r != null) {
        onMaster = null;
        r.run();
      }
    }
  }

  private final Log log = new Log();

  private VrrpRouter router(int interval, int priority, boolean preempt, Duration delay) {
    return new VrrpRouter(loop, log, interval, priority, preempt, delay.toNanos());
  }

  /**
   * The Master_Down_Timer is a precise timer with a warm-up, which warms the entry into MASTER
   * only while this router is a backup that would take it (not at priority 0, not as master).
   */
  @Test
  void theMasterDownTimersWarmUpWarmsTheEntryIntoMasterOnlyForABackupThatWouldTakeIt() {
    List<Runnable> warmUps = new ArrayList<>();
    Scheduler recording = new Scheduler() {
      @Override
      public long nanoTime() {
        return loop.nanoTime();
      }

      @Override
      public Cancellable schedule(long delayNanos, Runnable task) {
        return loop.schedule(delayNanos, task);
      }

      @Override
      public long wallMillis() {
        return loop.wallMillis();
      }

      @Override
      public Timer preciseTimer(Runnable task, Runnable warmUp) {
        warmUps.add(warmUp);
        return loop.preciseTimer(task);
      }
    };
    VrrpRouter r = new VrrpRouter(recording, log, 100, 100, true, 0);
    assertThat(warmUps).hasSize(1);
    Runnable warmUp = warmUps.get(0);
    warmUp.run();
    assertThat(log.warmed).as("initialize").isZero();
    r.start();
    assertThat(r.state()).isEqualTo(BACKUP);
    warmUp.run();
    assertThat(log.warmed).isEqualTo(1);
    r.priority(0);
    warmUp.run();
    assertThat(log.warmed).as("priority 0").isEqualTo(1);
    r.priority(100);
    loop.advance(Duration.ofNanos(r.masterDownInterval()));
    assertThat(r.state()).isEqualTo(MASTER);
    warmUp.run();
    assertThat(log.warmed).as("master").isEqualTo(1);
  }

  @Test
  void theTimesOfRfc5798() {
    VrrpRouter r = router(100, 100, true, Duration.ZERO);
    // ((256 - 100) × 100 cs) / 256 = 0.609375 s; 3 × 1 s + skew.
    assertThat(r.skewTime()).isEqualTo(609_375_000L);
    assertThat(r.masterDownInterval()).isEqualTo(3_609_375_000L);
    VrrpRouter fast = router(1, 254, true, Duration.ZERO);
    assertThat(fast.skewTime()).isEqualTo(78_125L);
    assertThat(fast.masterDownInterval()).isEqualTo(30_078_125L);
  }

  @Test
  void theAddressOwnerIsMasterAtOnceAndAdvertisesEveryInterval() {
    VrrpRouter r = router(100, 255, true, Duration.ZERO);
    r.start();
    assertThat(r.state()).isEqualTo(MASTER);
    loop.advance(Duration.ofMillis(3_500));
    assertThat(log.events).containsExactly("0 MASTER", "0 advertise 255",
        SECOND + " advertise 255", 2 * SECOND + " advertise 255", 3 * SECOND + " advertise 255");
  }

  @Test
  void aBackupAloneTakesOverAfterMasterDownInterval() {
    VrrpRouter r = router(100, 100, true, Duration.ZERO);
    r.start();
    assertThat(r.state()).isEqualTo(BACKUP);
    loop.runUntil(3_609_374_999L);
    assertThat(r.state()).isEqualTo(BACKUP);
    assertThat(log.sent).isEmpty();
    loop.runUntil(3_609_375_000L);
    assertThat(r.state()).isEqualTo(MASTER);
    assertThat(log.sent).containsExactly(100);
  }

  @Test
  void aBackupFollowsTheMastersIntervalAndTakesOverWhenItFallsSilent() {
    VrrpRouter r = router(100, 100, true, Duration.ZERO);
    r.start();
    for (int i = 0; i < 5; i++) { // a master of priority 150 advertising every 100 ms
      loop.advance(Duration.ofMillis(100));
      r.received(150, 10, 1);
    }
    assertThat(r.masterInterval()).isEqualTo(10);
    long last = loop.nanoTime();
    // 3 × 100 ms + (156 × 100 ms) / 256 = 360.9375 ms after the last advertisement.
    loop.runUntil(last + 360_937_499L);
    assertThat(r.state()).isEqualTo(BACKUP);
    loop.runUntil(last + 360_937_500L);
    assertThat(r.state()).isEqualTo(MASTER);
    assertThat(log.masterAt).isEqualTo(last + 360_937_500L);
  }

  @Test
  void aBackupTakesTheAddressesBeforeItsFirstAdvertisementAsKeepalivedDoes() {
    VrrpRouter r = router(10, 100, true, Duration.ZERO);
    r.start();
    loop.advance(Duration.ofMillis(100));
    r.received(150, 10, 1);
    long down = loop.nanoTime() + r.masterDownInterval();
    loop.runUntil(down);
    assertThat(log.events).containsExactly("0 BACKUP", down + " MASTER", down + " advertise 100");
    loop.runUntil(down + 100_000_000L);
    assertThat(log.events).endsWith(down + " advertise 100",
        (down + 100_000_000L) + " advertise 100");
  }

  @Test
  void aPriorityChangedWhileTheAddressesAreTakenIsTheFirstAdvertisementAndNoSecondFollows() {
    VrrpRouter r = router(10, 100, true, Duration.ZERO);
    log.onMaster = () -> r.priority(90); // a health check failed while the VIPs were added
    r.start();
    long down = r.masterDownInterval();
    loop.runUntil(down + 100_000_000L);
    assertThat(log.events).containsExactly("0 BACKUP", down + " MASTER", down + " advertise 90",
        (down + 100_000_000L) + " advertise 90");
  }

  @Test
  void aBackupThatMayNotBeMasterAfterAllLeavesWithoutAdvertisingItsOldPriority() {
    VrrpRouter r = router(10, 100, true, Duration.ZERO);
    log.onMaster = () -> r.priority(0); // the node may not own the VIPs after all
    r.start();
    long down = r.masterDownInterval();
    loop.runUntil(down + 100_000_000L);
    assertThat(log.events).containsExactly("0 BACKUP", down + " MASTER", down + " advertise 0",
        down + " BACKUP");
    assertThat(r.state()).isEqualTo(BACKUP);
  }

  @Test
  void theMasterDownTimerRunsFromTheAdvertisementsReceiptNotFromWhenTheLoopTookIt() {
    VrrpRouter r = router(100, 100, true, Duration.ZERO);
    r.start();
    loop.advance(Duration.ofMillis(100));
    long receipt = loop.nanoTime();
    loop.advance(Duration.ofMillis(50)); // the loop takes it 50 ms late
    r.received(150, 10, 1, receipt);
    loop.runUntil(receipt + 360_937_499L);
    assertThat(r.state()).isEqualTo(BACKUP);
    loop.runUntil(receipt + 360_937_500L);
    assertThat(r.state()).isEqualTo(MASTER);
    assertThat(log.masterAt).isEqualTo(receipt + 360_937_500L);
  }

  @Test
  void priorityZeroLetsTheBackupTakeOverWithinItsSkewTime() {
    VrrpRouter r = router(100, 100, true, Duration.ZERO);
    r.start();
    loop.advance(Duration.ofSeconds(1));
    r.received(150, 100, 1);
    loop.advance(Duration.ofMillis(200));
    r.received(0, 100, 1);
    long at = loop.nanoTime();
    loop.advance(Duration.ofSeconds(1));
    assertThat(log.masterAt).isEqualTo(at + 609_375_000L);
  }

  @Test
  void aMasterStepsDownForAHigherPriorityOrAHigherAddressOnATie() {
    VrrpRouter r = router(100, 100, true, Duration.ZERO);
    r.start();
    loop.advance(Duration.ofSeconds(4));
    assertThat(r.state()).isEqualTo(MASTER);
    r.received(99, 100, 1);
    r.received(100, 100, -1);
    assertThat(r.state()).as("lower priority, or a tie with a lower address").isEqualTo(MASTER);
    r.received(100, 100, 1);
    assertThat(r.state()).isEqualTo(BACKUP);
    r.start(); // not in INITIALIZE: nothing happens
    assertThat(r.state()).isEqualTo(BACKUP);
    VrrpRouter s = new VrrpRouter(loop, new Log(), 100, 200, true, 0);
    s.start();
    loop.advance(Duration.ofSeconds(4));
    s.received(201, 50, -1);
    assertThat(s.state()).isEqualTo(BACKUP);
    assertThat(s.masterInterval()).isEqualTo(50);
  }

  @Test
  void aMasterAnswersPriorityZeroWithAnAdvertisementAtOnce() {
    VrrpRouter r = router(100, 255, true, Duration.ZERO);
    r.start();
    loop.advance(Duration.ofMillis(500));
    r.received(0, 100, 1);
    loop.advance(Duration.ofMillis(1_100));
    // Answered at once, and the next one an interval later (not at 1 s).
    assertThat(log.events).containsExactly("0 MASTER", "0 advertise 255",
        SECOND / 2 + " advertise 255", SECOND / 2 * 3 + " advertise 255");
  }

  @Test
  void aBetterBackupPreemptsALowerMasterUnlessPreemptionIsOff() {
    for (boolean preempt : new boolean[] {true, false}) {
      Log l = new Log();
      VrrpRouter r = new VrrpRouter(loop, l, 100, 150, preempt, 0);
      r.start();
      long start = loop.nanoTime();
      for (int i = 0; i < 10; i++) {
        loop.advance(Duration.ofSeconds(1));
        r.received(100, 100, 1);
      }
      if (preempt) {
        // The lower master's advertisements are discarded: Master_Down_Interval from the start.
        assertThat(l.masterAt).isEqualTo(start + r.masterDownInterval());
      } else {
        assertThat(r.state()).isEqualTo(BACKUP);
      }
      r.stop();
    }
  }

  @Test
  void thePreemptDelayCountsFromWhenTheBackupBecameEligible() {
    VrrpRouter r = router(100, 150, true, Duration.ofSeconds(10));
    r.start();
    long start = loop.nanoTime();
    for (int i = 0; i < 20 && r.state() == BACKUP; i++) {
      loop.advance(Duration.ofSeconds(1));
      r.received(100, 100, 1);
    }
    // The advertisement at 9 s is the last it heeds (eligible for less than 10 s); the lower
    // master's later ones are discarded, so it preempts a down interval after that one.
    assertThat(log.masterAt).isEqualTo(start + 9 * SECOND + r.masterDownInterval());
  }

  @Test
  void aStoppedMasterSendsPriorityZero() {
    VrrpRouter r = router(100, 255, true, Duration.ZERO);
    r.start();
    loop.advance(Duration.ofMillis(1_500));
    r.stop();
    assertThat(r.state()).isEqualTo(INITIALIZE);
    loop.advance(Duration.ofSeconds(5));
    assertThat(log.sent).containsExactly(255, 255, 0);
    VrrpRouter b = router(100, 100, true, Duration.ZERO);
    b.start();
    b.stop();
    loop.advance(Duration.ofSeconds(5));
    assertThat(b.state()).isEqualTo(INITIALIZE);
    assertThat(log.sent).containsExactly(255, 255, 0);
    assertThat(loop.pending()).isZero();
  }

  @Test
  void anIneligibleRouterStepsDownAndNeverTakesOverUntilEligibleAgain() {
    VrrpRouter r = router(100, 100, true, Duration.ZERO);
    r.start();
    loop.advance(Duration.ofSeconds(4));
    assertThat(r.state()).isEqualTo(MASTER);
    r.priority(80);
    assertThat(log.sent).as("a changed priority is advertised at once").containsExactly(100, 80);
    r.priority(0);
    assertThat(r.state()).isEqualTo(BACKUP);
    assertThat(log.sent).containsExactly(100, 80, 0);
    loop.advance(Duration.ofSeconds(30));
    assertThat(r.state()).as("no master, but ineligible").isEqualTo(BACKUP);
    long back = loop.nanoTime();
    r.priority(100);
    loop.advance(Duration.ofSeconds(1));
    assertThat(log.masterAt).as("after the skew time").isEqualTo(back + r.skewTime());
    assertThatThrownBy(() -> r.priority(256)).hasMessage("a VRRP priority is 0-255; got 256");
  }

  @Test
  void twoRoutersElectOneMasterAndTheBackupTakesOverWhenItCrashes() {
    Log high = new Log();
    Log low = new Log();
    List<VrrpRouter> routers = new ArrayList<>();
    boolean[] crashed = {false};
    VrrpRouter.Actions toLow = new VrrpRouter.Actions() {
      @Override
      public void advertise(int priority) {
        high.advertise(priority);
        if (!crashed[0]) {
          loop.schedule(100_000, () -> routers.get(1).received(priority, 100, 1));
        }
      }

      @Override
      public void entered(State state) {
        high.entered(state);
      }
    };
    VrrpRouter.Actions toHigh = new VrrpRouter.Actions() {
      @Override
      public void advertise(int priority) {
        low.advertise(priority);
        loop.schedule(100_000, () -> routers.get(0).received(priority, 100, -1));
      }

      @Override
      public void entered(State state) {
        low.entered(state);
      }
    };
    routers.add(new VrrpRouter(loop, toLow, 100, 150, true, 0));
    routers.add(new VrrpRouter(loop, toHigh, 100, 100, true, 0));
    routers.get(1).start();
    loop.advance(Duration.ofSeconds(1));
    routers.get(0).start();
    loop.advance(Duration.ofSeconds(20));
    // The low router's down interval (3.609375 s) ends first, so it is master for a moment;
    // the high one's (3 s + 106/256 s from its start at 1 s) ends at 4.4140625 s and it takes
    // over from the lower master, which steps down on its first advertisement.
    assertThat(routers.get(0).state()).isEqualTo(MASTER);
    assertThat(routers.get(1).state()).isEqualTo(BACKUP);
    assertThat(high.masterAt).isEqualTo(4_414_062_500L);
    assertThat(low.sent).containsExactly(100);
    crashed[0] = true; // at 21 s: the last advertisement arrived at 20.4141625 s
    loop.advance(Duration.ofSeconds(5));
    assertThat(routers.get(1).state()).isEqualTo(MASTER);
    assertThat(low.masterAt).isEqualTo(20_414_162_500L + 3_609_375_000L);
  }
}
