package io.vipha.mover.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.VirtualIp;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What both Neutron movers share: each call runs on the mover's one thread within its deadline;
 * a claim reads the resource, refuses a lower epoch than the stored one, writes with {@code
 * If-Match} (on 412 it reads again once and retries if the epoch still allows) and reads back
 * until the write shows, a bounded number of times, since Neutron's reads may lag its writes.
 *
 * @param <S> what a read of the resource found
 */
abstract class NeutronMover<S extends NeutronMover.State> implements AddressMover {
  /** The reads after a write, waiting {@code readBackPause} and twice as long each time after. */
  static final int READ_BACKS = 5;
  /** How much longer than its timeout a call may take before its stage says TIMED_OUT. */
  private static final Duration GRACE = Duration.ofMillis(100);

  /** What one read of the resource found. */
  interface State {
    /** The port the VIP points at, or null. */
    @Nullable String target();

    /** The revision of the resource this node writes. */
    long revision();

    /** The highest epoch stored for the VIP. */
    long epoch();

    /** Whether this node's port holds the VIP. */
    boolean here();

    /** Whether this node's port holds it and no other port does. */
    default boolean ours() {
      return here();
    }
  }

  /** A mover call's body. */
  interface Body {
    MoverResult run(Deadline deadline) throws Refusal;
  }

  final String node;
  final String portId;
  final Neutron neutron;
  private final ExecutorService executor;
  private final Duration readBackPause;
  private final Set<CompletableFuture<MoverResult>> pending = ConcurrentHashMap.newKeySet();

  NeutronMover(String node, String portId, Neutron neutron, Duration readBackPause) {
    this.node = node;
    this.portId = portId;
    this.neutron = neutron;
    this.readBackPause = readBackPause;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vipha-neutron-" + node);
      t.setDaemon(true);
      return t;
    });
  }

  abstract S read(VirtualIp vip, Deadline deadline) throws Refusal;

  /** Points the VIP at this node's port under {@code epoch}; the revision after the pointing. */
  abstract long point(S s, VirtualIp vip, long epoch, Deadline deadline)
      throws Refusal, PreconditionFailed;

  /** Raises the stored epoch to {@code epoch}, the VIP already being ours. */
  abstract void raise(S s, VirtualIp vip, long epoch, Deadline deadline)
      throws Refusal, PreconditionFailed;

  /** Takes the VIP off this node's port; the revision after. */
  abstract long unpoint(S s, VirtualIp vip, Deadline deadline) throws Refusal, PreconditionFailed;

  /** The resource in words, for details: "floating IP ID", "VIP A on port ID". */
  abstract String describe(VirtualIp vip);

  @Override
  public CompletionStage<MoverResult> observe(VirtualIp vip, Duration timeout) {
    return run(timeout, d -> {
      S s = read(vip, d);
      return result(Outcome.ACCEPTED, s, s.epoch(), describe(vip) + " points at "
          + (s.target() == null ? "nothing" : "port " + s.target()) + " under epoch "
          + s.epoch() + " (revision " + s.revision() + ")");
    });
  }

  @Override
  public CompletionStage<MoverResult> claim(VirtualIp vip, long epoch,
      @Nullable String expectedVersion, Duration timeout) {
    return run(timeout, d -> claim(vip, epoch, expectedVersion, d));
  }

  @Override
  public CompletionStage<MoverResult> release(VirtualIp vip, long epoch, Duration timeout) {
    return run(timeout, d -> release(vip, epoch, d));
  }

  /** Stops the mover's thread; calls not answered yet complete with FAILED at once. */
  @Override
  public void close() {
    executor.shutdown(); // no new call runs from here on
    for (CompletableFuture<MoverResult> f : pending) {
      f.complete(closed());
    }
    executor.shutdownNow();
  }

  private MoverResult closed() {
    return MoverResult.failed("the OpenStack mover of " + node + " is closed");
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[node " + node + ", port " + portId + "]";
  }

  private MoverResult claim(VirtualIp vip, long epoch, @Nullable String expected, Deadline d)
      throws Refusal {
    boolean wrote = false;
    for (int attempt = 0; ; attempt++) {
      S s = read(vip, d);
      if (attempt == 0 && expected != null && !expected.equals(Long.toString(s.revision()))) {
        return result(Outcome.CONFLICT, s, 0, describe(vip) + " is at revision " + s.revision()
            + ", not the expected " + expected);
      }
      if (s.epoch() > epoch) {
        return stale(vip, s, epoch);
      }
      try {
        if (s.ours()) {
          if (s.epoch() < epoch) {
            raise(s, vip, epoch, d);
          }
          String how = (s.epoch() < epoch ? "; stored epoch raised from " + s.epoch() : "");
          return new MoverResult(wrote ? Outcome.ACCEPTED : Outcome.ALREADY_OWNED, portId,
              s.epoch() < epoch ? null : Long.toString(s.revision()), epoch,
              describe(vip) + " points at this node's port under epoch " + epoch + how, null);
        }
        long written = point(s, vip, epoch, d);
        wrote = true;
        return verify(vip, epoch, written, d);
      } catch (PreconditionFailed e) {
        if (expected != null || attempt >= 1) {
          return result(Outcome.CONFLICT, s, 0, e.getMessage()
              + (attempt >= 1 ? " twice; another writer is active" : ""));
        }
      }
    }
  }

  private MoverResult verify(VirtualIp vip, long epoch, long written, Deadline d) {
    Duration pause = readBackPause;
    String seen = "no read-back";
    try {
      for (int i = 0; i < READ_BACKS; i++) {
        if (i > 0) {
          Duration left = d.remaining("reading back");
          if (left.compareTo(pause.multipliedBy(2)) < 0) {
            break;
          }
          Thread.sleep(pause.toMillis());
          pause = pause.multipliedBy(2);
        }
        S s = read(vip, d);
        if (s.epoch() > epoch) {
          return stale(vip, s, epoch);
        }
        if (s.ours() && s.epoch() == epoch) {
          return result(Outcome.ACCEPTED, s, epoch, describe(vip) + " now points at port "
              + portId + " under epoch " + epoch + " (revision " + s.revision() + ", read back "
              + (i + 1) + (i == 0 ? " time)" : " times)"));
        }
        if (!s.here() && s.revision() > written) {
          return result(Outcome.CONFLICT, s, 0, describe(vip) + " was pointed at "
              + (s.target() == null ? "nothing" : "port " + s.target())
              + " by another writer right after ours (revision " + s.revision() + ")");
        }
        seen = (i + 1) + " read-backs still showed revision " + s.revision();
      }
    } catch (Refusal e) {
      seen = "reading back: " + e.result.detail();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      seen = "interrupted while reading back";
    }
    return new MoverResult(Outcome.ACCEPTED, portId, null, epoch, describe(vip)
        + " pointed at port " + portId + " under epoch " + epoch + " (Neutron acknowledged "
        + "revision " + written + "; not yet visible: " + seen + ")", null);
  }

  private MoverResult release(VirtualIp vip, long epoch, Deadline d) throws Refusal {
    for (int attempt = 0; ; attempt++) {
      S s = read(vip, d);
      if (!s.here()) {
        return result(Outcome.ACCEPTED, s, s.epoch(), describe(vip)
            + " does not point at this node's port; nothing to release");
      }
      if (s.epoch() > epoch) {
        return stale(vip, s, epoch);
      }
      try {
        long revision = unpoint(s, vip, d);
        return new MoverResult(Outcome.ACCEPTED, null, Long.toString(revision), s.epoch(),
            describe(vip) + " released from port " + portId + " (revision " + revision + ")",
            null);
      } catch (PreconditionFailed e) {
        if (attempt >= 1) {
          return result(Outcome.CONFLICT, s, 0, e.getMessage()
              + " twice; another writer is active");
        }
      }
    }
  }

  private MoverResult stale(VirtualIp vip, S s, long epoch) {
    return MoverResult.staleEpoch(s.target(), s.epoch(), describe(vip) + " holds epoch "
        + s.epoch() + ", newer than " + epoch + " (pointing at "
        + (s.target() == null ? "nothing" : "port " + s.target()) + ")");
  }

  private static MoverResult result(Outcome outcome, State s, long epoch, String detail) {
    return new MoverResult(outcome, s.target(), Long.toString(s.revision()), epoch, detail, null);
  }

  private CompletionStage<MoverResult> run(Duration timeout, Body body) {
    Deadline deadline = Deadline.after(timeout);
    CompletableFuture<MoverResult> f = new CompletableFuture<>();
    pending.add(f);
    f.whenComplete((r, e) -> pending.remove(f));
    try {
      executor.execute(() -> {
        MoverResult r;
        try {
          r = body.run(deadline);
        } catch (Refusal e) {
          r = e.result;
        } catch (RuntimeException e) {
          r = MoverResult.failed("unexpected " + e.getClass().getSimpleName() + " in the "
              + "OpenStack mover of " + node);
        }
        f.complete(r);
      });
    } catch (RejectedExecutionException e) {
      f.complete(closed());
    }
    return f.completeOnTimeout(MoverResult.timedOut("no answer within " + timeout.toMillis()
        + " ms"), timeout.plus(GRACE).toNanos(), TimeUnit.NANOSECONDS);
  }

  /** {@code {"name": {field: value}}}. */
  static ObjectNode wrap(String name, String field, @Nullable JsonNode value) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putObject(name).set(field, value == null ? JsonNodeFactory.instance.nullNode() : value);
    return body;
  }
}
