package io.vipha;

import io.vipha.internal.Problems;
import io.vipha.internal.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * When and how VIPs move. Every field has a documented default, so {@link #defaults()} is a sound
 * policy for a two-node pair.
 *
 * @param preempt whether a better node takes VIPs back from a healthy owner (default true)
 * @param preemptDelay how long a better node must have been eligible before it preempts, 0–1h
 *     (default 10s)
 * @param holdDown how long a node that lost ownership waits before it may win again, 0–1h
 *     (default 5s)
 * @param flapLimit suspension of nodes that flap (default {@link FlapLimit#DEFAULT})
 * @param heartbeatInterval time between heartbeats, 5ms–60s in whole milliseconds (default 100ms)
 * @param deadAfter missed intervals before a peer is dead, 2–100 (default 3)
 * @param quorum alive nodes needed to own VIPs (default {@link Quorum#none()})
 * @param noQuorum what a node without quorum does with its VIPs (default {@link
 *     NoQuorumAction#RELEASE})
 * @param announce gratuitous ARP / unsolicited NA (default {@link AnnouncePolicy#DEFAULT})
 * @param lease kernel lifetime of the addresses (default 10s); longer than the detection time
 *     {@code deadAfter × heartbeatInterval}
 */
public record FailoverPolicy(
    boolean preempt,
    Duration preemptDelay,
    Duration holdDown,
    FlapLimit flapLimit,
    Duration heartbeatInterval,
    int deadAfter,
    Quorum quorum,
    NoQuorumAction noQuorum,
    AnnouncePolicy announce,
    Lease lease) {

  private static final FailoverPolicy DEFAULTS = builder().build();

  /** Validates every field; throws {@link ValidationException} naming all problems. */
  public FailoverPolicy {
    Objects.requireNonNull(preemptDelay, "preemptDelay");
    Objects.requireNonNull(holdDown, "holdDown");
    Objects.requireNonNull(flapLimit, "flapLimit");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(quorum, "quorum");
    Objects.requireNonNull(noQuorum, "noQuorum");
    Objects.requireNonNull(announce, "announce");
    Objects.requireNonNull(lease, "lease");
    Problems p = new Problems();
    check(p, preemptDelay, holdDown, heartbeatInterval, deadAfter, lease.duration());
    p.throwIfAny();
  }

  /** The documented defaults. */
  public static FailoverPolicy defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.preempt = preempt;
    b.preemptDelay = preemptDelay;
    b.holdDown = holdDown;
    b.flapMaxChanges = flapLimit.maxChanges();
    b.flapWindow = flapLimit.window();
    b.flapSuspendFor = flapLimit.suspendFor();
    b.heartbeatInterval = heartbeatInterval;
    b.deadAfter = deadAfter;
    b.quorum = quorum.kind();
    b.quorumSize = quorum.size();
    b.noQuorum = noQuorum;
    b.announceCount = announce.count();
    b.announceInterval = announce.interval();
    b.announceRefresh = announce.refresh();
    b.lease = lease.duration();
    return b;
  }

  /** Time after the last heartbeat at which a silent peer is dead. */
  public Duration detectionTime() {
    return heartbeatInterval.multipliedBy(deadAfter);
  }

  private static void check(Problems p, Duration preemptDelay, Duration holdDown,
      Duration heartbeatInterval, int deadAfter, @Nullable Duration lease) {
    checkRange(p, "preemptDelay", preemptDelay, Duration.ZERO, Duration.ofHours(1), "0–1h");
    checkRange(p, "holdDown", holdDown, Duration.ZERO, Duration.ofHours(1), "0–1h");
    int beforeInterval = p.list().size();
    if (heartbeatInterval.getNano() % 1_000_000 != 0) {
      p.add("heartbeatInterval", Durations.format(heartbeatInterval),
          "is not a whole number of milliseconds; use e.g. 100ms");
    } else {
      checkRange(p, "heartbeatInterval", heartbeatInterval, Duration.ofMillis(5),
          Duration.ofSeconds(60), "5ms–60s");
    }
    boolean intervalValid = p.list().size() == beforeInterval;
    if (deadAfter < 2) {
      p.add("deadAfter", deadAfter, "is below 2 intervals; one lost packet would declare a peer"
          + " dead: use 2–100 (3 is usual)");
    } else if (deadAfter > 100) {
      p.add("deadAfter", deadAfter, "is out of range; use 2–100 (3 is usual)");
    }
    if (lease != null) {
      int before = p.list().size();
      Lease.check(p, lease);
      if (p.list().size() == before && intervalValid && deadAfter >= 2 && deadAfter <= 100
          && lease.compareTo(heartbeatInterval.multipliedBy(deadAfter)) <= 0) {
        p.add("lease", Durations.format(lease), "is not longer than the detection time "
            + Durations.format(heartbeatInterval.multipliedBy(deadAfter))
            + " (deadAfter × heartbeatInterval); a short pause would drop the VIP before any peer"
            + " takes over: use a longer lease");
      }
    }
  }

  private static void checkRange(Problems p, String path, Duration d, Duration min, Duration max,
      String range) {
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      p.add(path, Durations.format(d), "is out of range; use " + range);
    }
  }

  /** Builds a {@link FailoverPolicy}; {@link #build()} reports every problem at once. */
  public static final class Builder {
    private boolean preempt = true;
    private Duration preemptDelay = Duration.ofSeconds(10);
    private Duration holdDown = Duration.ofSeconds(5);
    private int flapMaxChanges = FlapLimit.DEFAULT.maxChanges();
    private Duration flapWindow = FlapLimit.DEFAULT.window();
    private @Nullable Duration flapSuspendFor = FlapLimit.DEFAULT.suspendFor();
    private Duration heartbeatInterval = Duration.ofMillis(100);
    private int deadAfter = 3;
    private Quorum.Kind quorum = Quorum.Kind.NONE;
    private int quorumSize;
    private NoQuorumAction noQuorum = NoQuorumAction.RELEASE;
    private int announceCount = AnnouncePolicy.DEFAULT.count();
    private Duration announceInterval = AnnouncePolicy.DEFAULT.interval();
    private @Nullable Duration announceRefresh = AnnouncePolicy.DEFAULT.refresh();
    private @Nullable Duration lease = Duration.ofSeconds(10);

    private Builder() {}

    /** Whether a better node takes VIPs back from a healthy owner. */
    public Builder preempt(boolean preempt) {
      this.preempt = preempt;
      return this;
    }

    /** How long a better node must have been eligible before it preempts. */
    public Builder preemptDelay(Duration delay) {
      this.preemptDelay = delay;
      return this;
    }

    /** How long a node that lost ownership waits before it may win again. */
    public Builder holdDown(Duration holdDown) {
      this.holdDown = holdDown;
      return this;
    }

    /** Suspend a node after {@code maxChanges} ownership changes within {@code window}. */
    public Builder flapLimit(int maxChanges, Duration window, @Nullable Duration suspendFor) {
      this.flapMaxChanges = maxChanges;
      this.flapWindow = window;
      this.flapSuspendFor = suspendFor;
      return this;
    }

    /** Sets the flap limit, e.g. {@link FlapLimit#OFF}. */
    public Builder flapLimit(FlapLimit limit) {
      return flapLimit(limit.maxChanges(), limit.window(), limit.suspendFor());
    }

    /** Time between heartbeats. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = interval;
      return this;
    }

    /** Missed intervals before a peer is dead. */
    public Builder deadAfter(int intervals) {
      this.deadAfter = intervals;
      return this;
    }

    /** No quorum, or a majority ({@code quorumSize} sets an explicit number). */
    public Builder quorum(Quorum quorum) {
      this.quorum = quorum.kind();
      this.quorumSize = quorum.size();
      return this;
    }

    /** An explicit quorum of {@code size} nodes. */
    public Builder quorumSize(int size) {
      this.quorum = Quorum.Kind.SIZE;
      this.quorumSize = size;
      return this;
    }

    /** What a node without quorum does with its VIPs. */
    public Builder noQuorum(NoQuorumAction action) {
      this.noQuorum = action;
      return this;
    }

    /** Announcements on takeover: how many and how far apart. */
    public Builder announce(int count, Duration interval) {
      this.announceCount = count;
      this.announceInterval = interval;
      return this;
    }

    /** Periodic re-announcement of owned VIPs, or null for none. */
    public Builder announceRefresh(@Nullable Duration refresh) {
      this.announceRefresh = refresh;
      return this;
    }

    /** Kernel lease of the addresses, in whole seconds. */
    public Builder lease(Duration lease) {
      this.lease = lease;
      return this;
    }

    /** Kernel lease, {@link Lease#forever()} to opt out. */
    public Builder lease(Lease lease) {
      this.lease = lease.duration();
      return this;
    }

    List<ValidationException.Problem> problems() {
      Problems p = new Problems();
      check(p, preemptDelay, holdDown, heartbeatInterval, deadAfter, lease);
      FlapLimit.check(p, "flapLimit.", flapMaxChanges, flapWindow, flapSuspendFor);
      if (quorum == Quorum.Kind.SIZE && quorumSize < 1) {
        p.add("quorum", quorumSize, "is not a valid quorum size; use 1 or more, \"majority\" or"
            + " \"none\"");
      }
      AnnouncePolicy.check(p, "announce.", announceCount, announceInterval, announceRefresh);
      return p.list();
    }

    /** The quorum as set, or {@link Quorum#none()} while its size is invalid. */
    Quorum validQuorumOrNone() {
      return quorum == Quorum.Kind.SIZE && quorumSize < 1 ? Quorum.none()
          : new Quorum(quorum, quorum == Quorum.Kind.SIZE ? quorumSize : 0);
    }

    /** The policy; throws {@link ValidationException} listing every problem. */
    public FailoverPolicy build() {
      List<ValidationException.Problem> problems = problems();
      if (!problems.isEmpty()) {
        throw new ValidationException(problems);
      }
      return new FailoverPolicy(preempt, preemptDelay, holdDown,
          new FlapLimit(flapMaxChanges, flapWindow, flapSuspendFor), heartbeatInterval, deadAfter,
          new Quorum(quorum, quorum == Quorum.Kind.SIZE ? quorumSize : 0), noQuorum,
          new AnnouncePolicy(announceCount, announceInterval, announceRefresh),
          lease == null ? Lease.forever() : Lease.of(lease));
    }
  }
}
