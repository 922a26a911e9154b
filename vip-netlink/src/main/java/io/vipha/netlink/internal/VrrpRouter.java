package io.vipha.netlink.internal;

import io.vipha.internal.AcquireTrace;
import io.vipha.spi.Scheduler;
import java.util.Objects;

/**
 * The state machine of one VRRP version 3 virtual router (RFC 5798 §6.4, with the changes of RFC
 * 9568), on a loop and its clock, without I/O: the caller hands it the advertisements it
 * accepted and the local priority, and it says what to send and when it becomes master or backup.
 * Every method is called on the loop, and the {@link Actions} are called from it.
 *
 * <p>Times: Skew_Time = ((256 − Priority) × Master_Adver_Interval) / 256 and Master_Down_Interval
 * = 3 × Master_Adver_Interval + Skew_Time, computed in nanoseconds (keepalived computes them in
 * microseconds), with Master_Adver_Interval the interval of the master's last advertisement.
 * The Master_Down_Timer is a {@linkplain Scheduler#preciseTimer precise timer}: it runs out only
 * when the master fell silent, and then a backup's take-over starts when it is due.
 *
 * <p>Beyond the RFC, as keepalived has them: a preempt delay (a backup preempts a master of
 * lower priority only once it has been eligible that long), and priority 0 as the local priority
 * for a router that may not be master (a failing health check): a master then sends priority 0
 * and steps down, and a backup never takes over.
 */
public final class VrrpRouter {
  /** The states of RFC 5798 §6.4. */
  public enum State {
    /** Not started, or stopped. */
    INITIALIZE,
    /** Listening for the master. */
    BACKUP,
    /** Forwarding for the addresses and advertising. */
    MASTER
  }

  /** What the router does; called on the loop. */
  public interface Actions {
    /** Sends an advertisement with {@code priority} (0: this router leaves the master role). */
    void advertise(int priority);

    /** The router entered {@code state}: take the addresses and announce them on MASTER. */
    void entered(State state);

    /**
     * Runs the entry into MASTER's path without effect, again and again in the last moments
     * before the Master_Down_Timer runs out (see {@link Scheduler#preciseTimer(Runnable,
     * Runnable)}). The default does nothing.
     */
    default void warmMaster() {}
  }

  /** Nanoseconds per centisecond. */
  static final long CENTISECOND = 10_000_000L;

  private final Scheduler loop;
  private final Actions actions;
  private final int interval;
  private final boolean preempt;
  private final long preemptDelay;
  private final Scheduler.Timer adverTimer;
  private final Scheduler.Timer masterDownTimer;
  private State state = State.INITIALIZE;
  private int priority;
  private int masterInterval;
  private long eligibleSince;
  private boolean masterDownPending;
  /** When the Master_Down_Timer was last armed to run out, and the receipt that armed it. */
  private long masterDownDue;
  private long masterDownHeard;
  /** Advertisements sent, to tell whether one went out while the addresses were taken. */
  private long advertised;

  /**
   * A router in {@link State#INITIALIZE}.
   *
   * @param interval the advertisement interval in centiseconds, 1-4095
   * @param priority the local priority: 1-254, 255 for the address owner, 0 while it may not be
   *     master
   * @param preempt whether a backup of higher priority takes over from a master of lower
   * @param preemptDelayNanos how long a backup must have been eligible before it preempts
   */
  public VrrpRouter(Scheduler loop, Actions actions, int interval, int priority, boolean preempt,
      long preemptDelayNanos) {
    if (interval < 1 || interval > VrrpCodec.MAX_INTERVAL) {
      throw new IllegalArgumentException("an advertisement interval is 1-4095 centiseconds; got "
          + interval);
    }
    checkPriority(priority);
    this.loop = Objects.requireNonNull(loop, "loop");
    this.actions = Objects.requireNonNull(actions, "actions");
    this.interval = interval;
    this.priority = priority;
    this.preempt = preempt;
    this.preemptDelay = Math.max(0, preemptDelayNanos);
    this.masterInterval = interval;
    this.adverTimer = loop.timer(this::adverTimerFired);
    this.masterDownTimer = loop.preciseTimer(this::masterDownTimerFired, this::warmMaster);
  }

  private static void checkPriority(int priority) {
    if (priority < 0 || priority > 255) {
      throw new IllegalArgumentException("a VRRP priority is 0-255; got " + priority);
    }
  }

  /** The state. */
  public State state() {
    return state;
  }

  /** The local priority. */
  public int priority() {
    return priority;
  }

  /** The interval of the master's last advertisement, in centiseconds. */
  public int masterInterval() {
    return masterInterval;
  }

  /** Skew_Time in nanoseconds, for the local priority and the master's interval. */
  public long skewTime() {
    return (256L - priority) * masterInterval * CENTISECOND / 256;
  }

  /** Master_Down_Interval in nanoseconds. */
  public long masterDownInterval() {
    return 3L * masterInterval * CENTISECOND + skewTime();
  }

  /** The Startup event: master at once as the address owner, else backup. */
  public void start() {
    if (state != State.INITIALIZE) {
      return;
    }
    eligibleSince = loop.nanoTime();
    if (priority == 255) {
      becomeMaster();
    } else {
      masterInterval = interval;
      becomeBackup();
    }
  }

  /**
   * The Shutdown event: a master sends priority 0 so that a backup takes over within its skew
   * time; both stop their timers.
   */
  public void stop() {
    adverTimer.cancel();
    masterDownTimer.cancel();
    masterDownPending = false;
    if (state == State.MASTER) {
      advertise(0);
    }
    enter(State.INITIALIZE);
  }

  /**
   * A new local priority (health checks, link state): 0 while this router may not be master. A
   * master that may no longer be one sends priority 0 and becomes backup; one whose priority
   * changed advertises it at once.
   */
  public void priority(int p) {
    checkPriority(p);
    if (p == priority) {
      return;
    }
    int before = priority;
    priority = p;
    if (before == 0) {
      eligibleSince = loop.nanoTime();
    }
    if (state == State.MASTER) {
      if (p == 0) {
        adverTimer.cancel();
        advertise(0);
        becomeBackup();
      } else {
        advertise(p);
        adverTimer.arm(interval * CENTISECOND);
      }
    } else if (state == State.BACKUP && before == 0 && masterDownPending) {
      // No master was heard while this router could not take over: take over after the skew.
      masterDownPending = false;
      armMasterDown(skewTime(), loop.nanoTime());
    }
  }

  /**
   * An accepted advertisement of this virtual router.
   *
   * @param senderPriority its priority, 0-255
   * @param senderInterval its advertisement interval in centiseconds
   * @param senderVersusLocal the sender's primary address compared with this router's (negative,
   *     zero or positive as it is lower, equal or higher; {@link VrrpAdvert#compareSource})
   */
  public void received(int senderPriority, int senderInterval, int senderVersusLocal) {
    received(senderPriority, senderInterval, senderVersusLocal, loop.nanoTime());
  }

  /**
   * An accepted advertisement of this virtual router that arrived at {@code receivedAt} (the
   * loop's clock), before the loop could take it: the timers it sets run from its arrival, as
   * RFC 5798 sets them on receipt, not from when the loop got to it.
   *
   * @see #received(int, int, int)
   */
  public void received(int senderPriority, int senderInterval, int senderVersusLocal,
      long receivedAt) {
    long late = Math.max(0, loop.nanoTime() - receivedAt);
    if (state == State.BACKUP) {
      if (senderPriority == 0) {
        armMasterDown(skewTime() - late, receivedAt);
      } else if (!preempt || senderPriority >= priority || priority == 0
          || loop.nanoTime() - eligibleSince < preemptDelay) {
        masterInterval = senderInterval;
        masterDownPending = false;
        armMasterDown(masterDownInterval() - late, receivedAt);
      }
      // Otherwise a master of lower priority: let the Master_Down_Timer run out and preempt.
    } else if (state == State.MASTER) {
      if (senderPriority == 0) {
        advertise(priority);
        adverTimer.arm(interval * CENTISECOND);
      } else if (senderPriority > priority
          || (senderPriority == priority && senderVersusLocal > 0)) {
        adverTimer.cancel();
        masterInterval = senderInterval;
        becomeBackup();
      }
    }
  }

  private void adverTimerFired() {
    if (state == State.MASTER) {
      advertise(priority);
      adverTimer.arm(interval * CENTISECOND);
    }
  }

  /** The Master_Down_Timer's warm-up: the actions' {@link Actions#warmMaster}, as a backup. */
  private void warmMaster() {
    if (state == State.BACKUP && priority != 0) {
      actions.warmMaster();
    }
  }

  private void masterDownTimerFired() {
    if (state != State.BACKUP) {
      return;
    }
    if (priority == 0) {
      masterDownPending = true;
      return;
    }
    AcquireTrace.mark(AcquireTrace.DECIDED);
    AcquireTrace.markAt(AcquireTrace.DUE, masterDownDue);
    AcquireTrace.markAt(AcquireTrace.HEARD, masterDownHeard);
    becomeMaster();
  }

  /**
   * Takes the master role with the addresses first (the actions add and announce them when told
   * of MASTER), then the first advertisement, so that the hosts on the link learn the new owner
   * without waiting for that send; RFC 5798 and keepalived 2.2.7 send the advertisement first. A
   * priority change made while the addresses were taken (the agent may publish one) has
   * advertised already; one to 0 left MASTER.
   */
  private void becomeMaster() {
    masterDownTimer.cancel();
    masterDownPending = false;
    long before = advertised;
    enter(State.MASTER);
    if (state == State.MASTER && advertised == before) {
      advertise(priority);
      adverTimer.arm(interval * CENTISECOND);
    }
  }

  private void becomeBackup() {
    armMasterDown(masterDownInterval(), loop.nanoTime());
    enter(State.BACKUP);
  }

  private void advertise(int p) {
    advertised++;
    actions.advertise(p);
  }

  private void armMasterDown(long delayNanos, long heard) {
    masterDownTimer.arm(delayNanos);
    masterDownDue = loop.nanoTime() + delayNanos;
    masterDownHeard = heard;
  }

  private void enter(State s) {
    if (state != s) {
      state = s;
      actions.entered(s);
    }
  }
}
