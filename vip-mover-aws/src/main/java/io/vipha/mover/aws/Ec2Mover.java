package io.vipha.mover.aws;

import io.vipha.VirtualIp;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * What both EC2 movers share: the calls run on the mover's own threads under one deadline, and a
 * claim follows one shape. EC2 has no conditional write, so a claim reads the stored epoch,
 * refuses a lower one, writes its epoch as a tag first (a racing claimer with a lower epoch then
 * finds it on its read-back), moves the address, and reads back until the move and the tag are
 * both visible, a bounded number of times.
 */
abstract class Ec2Mover implements AddressMover {
  private static final Logger LOG = LoggerFactory.getLogger(Ec2Mover.class);
  static final String EPOCH_TAG = "vipha:epoch";
  static final String NODE_TAG = "vipha:node";
  /** Completes a stage this long after its timeout if the SDK has not given up by then. */
  private static final Duration GRACE = Duration.ofMillis(500);

  /** How a claim reads back: how many reads at most, and the pauses between them. */
  record Verify(int reads, Duration firstPause, Duration maxPause) {
    static final Verify DEFAULT = new Verify(6, Duration.ofMillis(250), Duration.ofSeconds(2));

    Duration pause(int afterRead) {
      long millis = firstPause.toMillis() << Math.min(afterRead, 16);
      return Duration.ofMillis(Math.min(millis, maxPause.toMillis()));
    }
  }

  /**
   * Where the VIP points as one read saw it.
   *
   * @param target the interface or instance it points at, or null
   * @param marker the provider's record of that pointing (an association id), or null
   * @param epoch the highest epoch stored for the VIP, 0 when none
   * @param ours whether it points at this node
   * @param ownEpoch the epoch stored on this node's own record of the VIP, 0 when none
   * @param resource what the epoch tag is written on
   */
  record View(@Nullable String target, @Nullable String marker, long epoch, boolean ours,
      long ownEpoch, String resource) {
    String version() {
      return (marker == null ? target == null ? "none" : target : marker) + "@" + epoch;
    }

    View withEpoch(long raised) {
      return new View(target, marker, raised, ours, raised, resource);
    }
  }

  /** Ends a call early with {@code result}. */
  static final class Answer extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient MoverResult result;

    Answer(MoverResult result) {
      super(result.detail(), null, false, false);
      this.result = result;
    }
  }

  final Ec2Settings settings;
  final String node;
  final Ec2Client ec2;
  private final Verify verify;
  private final ExecutorService executor;

  Ec2Mover(Ec2Settings settings, String node, Ec2Client ec2, Verify verify) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.node = Objects.requireNonNull(node, "node");
    this.ec2 = Objects.requireNonNull(ec2, "ec2");
    this.verify = Objects.requireNonNull(verify, "verify");
    AtomicInteger count = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "vipha-" + settings.kind().type + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Reads where {@code vip} points now. */
  abstract View read(VirtualIp vip, Deadline deadline);

  /** Moves {@code vip} here; returns the provider's marker of the move, or null. */
  abstract @Nullable String move(VirtualIp vip, View before, Deadline deadline);

  /** Lets go of {@code vip}, which {@code now} shows pointing here. */
  abstract void letGo(VirtualIp vip, View now, Deadline deadline);

  /** Writes {@code epoch} for {@code vip} on {@code resource}. */
  abstract void writeEpoch(VirtualIp vip, String resource, long epoch, Deadline deadline);

  /** Whether {@code after} shows the move that returned {@code marker}. */
  boolean confirms(View after, @Nullable String marker) {
    return after.ours() && (marker == null || marker.equals(after.marker()));
  }

  @Override
  public CompletionStage<MoverResult> observe(VirtualIp vip, Duration timeout) {
    return run("observe", timeout, d -> {
      View v = read(vip, d);
      return MoverResult.observed(v.target(), v.version(), v.epoch());
    });
  }

  @Override
  public CompletionStage<MoverResult> claim(VirtualIp vip, long epoch,
      @Nullable String expectedVersion, Duration timeout) {
    return run("claim", timeout, d -> claimNow(vip, epoch, expectedVersion, d));
  }

  @Override
  public CompletionStage<MoverResult> release(VirtualIp vip, long epoch, Duration timeout) {
    return run("release", timeout, d -> releaseNow(vip, epoch, d));
  }

  private MoverResult claimNow(VirtualIp vip, long epoch, @Nullable String expectedVersion,
      Deadline d) throws InterruptedException {
    View before = read(vip, d);
    if (before.epoch() > epoch) {
      return MoverResult.staleEpoch(before.target(), before.epoch(), "EC2 holds epoch "
          + before.epoch() + " for " + vip.address().getHostAddress() + ", above " + epoch);
    }
    if (expectedVersion != null && !expectedVersion.equals(before.version())) {
      return MoverResult.conflict(before.target(), before.version(), "the record is at "
          + before.version() + ", not the expected " + expectedVersion);
    }
    if (before.ours()) {
      if (before.ownEpoch() < epoch) {
        writeEpoch(vip, before.resource(), epoch, d);
      }
      return result(Outcome.ALREADY_OWNED, before.target(), before.withEpoch(epoch).version(),
          epoch, "already points at " + before.target() + "; epoch " + epoch);
    }
    writeEpoch(vip, before.resource(), epoch, d);
    String marker = move(vip, before, d);
    View after = before;
    for (int read = 0; read < verify.reads(); read++) {
      if (read > 0 && !d.pause(verify.pause(read - 1))) {
        break;
      }
      after = read(vip, d);
      if (after.epoch() > epoch) {
        return MoverResult.conflict(after.target(), after.version(), "a claim under epoch "
            + after.epoch() + " overtook this one (epoch " + epoch + ")");
      }
      if (confirms(after, marker) && after.epoch() == epoch) {
        LOG.info("{} now points at {} ({}) under epoch {}", vip.address().getHostAddress(),
            after.target(), node, epoch);
        return result(Outcome.ACCEPTED, after.target(), after.version(), epoch,
            "points at " + after.target() + " under epoch " + epoch);
      }
    }
    if (Objects.equals(after.marker(), before.marker())
        && Objects.equals(after.target(), before.target()) && after.epoch() == before.epoch()) {
      return MoverResult.timedOut("the move of " + vip.address().getHostAddress()
          + " is not visible yet after " + verify.reads() + " reads; EC2 may still apply it");
    }
    LOG.warn("claim of {} under epoch {} reads back {} at {}", vip.address().getHostAddress(),
        epoch, after.target(), after.version());
    return MoverResult.conflict(after.target(), after.version(), "read back "
        + after.target() + " at " + after.version() + " after moving it here under epoch "
        + epoch);
  }

  private MoverResult releaseNow(VirtualIp vip, long epoch, Deadline d) {
    View now = read(vip, d);
    if (now.epoch() > epoch) {
      return MoverResult.staleEpoch(now.target(), now.epoch(), "EC2 holds epoch "
          + now.epoch() + " for " + vip.address().getHostAddress() + ", above " + epoch
          + "; not released");
    }
    if (!now.ours()) {
      return result(Outcome.ALREADY_OWNED, now.target(), now.version(), now.epoch(),
          "does not point here" + (now.target() == null ? "" : " but at " + now.target())
          + "; nothing to release");
    }
    letGo(vip, now, d);
    LOG.info("released {} from {} under epoch {}", vip.address().getHostAddress(), now.target(),
        epoch);
    return result(Outcome.ACCEPTED, null, null, now.epoch(), "released from " + now.target());
  }

  private static MoverResult result(Outcome outcome, @Nullable String target,
      @Nullable String version, long epoch, String detail) {
    return new MoverResult(outcome, target, version, epoch, detail, null);
  }

  /** One step of a call, run on the mover's thread. */
  interface Body {
    MoverResult run(Deadline deadline) throws InterruptedException;
  }

  private CompletionStage<MoverResult> run(String what, Duration timeout, Body body) {
    CompletableFuture<MoverResult> stage = new CompletableFuture<>();
    Deadline deadline = Deadline.after(timeout);
    try {
      executor.execute(() -> stage.complete(safely(what, body, deadline)));
    } catch (RejectedExecutionException e) {
      // Never on the caller's thread, as the SPI promises.
      return CompletableFuture.supplyAsync(() -> MoverResult.failed(what + ": the "
          + settings.kind().type + " mover is closed"));
    }
    return stage.completeOnTimeout(MoverResult.timedOut(what + " had no answer within "
        + timeout.toMillis() + " ms"), timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
  }

  private MoverResult safely(String what, Body body, Deadline deadline) {
    try {
      return body.run(deadline);
    } catch (Answer a) {
      if (!a.result.succeeded()) {
        LOG.warn("{} {}: {}", settings.kind().type, what, a.result.detail());
      }
      return a.result;
    } catch (Deadline.Passed p) {
      return MoverResult.timedOut(what + ": " + p.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return MoverResult.failed(what + " was interrupted (the mover is closing)");
    } catch (RuntimeException e) {
      LOG.warn("{} {} failed", settings.kind().type, what, e);
      return MoverResult.failed(what + " failed: "
          + Ec2Errors.redact(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
  }

  /**
   * Runs one EC2 call named {@code action}, bounded by what is left of {@code deadline}; what the
   * SDK throws ends the mover call with the matching result.
   */
  static <T> T call(String action, Deadline deadline,
      Function<AwsRequestOverrideConfiguration, T> request) {
    AwsRequestOverrideConfiguration bound = AwsRequestOverrideConfiguration.builder()
        .apiCallTimeout(deadline.remaining(action))
        .build();
    try {
      return request.apply(bound);
    } catch (SdkException e) {
      throw new Answer(Ec2Errors.map(e, action));
    }
  }

  /** Tags {@code resource} with {@code tags} (CreateTags overwrites a key's value). */
  void tag(String resource, List<Tag> tags, Deadline deadline) {
    call("CreateTags", deadline, o -> ec2.createTags(CreateTagsRequest.builder()
        .resources(resource).tags(tags).overrideConfiguration(o).build()));
  }

  /** The epoch in tag {@code key} of {@code tags}; 0 when absent; an unreadable one fails. */
  static long epochOf(List<Tag> tags, String key, String resource) {
    for (Tag t : tags) {
      if (key.equals(t.key())) {
        try {
          long e = Long.parseLong(t.value().trim());
          if (e >= 0) {
            return e;
          }
        } catch (NumberFormatException | NullPointerException ignored) {
          // reported below
        }
        throw new Answer(MoverResult.failed("tag " + key + " of " + resource + " holds \""
            + t.value() + "\", not an epoch; delete the tag or set it to a number"));
      }
    }
    return 0;
  }

  static Tag tagOf(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  @Override
  public void close() {
    executor.shutdownNow();
    ec2.close();
  }

  @Override
  public String toString() {
    return settings.kind().type + " mover of node " + node + " (" + settings.self() + ", "
        + settings.region() + ")";
  }
}
