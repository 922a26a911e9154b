package io.vipha.agent;

import io.vipha.VirtualIp;
import io.vipha.spi.AddressMover;
import io.vipha.spi.Cancellable;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address movers of the VIPs that have one: the claim that must succeed before a VIP counts
 * as held, the release after the local address is gone, the retries with capped exponential
 * backoff, and the fence that a newer owner's epoch puts up. Every mover call returns at once;
 * its answer comes back onto the loop, and an answer to a claim that was given up is ignored.
 */
final class Movers {
  private static final Logger LOG = LoggerFactory.getLogger(VipAgent.class);
  /** The wait before the first retry of a claim; it doubles with every failed attempt. */
  static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  /** The longest wait between two attempts (unless the provider asks for longer). */
  static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /** A VIP's mover and the deadline of each of its calls. */
  record Binding(AddressMover mover, Duration timeout) {}

  /** A claim in progress: the epoch it is made under, for a VIP taken or re-asserted. */
  private final class Claim {
    final VirtualIp vip;
    final Binding binding;
    final long epoch;
    final String reason;
    /** Whether the VIP is held already (a re-assertion) rather than being taken. */
    final boolean held;
    final long decidedAt;
    /** Whether the epoch is the fencing coordinator's (else this node's clock's). */
    final boolean coordinated;
    int attempt;
    int failures;
    /** Whether the next attempt observes first (after a CONFLICT, or while fenced out). */
    boolean observeFirst;
    @Nullable String expectedVersion;
    /** The pending retry, or the watchdog of the call in flight. */
    @Nullable Cancellable timer;
    boolean inFlight;

    Claim(VirtualIp vip, Binding binding, long epoch, boolean coordinated, String reason,
        boolean held, long now) {
      this.vip = vip;
      this.binding = binding;
      this.epoch = epoch;
      this.coordinated = coordinated;
      this.reason = reason;
      this.held = held;
      this.decidedAt = now;
    }
  }

  private final VipAgent a;
  private final Map<InetAddress, Binding> bindings;
  /** The claims in progress, per VIP address. */
  private final Map<InetAddress, Claim> claims = new HashMap<>();
  /** The epoch under which the provider points each held VIP here. */
  private final Map<InetAddress, Long> epochs = new HashMap<>();
  /** VIPs a newer owner's epoch fenced this node out of, while its plan names it. */
  private final Set<InetAddress> fencedOut = new HashSet<>();
  /** The watches of fenced-out VIPs: an observe that lifts the fence once nothing is pointed. */
  private final Map<InetAddress, Claim> watches = new HashMap<>();
  /** The highest epoch the provider reported stored for each VIP, from refused claims. */
  private final Map<InetAddress, Long> seen = new HashMap<>();

  Movers(VipAgent agent, Map<InetAddress, Binding> bindings) {
    this.a = agent;
    this.bindings = Map.copyOf(bindings);
  }

  /** Whether {@code v} has a mover. */
  boolean has(VirtualIp v) {
    return !bindings.isEmpty() && bindings.containsKey(v.address());
  }

  /** Whether a claim of {@code v} (not yet held) is in progress. */
  boolean claiming(VirtualIp v) {
    Claim c = claims.get(v.address());
    return c != null && !c.held;
  }

  /** Whether a newer owner's epoch keeps this node from taking {@code v}. */
  boolean fencedOut(VirtualIp v) {
    return !fencedOut.isEmpty() && fencedOut.contains(v.address());
  }

  /** Whether this node holds {@code v} without knowing under which epoch (a leftover). */
  boolean unclaimed(VirtualIp v) {
    return has(v) && !epochs.containsKey(v.address()) && !claims.containsKey(v.address());
  }

  /** The plan names another node (or none) for {@code v}: a later decision may take it again. */
  void notOwner(VirtualIp v) {
    if (!fencedOut.isEmpty() && fencedOut.remove(v.address())) {
      Claim w = watches.remove(v.address());
      if (w != null) {
        cancelTimer(w);
      }
    }
  }

  /**
   * Starts the claim of {@code v}, whose local address was just added: under the coordinator's
   * {@code fenceEpoch}, or when it does not fence (0) under the wall-clock milliseconds of this
   * decision. The VIP counts as held once the provider accepts.
   */
  void claim(VirtualIp v, long fenceEpoch, String reason) {
    start(v, fenceEpoch, reason, false);
  }

  /**
   * Claims {@code v}, which this node holds, again under the epoch it holds it by (a leftover:
   * under a new one): a peer also holds it, or the provider was never asked.
   */
  void reassert(VirtualIp v, long fenceEpoch) {
    Long held = epochs.get(v.address());
    Binding b = bindings.get(v.address());
    if (b == null || claims.containsKey(v.address())) {
      return;
    }
    Claim c = held == null ? decide(v, b, fenceEpoch, "REASSERT", true, a.loop.nanoTime())
        : new Claim(v, b, held, fenceEpoch > 0, "REASSERT", true, a.loop.nanoTime());
    claims.put(v.address(), c);
    send(c);
  }

  private void start(VirtualIp v, long fenceEpoch, String reason, boolean held) {
    Binding b = bindings.get(v.address());
    if (b == null) {
      return;
    }
    Claim c = decide(v, b, fenceEpoch, reason, held, a.loop.nanoTime());
    claims.put(v.address(), c);
    send(c);
  }

  /**
   * A claim under a new decision: the coordinator's {@code fenceEpoch}, or when it does not fence
   * (0) this node's wall-clock milliseconds, above any epoch the provider reported stored.
   */
  private Claim decide(VirtualIp v, Binding b, long fenceEpoch, String reason, boolean held,
      long decidedAt) {
    if (fenceEpoch > 0) {
      return new Claim(v, b, fenceEpoch, true, reason, held, decidedAt);
    }
    long epoch = Math.max(a.loop.wallMillis(), seen.getOrDefault(v.address(), 0L) + 1);
    return new Claim(v, b, epoch, false, reason, held, decidedAt);
  }

  /**
   * Gives up the claim of {@code v} in progress (the plan moved it away, the quorum lease ran
   * out, the agent stops) after its local address was removed, and tells the provider to let go.
   */
  void abandon(VirtualIp v) {
    Claim c = claims.remove(v.address());
    if (c != null) {
      cancelTimer(c);
      releaseAt(v, c.binding, c.epoch);
    }
  }

  /** {@code v}'s local address is gone: lets go of it at the provider (fire and report). */
  void released(VirtualIp v, boolean fenced) {
    Claim c = claims.remove(v.address());
    if (c != null) {
      cancelTimer(c);
    }
    Long epoch = epochs.remove(v.address());
    Binding b = bindings.get(v.address());
    if (b == null || fenced) {
      return; // (fenced: the provider points at a newer owner, whom no release may touch)
    }
    releaseAt(v, b, epoch != null ? epoch : c != null ? c.epoch : a.loop.wallMillis());
  }

  private void releaseAt(VirtualIp v, Binding b, long epoch) {
    call(() -> b.mover().release(v, epoch, b.timeout()), r -> {
      if (!r.succeeded()) {
        a.events.emit(new AgentEvent.MoverFailed(a.loop.nanoTime(), v, "release", r.outcome(),
            1, r.detail()));
      }
    });
  }

  private void send(Claim c) {
    c.attempt++;
    c.inFlight = true;
    Binding b = c.binding;
    long deadline = b.timeout().toNanos();
    c.timer = a.loop.schedule(deadline + deadline / 10, () -> {
      c.timer = null;
      answer(c, MoverResult.timedOut("no answer within " + b.timeout().toMillis() + " ms"));
    });
    String expected = c.expectedVersion;
    call(() -> b.mover().claim(c.vip, c.epoch, expected, b.timeout()), r -> answer(c, r));
  }

  private void answer(Claim c, MoverResult r) {
    if (claims.get(c.vip.address()) != c || !c.inFlight) {
      return; // given up, or its watchdog answered first
    }
    c.inFlight = false;
    cancelTimer(c);
    long now = a.loop.nanoTime();
    if (r.succeeded()) {
      claims.remove(c.vip.address());
      epochs.put(c.vip.address(), c.epoch);
      a.events.emit(new AgentEvent.MoverClaimed(now, c.vip, r.outcome(), c.epoch, c.attempt,
          now - c.decidedAt));
      if (!c.held) {
        a.reconciler.claimed(c.vip, c.reason, c.epoch);
      }
      a.snapshot();
      return;
    }
    c.failures++;
    a.events.emit(new AgentEvent.MoverFailed(now, c.vip, "claim", r.outcome(), c.attempt,
        r.detail()));
    if (r.outcome() == Outcome.STALE_EPOCH) {
      seen.merge(c.vip.address(), r.epoch(), Math::max);
      if (r.target() == null && !c.coordinated) {
        // The newer owner let go already: nobody is pointed at, so claiming is a new decision.
        Claim next = decide(c.vip, c.binding, 0, c.reason, c.held, c.decidedAt);
        next.attempt = c.attempt;
        claims.put(c.vip.address(), next);
        send(next);
        return;
      }
      fenceOut(c);
      return;
    }
    if (r.outcome() == Outcome.CONFLICT) {
      c.observeFirst = true; // not blindly: look, then claim on the version seen
    }
    retryLater(c, r.retryAfter());
  }

  /** A newer owner holds the provider's record: let go here and watch until it lets go. */
  private void fenceOut(Claim c) {
    VirtualIp v = c.vip;
    claims.remove(v.address());
    fencedOut.add(v.address());
    if (c.held) {
      a.reconciler.release(v, "STALE_EPOCH");
    } else {
      a.reconciler.abandonLocal(v);
    }
    Claim w = new Claim(v, c.binding, c.epoch, c.coordinated, c.reason, false,
        a.loop.nanoTime());
    watches.put(v.address(), w);
    watch(w);
    a.snapshot();
  }

  private void watch(Claim w) {
    w.failures++;
    w.timer = a.loop.schedule(backoff(w.failures, null), () -> {
      w.timer = null;
      if (watches.get(w.vip.address()) != w) {
        return;
      }
      Binding b = w.binding;
      call(() -> b.mover().observe(w.vip, b.timeout()), r -> {
        if (watches.get(w.vip.address()) != w) {
          return;
        }
        if (r.outcome() == Outcome.ACCEPTED && r.target() == null) {
          seen.merge(w.vip.address(), r.epoch(), Math::max);
          watches.remove(w.vip.address());
          fencedOut.remove(w.vip.address()); // the newer owner let go: a new decision may take it
          a.reconciler.reconcile(null);
          a.snapshot();
        } else {
          watch(w);
        }
      });
    });
  }

  private void retryLater(Claim c, @Nullable Duration retryAfter) {
    c.timer = a.loop.schedule(backoff(c.failures, retryAfter), () -> {
      c.timer = null;
      if (claims.get(c.vip.address()) != c) {
        return;
      }
      if (!c.observeFirst) {
        send(c);
        return;
      }
      Binding b = c.binding;
      c.inFlight = true;
      call(() -> b.mover().observe(c.vip, b.timeout()), r -> {
        if (claims.get(c.vip.address()) != c || !c.inFlight) {
          return;
        }
        c.inFlight = false;
        if (r.outcome() != Outcome.ACCEPTED) {
          c.failures++;
          retryLater(c, r.retryAfter());
        } else if (r.epoch() > c.epoch) {
          seen.merge(c.vip.address(), r.epoch(), Math::max);
          fenceOut(c);
        } else {
          c.observeFirst = false;
          c.expectedVersion = r.version();
          send(c);
        }
      });
    });
  }

  /**
   * The wait before the next attempt after {@code failures} failed ones: {@link #FIRST_RETRY}
   * doubled per failure up to {@link #MAX_RETRY}, or what the provider asked when longer.
   */
  static long backoff(int failures, @Nullable Duration retryAfter) {
    long first = FIRST_RETRY.toNanos();
    int doublings = Math.min(Math.max(failures - 1, 0), 16);
    long wait = Math.min(first << doublings, MAX_RETRY.toNanos());
    return retryAfter == null ? wait : Math.max(wait, retryAfter.toNanos());
  }

  private void cancelTimer(Claim c) {
    Cancellable t = c.timer;
    if (t != null) {
      t.cancel();
      c.timer = null;
    }
  }

  /**
   * Calls the mover and brings its answer onto the loop: a call that throws, or a stage that
   * fails, is a FAILED answer. After the agent stopped, an answer is only logged.
   */
  private void call(Supplier<CompletionStage<MoverResult>> request, Consumer<MoverResult> then) {
    CompletionStage<MoverResult> stage;
    try {
      stage = request.get();
    } catch (RuntimeException e) {
      then.accept(MoverResult.failed("the mover threw " + e));
      return;
    }
    stage.whenComplete((r, e) -> {
      MoverResult result = r != null ? r : MoverResult.failed("the mover failed: " + e);
      try {
        a.loop.execute(() -> then.accept(result));
      } catch (RejectedExecutionException closed) {
        LOG.debug("{}: mover answer after stop: {}", a.nodeId, result);
      }
    });
  }

  /** Stops every retry and watch; answers still on their way are ignored. */
  void stop() {
    for (Claim c : claims.values()) {
      cancelTimer(c);
    }
    for (Claim w : watches.values()) {
      cancelTimer(w);
    }
    watches.clear();
  }
}
