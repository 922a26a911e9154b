package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.config.DaemonSettings.Realtime;
import io.vipha.config.DaemonSettings.Realtime.Policy;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** {@code daemon.realtime} decided at start, with the kernel's calls replaced. */
class SchedulingTest {
  private static final String EPERM = "raising thread vipha-realtime-check to SCHED_RR priority"
      + " 10 was refused with EPERM: it needs CAP_SYS_NICE";
  private final Log log = new Log();
  private final List<String> calls = new ArrayList<>();

  /** A kernel that records its calls and refuses those named in {@code refuse}. */
  private Scheduling.Kernel kernel(boolean refuseRaise, boolean refuseLock) {
    return new Scheduling.Kernel() {
      @Override
      public void check(io.vipha.netlink.Realtime.Policy policy, int priority)
          throws io.vipha.netlink.Realtime.Refused {
        calls.add("check " + policy + " " + priority);
        if (refuseRaise) {
          throw new io.vipha.netlink.Realtime.Refused(1, true, EPERM);
        }
      }

      @Override
      public void lockMemory() throws io.vipha.netlink.Realtime.Refused {
        calls.add("lock");
        if (refuseLock) {
          throw new io.vipha.netlink.Realtime.Refused(12, true, "locking refused");
        }
      }
    };
  }

  @Test
  void autoRaisesTheThreadsWherePermitted() throws Exception {
    Scheduling s = Scheduling.apply(Realtime.DEFAULT, kernel(false, false), log);
    assertThat(calls).containsExactly("check RR 10");
    assertThat(s.applied()).isEqualTo(io.vipha.netlink.Realtime.Policy.RR);
    assertThat(s.why()).isNull();
    assertThat(s.json().toString()).isEqualTo("{\"configured\":\"auto\",\"policy\":\"SCHED_RR\","
        + "\"priority\":10,\"memoryLocked\":false}");
    assertThat(log.lines).containsExactly("INFO the event loop and the receive and watch threads"
        + " run at SCHED_RR priority 10");
  }

  @Test
  void autoWithoutThePrivilegeWarnsOnceAndRunsNormally() throws Exception {
    Scheduling s = Scheduling.apply(Realtime.DEFAULT, kernel(true, false), log);
    assertThat(s.applied()).isNull();
    assertThat(s.why()).isEqualTo(EPERM);
    assertThat(log.lines).containsExactly("WARN daemon.realtime auto: the event loop and the"
        + " receive and watch threads run at normal scheduling: " + EPERM);
    assertThat(s.json().toString()).isEqualTo("{\"configured\":\"auto\",\"policy\":"
        + "\"SCHED_OTHER\",\"memoryLocked\":false,\"why\":\"" + EPERM + "\"}");
    assertThat(StatusTable.scheduling(s.json())).isEqualTo("scheduling SCHED_OTHER (configured"
        + " auto, not permitted: vipctl status --json says why)");
  }

  @Test
  void anExplicitPolicyWithoutThePrivilegeEndsTheStartWithExitCode77() {
    for (Policy p : List.of(Policy.RR, Policy.FIFO)) {
      assertThatThrownBy(() -> Scheduling.apply(new Realtime(p, 20, false), kernel(true, false),
          log)).isInstanceOfSatisfying(Failure.class, f -> {
            assertThat(f.code).isEqualTo(ExitCode.PERMISSION);
            assertThat(f.getMessage()).isEqualTo("daemon.realtime.policy " + p.text()
                + " cannot be applied: " + EPERM + "; or set it to \"auto\" (normal scheduling"
                + " where not permitted) or \"off\"");
          });
    }
    assertThat(calls).containsExactly("check RR 20", "check FIFO 20");
    assertThat(log.lines).isEmpty();
  }

  @Test
  void anotherRefusalOfAnExplicitPolicyIsAFailure() {
    Scheduling.Kernel invalid = new Scheduling.Kernel() {
      @Override
      public void check(io.vipha.netlink.Realtime.Policy policy, int priority)
          throws io.vipha.netlink.Realtime.Refused {
        throw new io.vipha.netlink.Realtime.Refused(22, false, "EINVAL");
      }

      @Override
      public void lockMemory() {}
    };
    assertThatThrownBy(() -> Scheduling.apply(new Realtime(Policy.FIFO, 5, false), invalid,
        log)).isInstanceOfSatisfying(Failure.class,
            f -> assertThat(f.code).isEqualTo(ExitCode.FAILURE));
  }

  @Test
  void offCallsNothingAndFifoIsCheckedAtItsPriority() throws Exception {
    Scheduling off = Scheduling.apply(new Realtime(Policy.OFF, 10, false), kernel(true, true),
        log);
    assertThat(calls).isEmpty();
    assertThat(off.applied()).isNull();
    assertThat(off.why()).isNull();
    assertThat(StatusTable.scheduling(off.json())).isEqualTo("scheduling SCHED_OTHER"
        + " (configured off)");
    Scheduling fifo = Scheduling.apply(new Realtime(Policy.FIFO, 42, true), kernel(false, false),
        log);
    assertThat(calls).containsExactly("lock", "check FIFO 42");
    assertThat(fifo.applied()).isEqualTo(io.vipha.netlink.Realtime.Policy.FIFO);
    assertThat(StatusTable.scheduling(fifo.json())).isEqualTo("scheduling SCHED_FIFO 42"
        + " (configured fifo), memory locked");
  }

  @Test
  void aRefusedMemoryLockEndsTheStartEvenWithAuto() {
    assertThatThrownBy(() -> Scheduling.apply(new Realtime(Policy.AUTO, 10, true),
        kernel(false, true), log)).isInstanceOfSatisfying(Failure.class, f -> {
          assertThat(f.code).isEqualTo(ExitCode.PERMISSION);
          assertThat(f.getMessage()).isEqualTo("daemon.realtime.lockMemory cannot be applied:"
              + " locking refused; or set it to false");
        });
    assertThat(calls).containsExactly("lock");
  }

  /** A logger that keeps each line as {@code LEVEL message}. */
  private static final class Log extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    final transient List<String> lines = new ArrayList<>();

    @Override
    protected String getFullyQualifiedCallerName() {
      return Log.class.getName();
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, @Nullable Marker marker,
        String messagePattern, Object @Nullable [] arguments, @Nullable Throwable throwable) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(messagePattern, arguments));
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }
  }
}
