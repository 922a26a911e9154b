package io.vipha.health;

import io.vipha.Invalid;
import io.vipha.testing.VirtualScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The monitor on virtual time: probes run inline or by hand, so every instant is exact. */
class HealthMonitorTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  private final VirtualScheduler time = new VirtualScheduler();
  private final List<String> transitions = new ArrayList<>();
  private final long t0 = time.nanoTime();

  /** A custom probe that returns results from a script: S success, F failure, X throws. */
  private final class Script implements Callable<Boolean> {
    private final String results;
    private int next;
    final List<Long> calledAt = new ArrayList<>();

    Script(String results) {
      this.results = results;
    }

    @Override
    public Boolean call() {
      calledAt.add(time.nanoTime() - t0);
      if (next == results.length()) {
        throw new AssertionError("script " + results + " exhausted");
      }
      char c = results.charAt(next++);
      if (c == 'X') {
        throw new IllegalStateException("scripted failure");
      }
      return c == 'S';
    }
  }

  private static HealthCheck.Builder check(String name, Callable<Boolean> probe) {
    return HealthCheck.custom(name, probe).interval(SECOND).timeout(Duration.ofMillis(200));
  }

  private HealthMonitor.Builder monitor(Executor executor) {
    return HealthMonitor.builder().executor(executor).scheduler(time)
        .listener((c, healthy, detail) -> transitions.add(
            (time.nanoTime() - t0) / 1_000_000 + "ms " + c.name() + " " + (healthy ? "up" : "down")
                + " (" + detail + ")"));
  }

  private HealthMonitor monitor(HealthCheck... checks) {
    return monitor(Runnable::run).checks(List.of(checks)).build();
  }

  /** Advances to {@code n} seconds after the start (probes run at 0s, 1s, 2s, ...). */
  private void at(int seconds) {
    time.advance(Duration.ofNanos(t0 + seconds * 1_000_000_000L - time.nanoTime()));
  }

  private static HealthStatus status(HealthMonitor m, String name) {
    return Objects.requireNonNull(m.status(name), name);
  }

  // ---- initial state --------------------------------------------------------------------------

  @Test
  void everyCheckStartsUnhealthy() {
    HealthMonitor m = monitor(
        check("dq", new Script("")).build(),
        check("bonus", new Script("")).weight(10).build(),
        check("penalty", new Script("")).weight(-20).build());

    assertThat(m.statuses()).extracting(HealthStatus::name, HealthStatus::healthy,
        HealthStatus::probes, HealthStatus::lastDetail).containsExactly(
        tuple("dq", false, 0L, "not probed yet"),
        tuple("bonus", false, 0L, "not probed yet"),
        tuple("penalty", false, 0L, "not probed yet"));
    assertThat(m.priorityDelta()).isEqualTo(-20);
    assertThat(m.disqualified()).isTrue();
    assertThat(transitions).isEmpty();
  }

  @Test
  void aNodeWithoutChecksIsNeitherAdjustedNorDisqualified() {
    HealthMonitor m = monitor();
    m.start();

    assertThat(m.priorityDelta()).isZero();
    assertThat(m.disqualified()).isFalse();
    assertThat(m.statuses()).isEmpty();
  }

  // ---- rise and fall --------------------------------------------------------------------------

  @Test
  void becomesHealthyExactlyAtTheRiseThProbeAndUnhealthyAtTheFallTh() {
    Script script = new Script("SSSFSFFS");
    HealthMonitor m = monitor(check("app", script).rise(3).fall(2).build());
    m.start();

    at(0);
    assertThat(m.disqualified()).isTrue();
    at(1);
    assertThat(m.disqualified()).isTrue();
    assertThat(transitions).isEmpty();
    at(2); // third success
    assertThat(m.disqualified()).isFalse();
    assertThat(transitions).containsExactly("2000ms app up (returned true)");
    at(3); // F
    at(4); // S resets the failures
    at(5); // F
    assertThat(m.disqualified()).isFalse();
    at(6); // F F: second consecutive failure
    assertThat(m.disqualified()).isTrue();
    at(7); // S: one success is not three
    assertThat(m.disqualified()).isTrue();

    assertThat(script.calledAt).containsExactly(0L, 1_000_000_000L, 2_000_000_000L,
        3_000_000_000L, 4_000_000_000L, 5_000_000_000L, 6_000_000_000L, 7_000_000_000L);
    assertThat(transitions).containsExactly("2000ms app up (returned true)",
        "6000ms app down (returned false)");
  }

  @Test
  void withDefaultsAHealthyCheckCountsAfterTwoProbesAndFailsAfterThree() {
    HealthMonitor m = monitor(HealthCheck.custom("app", new Script("SSFFF"))
        .timeout(Duration.ofMillis(500)).build()); // interval 2s, rise 2, fall 3
    m.start();

    at(0);
    assertThat(m.disqualified()).isTrue();
    at(2);
    assertThat(m.disqualified()).isFalse();
    at(6);
    assertThat(m.disqualified()).isFalse();
    at(8);
    assertThat(m.disqualified()).isTrue();
    assertThat(transitions).containsExactly("2000ms app up (returned true)",
        "8000ms app down (returned false)");
  }

  @Test
  void theListenerHearsOnlyTransitions() {
    HealthMonitor m = monitor(check("app", new Script("SSSSSFFFFFS")).rise(1).fall(1).build());
    m.start();

    at(10);

    assertThat(transitions).containsExactly("0ms app up (returned true)",
        "5000ms app down (returned false)", "10000ms app up (returned true)");
  }

  @Test
  void anExceptionIsAFailure() {
    HealthMonitor m = monitor(check("app", new Script("SXX")).rise(1).fall(2).build());
    m.start();

    at(2);

    assertThat(transitions).containsExactly("0ms app up (returned true)",
        "2000ms app down (threw: IllegalStateException: scripted failure)");
  }

  // ---- effects and the aggregate --------------------------------------------------------------

  @Test
  void weightsAddUpAndDisqualificationFollowsItsCheck() {
    HealthMonitor m = monitor(
        check("bonus", new Script("SSSSFFFF")).rise(2).fall(2).weight(10).build(),
        check("bonus2", new Script("SSSSSSSS")).rise(1).fall(1).weight(5).build(),
        check("penalty", new Script("SSSSSSFF")).rise(3).fall(1).weight(-20).build(),
        check("dq", new Script("FSSSSSSF")).rise(1).fall(1).build());
    m.start();
    List<String> seen = new ArrayList<>();

    for (int s = 0; s < 8; s++) {
      at(s);
      seen.add(s + ": " + m.priorityDelta() + (m.disqualified() ? " dq" : ""));
    }

    assertThat(seen).containsExactly(
        "0: -15 dq", // bonus2 up; penalty not yet risen; dq failed
        "1: -5", // bonus up
        "2: 15", // penalty risen: no more penalty
        "3: 15",
        "4: 15",
        "5: 5", // bonus down after its second failure
        "6: -15", // penalty down at its first failure
        "7: -15 dq");
    assertThat(m.statuses()).extracting(HealthStatus::name, HealthStatus::priorityDelta,
        HealthStatus::disqualifies).containsExactly(tuple("bonus", 0, false),
        tuple("bonus2", 5, false), tuple("penalty", -20, false), tuple("dq", 0, true));
  }

  @Test
  void theListenerSeesTheAggregateAfterTheChange() {
    List<Integer> deltas = new ArrayList<>();
    HealthMonitor[] holder = new HealthMonitor[1];
    HealthMonitor m = monitor(Runnable::run)
        .check(check("bonus", new Script("SF")).rise(1).fall(1).weight(10).build())
        .listener((c, healthy, detail) -> deltas.add(holder[0].priorityDelta()))
        .build();
    holder[0] = m;
    m.start();

    at(1);

    assertThat(deltas).containsExactly(10, 0);
  }

  // ---- the snapshot ---------------------------------------------------------------------------

  @Test
  void theSnapshotHoldsCountsDetailAndLastChange() {
    HealthMonitor m = monitor(check("app", new Script("SSSFF")).rise(2).fall(3).build());
    m.start();

    at(0);
    HealthStatus s0 = m.status("app");
    at(4);
    HealthStatus s4 = m.status("app");

    assertThat(s0).isEqualTo(new HealthStatus(m.checks().get(0), false, 1, 0, "returned true", t0,
        1));
    assertThat(s4).isEqualTo(new HealthStatus(m.checks().get(0), true, 0, 2, "returned false",
        t0 + 1_000_000_000L, 5));
    assertThat(m.status("nope")).isNull();
  }

  // ---- abandoned, rejected and dispatched probes ----------------------------------------------

  /** Keeps submitted probes for the test to run, or never. */
  private static final class HeldExecutor implements Executor {
    final Queue<Runnable> held = new ArrayDeque<>();

    @Override
    public void execute(Runnable r) {
      held.add(r);
    }

    void runAll() {
      for (Runnable r = held.poll(); r != null; r = held.poll()) {
        r.run();
      }
    }
  }

  @Test
  void aProbeWithoutResultIsAbandonedAfterTimeoutAndGrace() {
    HeldExecutor executor = new HeldExecutor();
    Script script = new Script("SSS");
    HealthMonitor m = monitor(executor).check(check("app", script).rise(1).fall(1).build())
        .build();
    m.start();

    time.runDue();
    executor.runAll(); // the first probe runs
    time.runDue(); // its result comes back
    assertThat(m.disqualified()).isFalse();

    at(1); // the second probe is submitted but never runs
    time.advance(Duration.ofMillis(299));
    assertThat(m.disqualified()).isFalse();
    time.advance(Duration.ofMillis(1)); // timeout 200ms + grace min(100ms, 800ms / 2)
    assertThat(m.disqualified()).isTrue();
    assertThat(transitions).containsExactly("0ms app up (returned true)",
        "1300ms app down (no result within 200ms; probe abandoned)");

    executor.runAll(); // the abandoned probe finally gets a thread: it does not even start
    time.runDue();
    assertThat(script.calledAt).hasSize(1);
    assertThat(status(m, "app").probes()).isEqualTo(2);
  }

  @Test
  void anOverrunningProbeIsInterruptedAndItsLateResultIgnored() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    Executor ownThread = r -> {
      Thread t = new Thread(r, "probe");
      threads.add(t);
      t.start();
    };
    HealthMonitor m = monitor(ownThread).check(check("app", () -> {
      started.countDown();
      try {
        Thread.sleep(60_000);
        return true;
      } catch (InterruptedException e) {
        interrupted.set(true);
        return true; // a late "healthy" that must not count
      }
    }).rise(1).fall(1).build()).build();
    m.start();

    time.runDue();
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    time.advance(Duration.ofMillis(300));
    threads.get(0).join(5_000);
    time.runDue();

    assertThat(interrupted).isTrue();
    assertThat(status(m, "app").lastDetail()).isEqualTo("no result within 200ms; probe abandoned");
    assertThat(status(m, "app").healthy()).isFalse();
    assertThat(status(m, "app").consecutiveFailures()).isEqualTo(1);
    m.stop();
  }

  @Test
  void aRejectedProbeIsAFailure() {
    HealthMonitor m = monitor(r -> {
      throw new RejectedExecutionException("pool is full");
    }).check(check("app", new Script("")).build()).build();
    m.start();

    at(0);

    assertThat(status(m, "app").lastDetail())
        .isEqualTo("probe not run: RejectedExecutionException: pool is full");
    assertThat(status(m, "app").consecutiveFailures()).isEqualTo(1);
  }

  @Test
  void eachKindGoesToItsProber() {
    List<String> calls = new ArrayList<>();
    HealthMonitor m = monitor(Runnable::run)
        .check(HealthCheck.tcp("t", "127.0.0.1:1").build())
        .check(HealthCheck.http("h", "http://127.0.0.1:1/").build())
        .check(HealthCheck.exec("e", "/bin/check").build())
        .check(HealthCheck.custom("c", () -> true).build())
        .tcpProber((t, timeout, c) -> {
          calls.add(t + " " + timeout);
          return ProbeResult.healthy("fake");
        })
        .httpProber((t, timeout, c) -> {
          calls.add(t + " " + timeout);
          return ProbeResult.healthy("fake");
        })
        .execProber((t, timeout, c) -> {
          calls.add(t + " " + timeout);
          return ProbeResult.healthy("fake");
        })
        .customProber((t, timeout, c) -> {
          calls.add(t + " " + timeout);
          return ProbeResult.healthy("fake");
        })
        .build();
    m.start();

    time.runDue();

    assertThat(calls).containsExactly("tcp 127.0.0.1:1 PT1S",
        "http http://127.0.0.1:1/ expecting 200 PT1S", "exec [/bin/check] PT1S", "custom PT1S");
  }

  @Test
  void aThrowingProberIsAFailure() {
    HealthMonitor m = monitor(Runnable::run)
        .check(HealthCheck.tcp("t", "127.0.0.1:1").build())
        .tcpProber((t, timeout, c) -> {
          throw new java.io.IOException("no route");
        })
        .build();
    m.start();

    time.runDue();

    assertThat(status(m, "t").lastDetail()).isEqualTo("probe failed: IOException: no route");
  }

  @Test
  void aFailingListenerDoesNotStopTheMonitor() {
    HealthMonitor m = monitor(Runnable::run)
        .check(check("app", new Script("SF")).rise(1).fall(1).build())
        .listener((c, healthy, detail) -> {
          throw new IllegalStateException("listener bug");
        })
        .build();
    m.start();

    at(1);

    assertThat(status(m, "app").probes()).isEqualTo(2);
    assertThat(status(m, "app").healthy()).isFalse();
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  @Test
  void stopCancelsPendingProbesAndFreezesTheState() {
    Script script = new Script("SS");
    HealthMonitor m = monitor(check("app", script).rise(1).build());
    m.start();
    at(0);

    m.stop();
    at(10);

    assertThat(script.calledAt).containsExactly(0L);
    assertThat(time.pending()).isZero();
    assertThat(status(m, "app").healthy()).isTrue();
    m.stop(); // idempotent
  }

  @Test
  void stopCancelsARunningProbe() {
    HeldExecutor executor = new HeldExecutor();
    Script script = new Script("S");
    HealthMonitor m = monitor(executor).check(check("app", script).build()).build();
    m.start();
    time.runDue();

    m.stop();
    executor.runAll();
    time.runDue();

    assertThat(script.calledAt).isEmpty();
    assertThat(status(m, "app").probes()).isZero();
    assertThat(time.pending()).isZero();
  }

  @Test
  void startsOnce() {
    HealthMonitor m = monitor(check("app", new Script("")).build());
    m.start();

    assertThatThrownBy(m::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already started");
    m.stop();
    assertThatThrownBy(m::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopped");
  }

  @Test
  void checkNamesAreUnique() {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> monitor(
        check("a", () -> true).build(), check("b", () -> true).build(),
        check("a", () -> true).build()));

    assertThat(t).isInstanceOf(ValidationException.class);
    assertThat(((ValidationException) t).problems()).extracting(Problem::path)
        .containsExactly("healthChecks[2].name");
  }

  @Test
  void anInvalidCheckIsReportedUnderItsIndex() {
    List<Problem> problems = Invalid.problems(() -> monitor(Runnable::run)
        .check(b -> b.name("a").custom(() -> true))
        .check(b -> b.name("b").custom(() -> true).timeout(Duration.ofSeconds(3))));

    assertThat(problems).extracting(Problem::path).containsExactly("healthChecks[1].timeout");
  }

  @Test
  void theWatchdogFiresBeforeTheNextProbe() {
    HealthCheck tight = HealthCheck.custom("c", () -> true).interval(Duration.ofMillis(100))
        .timeout(Duration.ofMillis(90)).build();
    HealthCheck roomy = HealthCheck.custom("c", () -> true).interval(Duration.ofSeconds(10))
        .timeout(Duration.ofSeconds(1)).build();

    assertThat(HealthMonitor.watchdogDelay(tight)).isEqualTo(95_000_000L);
    assertThat(HealthMonitor.watchdogDelay(roomy)).isEqualTo(1_100_000_000L);
  }

  // ---- replacing the checks ------------------------------------------------------------------

  @Test
  void replacedChecksKeepTheStateOfEqualOnesAndStartAddedOnesWithoutEffect() {
    HealthCheck kept = check("kept", new Script("SSSSSSSS")).rise(1).weight(-5).build();
    HealthCheck gone = check("gone", new Script("FFFFFFFF")).rise(1).fall(1).weight(-40).build();
    HealthCheck penalty = check("penalty", new Script("FFFFF")).fall(2).weight(-7).build();
    HealthCheck bonus = check("bonus", new Script("SSSSS")).rise(2).weight(9).build();
    HealthCheck gate = check("gate", new Script("FFFFF")).fall(2).build();
    HealthMonitor m = monitor(kept, gone);
    m.start();
    at(2);
    assertThat(m.priorityDelta()).isEqualTo(-40);
    assertThat(status(m, "kept").consecutiveSuccesses()).isEqualTo(3);
    m.replaceChecks(List.of(penalty, kept, bonus, gate));
    // Nothing has an effect yet: the removed -40 is lifted, the added ones are neutral.
    assertThat(m.priorityDelta()).isZero();
    assertThat(m.disqualified()).isFalse();
    assertThat(m.checks()).containsExactly(penalty, kept, bonus, gate);
    assertThat(m.statuses()).extracting(HealthStatus::name, HealthStatus::healthy,
        HealthStatus::probes).containsExactly(tuple("penalty", true, 0L),
        tuple("kept", true, 3L), tuple("bonus", false, 0L), tuple("gate", true, 0L));
    assertThat(m.status("gone")).isNull();
    assertThatThrownBy(() -> m.probeCount("gone", false))
        .isInstanceOf(IllegalArgumentException.class);
    time.runDue(); // the added checks are probed at once
    assertThat(m.priorityDelta()).isZero();
    assertThat(m.disqualified()).isFalse();
    at(3);
    // Second results: the penalty and the gate have failed twice, the bonus has risen.
    assertThat(m.priorityDelta()).isEqualTo(-7 + 9);
    assertThat(m.disqualified()).isTrue();
    assertThat(status(m, "kept").consecutiveSuccesses()).isEqualTo(4);
    assertThat(m.probeCount("kept", true)).isEqualTo(4);
    assertThat(transitions).extracting(t -> t.substring(t.indexOf(' ') + 1)).containsExactly(
        "kept up (returned true)", "penalty down (returned false)", "bonus up (returned true)",
        "gate down (returned false)");
  }

  @Test
  void checksReplacedBeforeStartStartUnhealthyAndTheMonitorRunsTheNewOnes() {
    Script s = new Script("SS");
    HealthMonitor m = monitor(check("old", new Script("")).build());
    HealthCheck fresh = check("fresh", s).rise(1).weight(-3).build();
    m.replaceChecks(List.of(fresh));
    assertThat(m.priorityDelta()).isEqualTo(-3);
    m.start();
    at(1);
    assertThat(s.calledAt).containsExactly(0L, 1_000_000_000L);
    assertThat(m.priorityDelta()).isZero();
  }

  @Test
  void replacingRefusesRepeatedNamesAndAStoppedMonitor() {
    HealthCheck a = check("a", new Script("")).build();
    HealthMonitor m = monitor(a);
    assertThatThrownBy(() -> m.replaceChecks(List.of(a, check("a", new Script("")).build())))
        .isInstanceOf(ValidationException.class).hasMessageContaining("healthChecks[1].name");
    assertThat(m.checks()).containsExactly(a);
    m.stop();
    assertThatThrownBy(() -> m.replaceChecks(List.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");
  }

  @Test
  void aRemovedCheckThatIsRunningIsCancelledAndItsResultIgnored() {
    List<Runnable> queued = new ArrayList<>();
    HealthCheck slow = check("slow", () -> true).rise(1).build();
    HealthMonitor m = monitor(queued::add).check(slow).build();
    m.start();
    time.runDue();
    assertThat(queued).hasSize(1);
    m.replaceChecks(List.of());
    assertThat(m.checks()).isEmpty();
    queued.get(0).run(); // the probe runs late; its result is posted and ignored
    at(3);
    assertThat(m.statuses()).isEmpty();
    assertThat(transitions).isEmpty();
    assertThat(queued).hasSize(1); // never probed again
  }

  @Test
  void anHttpCheckAddedToAMonitorWithoutOneIsProbed() {
    HealthMonitor m = monitor(check("c", () -> true).build());
    m.start();
    m.replaceChecks(List.of(HealthCheck.http("h", "http://127.0.0.1:1/")
        .timeout(Duration.ofMillis(500)).build()));
    time.runDue();
    assertThat(status(m, "h").probes()).isEqualTo(1);
    assertThat(status(m, "h").lastDetail()).doesNotContain("no http checks");
  }
}
