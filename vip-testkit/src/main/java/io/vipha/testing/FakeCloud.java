package io.vipha.testing;

import io.vipha.VirtualIp;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverResult;
import io.vipha.spi.Scheduler;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A fake cloud provider for tests: one record per VIP (the node it points at, the fencing epoch
 * stored with it, a version that changes with every change), shared by the {@linkplain
 * #mover(String) movers} of several nodes. It answers on the scheduler's clock after a latency
 * drawn from a range (seeded, so a run repeats), applies a change when it answers, and answers
 * {@link MoverResult.Outcome#TIMED_OUT} at the caller's deadline when the latency is longer (the
 * change still applies later, as a real provider's may). Answers can be injected (a throttle, a
 * failure) and every call is recorded. Safe for calls from several threads.
 *
 * <p>The rules are those of {@link AddressMover}: a claim with an epoch below the stored one is
 * {@code STALE_EPOCH}; a claim by the node already pointed at is {@code ALREADY_OWNED} and raises
 * the stored epoch; a claim whose expected version is not the record's is {@code CONFLICT}; a
 * release by another node than the one pointed at changes nothing.
 */
public final class FakeCloud {
  /**
   * One call as the provider saw it.
   *
   * @param node the caller
   * @param operation {@code claim}, {@code release} or {@code observe}
   * @param vip the VIP
   * @param epoch the caller's epoch (0 for an observe)
   * @param sentAt when it was made, on the scheduler's clock
   * @param answeredAt when it was answered
   * @param result the answer
   */
  public record Call(String node, String operation, VirtualIp vip, long epoch, long sentAt,
      long answeredAt, MoverResult result) {}

  private record Entry(@Nullable String target, long epoch, int version) {}

  private final Scheduler clock;
  private final SplittableRandom random;
  private final Map<InetAddress, Entry> records = new HashMap<>();
  private final ArrayDeque<MoverResult> injected = new ArrayDeque<>();
  private final ArrayDeque<MoverResult> injectedObserves = new ArrayDeque<>();
  private final List<Call> calls = new ArrayList<>();
  private long minLatency;
  private long maxLatency;
  private boolean unanswered;

  /** A cloud that answers on {@code clock} at once (in a task of its own), seeded with 1. */
  public FakeCloud(Scheduler clock) {
    this(clock, 1);
  }

  /** A cloud that answers on {@code clock}, its latencies drawn with {@code seed}. */
  public FakeCloud(Scheduler clock, long seed) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = new SplittableRandom(seed); // (mixes neighbouring seeds well)
  }

  /** Answers each call after a latency drawn uniformly from {@code min}–{@code max}. */
  public synchronized FakeCloud latency(Duration min, Duration max) {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("latency needs 0 <= min <= max, got " + min + "–"
          + max);
    }
    this.minLatency = min.toNanos();
    this.maxLatency = max.toNanos();
    return this;
  }

  /**
   * Answers the next claim or release (of any node) with {@code result} instead of doing it, once
   * per call; several injections answer calls in turn.
   */
  public synchronized FakeCloud inject(MoverResult result) {
    injected.add(Objects.requireNonNull(result, "result"));
    return this;
  }

  /** Answers the next observe (of any node) with {@code result}; several answer in turn. */
  public synchronized FakeCloud injectObserve(MoverResult result) {
    injectedObserves.add(Objects.requireNonNull(result, "result"));
    return this;
  }

  /**
   * While {@code on}, calls are never answered, not even at the caller's deadline (a provider
   * that hangs): they change nothing and are not recorded.
   */
  public synchronized FakeCloud unanswered(boolean on) {
    this.unanswered = on;
    return this;
  }

  /** The mover of {@code node}: what that node's agent is given. */
  public AddressMover mover(String node) {
    Objects.requireNonNull(node, "node");
    return new AddressMover() {
      @Override
      public CompletionStage<MoverResult> observe(VirtualIp vip, Duration timeout) {
        return request(node, "observe", vip, 0, null, timeout);
      }

      @Override
      public CompletionStage<MoverResult> claim(VirtualIp vip, long epoch,
          @Nullable String expectedVersion, Duration timeout) {
        return request(node, "claim", vip, epoch, expectedVersion, timeout);
      }

      @Override
      public CompletionStage<MoverResult> release(VirtualIp vip, long epoch, Duration timeout) {
        return request(node, "release", vip, epoch, null, timeout);
      }

      @Override
      public String toString() {
        return "FakeCloud mover of " + node;
      }
    };
  }

  /** The node {@code vip} points at now, or null. */
  public synchronized @Nullable String target(VirtualIp vip) {
    Entry e = records.get(vip.address());
    return e == null ? null : e.target();
  }

  /** The epoch stored with {@code vip}, 0 when none. */
  public synchronized long epoch(VirtualIp vip) {
    Entry e = records.get(vip.address());
    return e == null ? 0 : e.epoch();
  }

  /** Every call answered so far, in the order answered. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The calls answered so far of {@code operation} ({@code claim}, {@code release}, ...). */
  public synchronized List<Call> calls(String operation) {
    return calls.stream().filter(c -> c.operation().equals(operation)).toList();
  }

  private CompletionStage<MoverResult> request(String node, String operation, VirtualIp vip,
      long epoch, @Nullable String expectedVersion, Duration timeout) {
    CompletableFuture<MoverResult> out = new CompletableFuture<>();
    long sentAt = clock.nanoTime();
    long latency;
    synchronized (this) {
      if (unanswered) {
        return out;
      }
      latency = maxLatency == minLatency ? minLatency
          : minLatency + (long) (random.nextDouble() * (maxLatency - minLatency));
    }
    long deadline = timeout.toNanos();
    clock.schedule(latency, () -> {
      MoverResult r = apply(node, operation, vip, epoch, expectedVersion);
      if (latency > deadline) {
        return; // (answered at the deadline; the change applies all the same)
      }
      record(node, operation, vip, epoch, sentAt, r);
      out.complete(r);
    });
    if (latency > deadline) {
      clock.schedule(deadline, () -> {
        MoverResult r = MoverResult.timedOut("no answer within " + timeout.toMillis() + " ms");
        record(node, operation, vip, epoch, sentAt, r);
        out.complete(r);
      });
    }
    return out;
  }

  private synchronized void record(String node, String operation, VirtualIp vip, long epoch,
      long sentAt, MoverResult r) {
    calls.add(new Call(node, operation, vip, epoch, sentAt, clock.nanoTime(), r));
  }

  private synchronized MoverResult apply(String node, String operation, VirtualIp vip,
      long epoch, @Nullable String expectedVersion) {
    Entry e = records.getOrDefault(vip.address(), new Entry(null, 0, 0));
    if (operation.equals("observe")) {
      MoverResult forced = injectedObserves.poll();
      return forced != null ? forced : MoverResult.observed(e.target(), version(e), e.epoch());
    }
    MoverResult forced = injected.poll();
    if (forced != null) {
      return forced;
    }
    if (epoch < e.epoch()) {
      return MoverResult.staleEpoch(e.target(), e.epoch(), "epoch " + epoch + " is below the"
          + " stored " + e.epoch());
    }
    if (operation.equals("release")) {
      if (!node.equals(e.target())) {
        return MoverResult.accepted(e.target(), version(e), e.epoch());
      }
      Entry next = new Entry(null, e.epoch(), e.version() + 1);
      records.put(vip.address(), next);
      return MoverResult.accepted(null, version(next), next.epoch());
    }
    if (node.equals(e.target())) {
      Entry next = new Entry(node, epoch, e.version());
      records.put(vip.address(), next);
      return MoverResult.alreadyOwned(node, version(next), epoch);
    }
    if (expectedVersion != null && !expectedVersion.equals(version(e))) {
      return MoverResult.conflict(e.target(), version(e), "the record is at " + version(e)
          + ", not " + expectedVersion);
    }
    Entry next = new Entry(node, epoch, e.version() + 1);
    records.put(vip.address(), next);
    return MoverResult.accepted(node, version(next), epoch);
  }

  private static String version(Entry e) {
    return "v" + e.version();
  }
}
