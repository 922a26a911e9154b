package io.vipha.agent;

import io.vipha.FailoverPolicy;
import io.vipha.plan.FlapRecord;
import io.vipha.plan.Plan;
import io.vipha.spi.Scheduler;
import io.vipha.spi.StateStore;
import io.vipha.spi.StateStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one node keeps across restarts through its {@link StateStore}: its last incarnation and its
 * own flap record. Each start takes the incarnation {@code max(stored + 1, wall-clock based)} and
 * saves it before the first heartbeat, so incarnations grow on every restart even when the wall
 * clock stepped back. The flap record is kept in wall-clock milliseconds (a monotonic clock does
 * not survive a restart) and brought back onto the new process's clock, clamped so that a clock
 * step can neither extend a suspension beyond {@code suspendFor} nor date a change in the future.
 *
 * <p>The format is UTF-8 text, one field a line: {@code vipha-state 1}, {@code incarnation N},
 * {@code flaps T T …} (wall-clock ms), {@code suspendedUntil none|never|T}, {@code returnPlanned
 * true|false}.
 */
final class NodeMemory {
  private static final Logger LOG = LoggerFactory.getLogger(NodeMemory.class);
  /** Distinguishes incarnations of processes started in the same millisecond. */
  private static final AtomicLong NEXT = new AtomicLong();
  private static final String MAGIC = "vipha-state 1";

  private final @Nullable StateStore store;
  private final Scheduler clock;
  private final String nodeId;
  private FailoverPolicy policy;
  private long incarnation;
  private FlapRecord saved = FlapRecord.NONE;
  /** The last plan whose record is saved: plans are immutable, so that one needs no look. */
  private @Nullable Plan savedPlan;
  private @Nullable FlapRecord loaded;
  /** The last save failed (logged once until one succeeds); written by the writer thread too. */
  private volatile boolean failing;
  /** A slow store's last save failed: the next plan saves again although its record is saved. */
  private volatile boolean writeFailed;
  /** The latest record a slow store has not saved yet, or null. */
  private final AtomicReference<byte @Nullable []> pending = new AtomicReference<>();
  private @Nullable ExecutorService writer;
  /** Closed by the agent's stop: later plans are not saved. */
  private boolean closed;

  NodeMemory(@Nullable StateStore store, Scheduler clock, String nodeId, FailoverPolicy policy) {
    this.store = store;
    this.clock = clock;
    this.nodeId = nodeId;
    this.policy = policy;
  }
  /** The flap limit of a changed group, from now on. */
  void policy(FailoverPolicy p) {
    this.policy = p;
  }


  /**
   * The incarnation after {@code stored} for a start at wall-clock {@code wallMillis}: above both
   * the stored one and the wall clock's (ms × 1000 + a counter).
   */
  static long nextIncarnation(long stored, long wallMillis, long counter) {
    long wall = Math.max(1, wallMillis) * 1000 + Math.floorMod(counter, 1000);
    return Math.max(stored + 1, wall);
  }

  /**
   * Reads the store, picks this start's incarnation and saves it.
   *
   * @throws StateStoreException when the store cannot be read, holds something else than a
   *     node's state, or cannot be written; the message names the store
   */
  long start() throws StateStoreException {
    StateStore s = store;
    long stored = 0;
    if (s != null) {
      byte[] b;
      try {
        b = s.load();
      } catch (IOException e) {
        throw new StateStoreException("cannot read the node state " + s + ": " + e, e);
      }
      if (b != null) {
        stored = parse(s, new String(b, StandardCharsets.UTF_8));
      }
    }
    incarnation = nextIncarnation(stored, clock.wallMillis(), NEXT.getAndIncrement());
    if (s != null) {
      FlapRecord r = loaded;
      try {
        FlapRecord first = r == null ? FlapRecord.NONE : r;
        s.save(encode(first, clock.nanoTime()));
        saved = first;
      } catch (IOException e) {
        throw new StateStoreException("cannot write the node state " + s + ": " + e
            + "; the node keeps its incarnation there and must be able to write it", e);
      }
    }
    return incarnation;
  }

  /** This start's incarnation (0 before {@link #start()}). */
  long incarnation() {
    return incarnation;
  }

  /**
   * {@code plan} with this node suspended until {@code until} (a peer's echo of what an earlier
   * process advertised), capped at {@code suspendFor} from {@code now}; {@code plan} itself when
   * its own suspension already lasts as long, or when the echo is of a suspension until cleared:
   * starting without its record is how an operator clears that one.
   */
  Plan adoptEchoed(Plan plan, long until, long now) {
    if (until == Plan.NEVER) {
      return plan;
    }
    long end = capped(until, now);
    FlapRecord r = plan.flapRecord(nodeId);
    long own = r.suspendedUntil();
    if (end <= now || (own != Long.MIN_VALUE && (own == Plan.NEVER || own >= end))) {
      return plan;
    }
    Plan p = plan.withFlapRecord(nodeId, new FlapRecord(List.of(), end, r.returnPlanned()));
    remember(p);
    return p;
  }

  /** {@code initial} with the flap record the last process saved, if any. */
  Plan restore(Plan initial) {
    FlapRecord r = loaded;
    return r == null ? initial : initial.withFlapRecord(nodeId, r);
  }

  /**
   * Saves this node's flap record of {@code plan} when it changed. A store that cannot be written
   * is logged (once until it works again) and tried again on the next change: the node keeps
   * running, with a restart then resuming an older record. A {@linkplain StateStore#slow() slow}
   * store is written from a thread of this memory's own, the latest record only, so that the
   * event loop never waits for a disk.
   */
  void remember(Plan plan) {
    StateStore s = store;
    if (s == null || plan == savedPlan || closed) {
      return;
    }
    FlapRecord r = plan.flapRecord(nodeId);
    if (r.equals(saved) && !writeFailed) {
      savedPlan = plan;
      return;
    }
    if (s.slow()) {
      byte[] b = encode(r, clock.nanoTime());
      saved = r;
      savedPlan = plan;
      writeFailed = false;
      if (pending.getAndSet(b) == null) {
        writer().execute(this::drain);
      }
      return;
    }
    try {
      s.save(encode(r, clock.nanoTime()));
      saved = r;
      savedPlan = plan;
      failing = false;
    } catch (IOException | RuntimeException e) {
      if (!failing) {
        LOG.warn("{}: cannot save the node state to {}: {}", nodeId, s, e.toString());
      }
      failing = true;
    }
  }

  /** Writes a slow store's pending records on the writer thread until none is left. */
  private void drain() {
    StateStore s = java.util.Objects.requireNonNull(store);
    byte[] b;
    while ((b = pending.get()) != null) {
      try {
        s.save(b);
        failing = false;
      } catch (IOException | RuntimeException e) {
        if (!failing) {
          LOG.warn("{}: cannot save the node state to {}: {}", nodeId, s, e.toString());
        }
        failing = true;
        writeFailed = true; // the next change, or the next plan, saves again
      }
      pending.compareAndSet(b, null); // a newer record, set meanwhile, is saved next
    }
  }

  private ExecutorService writer() {
    ExecutorService w = writer;
    if (w == null) {
      w = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vipha-state-" + nodeId);
        t.setDaemon(true);
        return t;
      });
      writer = w;
    }
    return w;
  }

  /**
   * Waits (up to {@code timeout}) until a slow store holds the last record handed to it, and
   * stops the writer thread; later plans are not saved. Called when the agent stops, after it
   * handed over the plan it stops with.
   */
  void close(Duration timeout) {
    closed = true;
    ExecutorService w = writer;
    if (w == null) {
      return;
    }
    w.shutdown();
    try {
      if (!w.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        LOG.warn("{}: the node state was not saved to {} within {} ms of the stop", nodeId,
            store, timeout.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private byte[] encode(FlapRecord r, long nowNanos) {
    long wallNow = clock.wallMillis();
    StringBuilder sb = new StringBuilder(MAGIC).append("\nincarnation ").append(incarnation)
        .append("\nflaps");
    for (long t : r.changes()) {
      sb.append(' ').append(toWallMillis(t, wallNow, nowNanos));
    }
    long su = r.suspendedUntil();
    sb.append("\nsuspendedUntil ").append(su == Long.MIN_VALUE ? "none" : su == Plan.NEVER
        ? "never" : Long.toString(toWallMillis(su, wallNow, nowNanos)));
    sb.append("\nreturnPlanned ").append(r.returnPlanned()).append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses the stored text; sets {@link #loaded}; returns the stored incarnation. */
  private long parse(StateStore s, String text) throws StateStoreException {
    String[] lines = text.split("\n", -1);
    if (lines.length < 5 || !lines[0].equals(MAGIC)) {
      throw corrupt(s, "it does not start with \"" + MAGIC + "\"");
    }
    long inc = number(s, field(s, lines[1], "incarnation"), "incarnation");
    if (inc < 0) {
      throw corrupt(s, "the incarnation " + inc + " is negative");
    }
    long nowNanos = clock.nanoTime();
    long wallNow = clock.wallMillis();
    long window = policy.flapLimit().window().toNanos();
    List<Long> changes = new ArrayList<>();
    String f = field(s, lines[2], "flaps").strip();
    if (!f.isEmpty()) {
      for (String t : f.split(" ", -1)) {
        long at = toNanos(number(s, t, "flaps"), wallNow, nowNanos);
        // A change dated in the future (the wall clock stepped back) happened at the latest now.
        at = Math.min(at, nowNanos);
        if (nowNanos - at < window) {
          changes.add(at);
        }
      }
    }
    String su = field(s, lines[3], "suspendedUntil");
    long until;
    if (su.equals("none")) {
      until = Long.MIN_VALUE;
    } else if (su.equals("never")) {
      until = Plan.NEVER;
    } else {
      // a clock step must not lengthen a suspension
      until = capped(toNanos(number(s, su, "suspendedUntil"), wallNow, nowNanos), nowNanos);
      if (until <= nowNanos) {
        until = Long.MIN_VALUE;
      }
    }
    String rp = field(s, lines[4], "returnPlanned");
    if (!rp.equals("true") && !rp.equals("false")) {
      throw corrupt(s, "returnPlanned is \"" + rp + "\", not true or false");
    }
    changes.sort(null);
    loaded = new FlapRecord(changes, until, rp.equals("true"));
    return inc;
  }

  /** A suspension ending at {@code until}, cut to at most {@code suspendFor} from {@code now}. */
  private long capped(long until, long now) {
    Duration max = policy.flapLimit().suspendFor();
    return max != null && until - now > max.toNanos() ? now + max.toNanos() : until;
  }

  /** The wall-clock milliseconds of the monotonic instant {@code nanos}. */
  private static long toWallMillis(long nanos, long wallNow, long nowNanos) {
    return wallNow + Math.floorDiv(nanos - nowNanos, 1_000_000L);
  }

  private static long toNanos(long wallMillis, long wallNow, long nowNanos) {
    long deltaMillis = wallMillis - wallNow;
    long cap = Long.MAX_VALUE / 4 / 1_000_000L;
    deltaMillis = Math.max(-cap, Math.min(cap, deltaMillis));
    return nowNanos + deltaMillis * 1_000_000L;
  }

  private static String field(StateStore s, String line, String name)
      throws StateStoreException {
    if (!line.startsWith(name + " ") && !line.equals(name)) {
      throw corrupt(s, "expected the field " + name + " but found \"" + line + "\"");
    }
    return line.substring(name.length()).strip();
  }

  private static long number(StateStore s, String text, String name)
      throws StateStoreException {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw corrupt(s, name + " holds \"" + text + "\", not a whole number");
    }
  }

  private static StateStoreException corrupt(StateStore s, String why) {
    return new StateStoreException("the node state " + s + " is corrupt: " + why + "; move it away to"
        + " start afresh (the incarnation then comes from the wall clock and the flap history is"
        + " empty)", null);
  }

}
