package io.vipha.vipd;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.config.DaemonSettings;
import io.vipha.netlink.Realtime;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * How vipd schedules its latency-critical threads, decided once at start from {@code
 * daemon.realtime}: the event loop, the heartbeat or VRRP receive thread and the netlink watch
 * thread are made by {@link #threads()}; every other thread is scheduled normally.
 *
 * <p>{@code auto} raises them to {@code SCHED_RR} where the process may and otherwise logs one
 * warning naming what is missing; an explicit {@code rr} or {@code fifo} that the process may not
 * use, or {@code lockMemory} that fails, ends the start with {@link Failure}.
 *
 * @param configured the settings
 * @param applied the policy the threads run at, or null for normal scheduling
 * @param why why {@code auto} fell back to normal scheduling, or null
 * @param memoryLocked whether the process's memory is locked
 */
record Scheduling(DaemonSettings.Realtime configured, Realtime.@Nullable Policy applied,
    @Nullable String why, boolean memoryLocked) {

  /** What {@link #apply} calls: {@link Realtime} itself, or a stand-in in tests. */
  interface Kernel {
    /** See {@link Realtime#check}. */
    void check(Realtime.Policy policy, int priority) throws Realtime.Refused;

    /** See {@link Realtime#lockMemory}. */
    void lockMemory() throws Realtime.Refused;
  }

  /** The kernel's own calls. */
  static final Kernel LINUX = new Kernel() {
    @Override
    public void check(Realtime.Policy policy, int priority) throws Realtime.Refused {
      Realtime.check(policy, priority);
    }

    @Override
    public void lockMemory() throws Realtime.Refused {
      Realtime.lockMemory();
    }
  };

  /**
   * Locks the memory when asked, checks that the threads can be raised, and logs the outcome.
   *
   * @throws Failure with {@link ExitCode#PERMISSION} when an explicit policy or the memory lock
   *     is refused for want of a privilege, {@link ExitCode#FAILURE} for any other refusal
   */
  static Scheduling apply(DaemonSettings.Realtime r, Kernel kernel, Logger log) throws Failure {
    boolean locked = false;
    if (r.lockMemory()) {
      try {
        kernel.lockMemory();
        locked = true;
      } catch (Realtime.Refused e) {
        throw failure(e, "daemon.realtime.lockMemory", "it to false");
      }
    }
    Realtime.Policy policy = switch (r.policy()) {
      case AUTO, RR -> Realtime.Policy.RR;
      case FIFO -> Realtime.Policy.FIFO;
      case OFF -> null;
    };
    if (policy == null) {
      return new Scheduling(r, null, null, locked);
    }
    try {
      kernel.check(policy, r.priority());
    } catch (Realtime.Refused e) {
      if (r.policy() != DaemonSettings.Realtime.Policy.AUTO) {
        throw failure(e, "daemon.realtime.policy " + r.policy().text(), "it to \"auto\" (normal"
            + " scheduling where not permitted) or \"off\"");
      }
      log.warn("daemon.realtime auto: the event loop and the receive and watch threads run at"
          + " normal scheduling: {}", e.getMessage());
      return new Scheduling(r, null, e.getMessage(), locked);
    }
    log.info("the event loop and the receive and watch threads run at {} priority {}{}",
        policy.kernelName(), r.priority(), locked ? "; memory locked" : "");
    return new Scheduling(r, policy, null, locked);
  }

  private static Failure failure(Realtime.Refused e, String setting, String instead) {
    return new Failure(e.permission() ? ExitCode.PERMISSION : ExitCode.FAILURE, setting
        + " cannot be applied: " + e.getMessage() + "; or set " + instead);
  }

  /** What makes the latency-critical threads: raised ones, or plain ones. */
  ThreadFactory threads() {
    Realtime.Policy p = applied;
    return p == null ? Thread::new : Realtime.threadFactory(p, configured.priority());
  }

  /** The status's {@code scheduling} object. */
  ObjectNode json() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    Realtime.Policy p = applied;
    o.put("configured", configured.policy().text());
    o.put("policy", p == null ? "SCHED_OTHER" : p.kernelName());
    if (p != null) {
      o.put("priority", configured.priority());
    }
    o.put("memoryLocked", memoryLocked);
    if (why != null) {
      o.put("why", why);
    }
    return o;
  }
}
