package io.vipha.spi;

import io.vipha.internal.Problems;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a mover call found or did.
 *
 * @param outcome what happened
 * @param target the node (or the provider's name for it: an instance, a port) the VIP points at
 *     as far as the call learned, or null when unknown or pointing nowhere
 * @param version the provider's version of the record (opaque; pass it back as {@code
 *     expectedVersion}), or null when unknown
 * @param epoch the fencing epoch stored with the target (for {@link Outcome#STALE_EPOCH} the
 *     newer one that won), 0 when none; never negative
 * @param detail a short human-readable account, for events and logs; never blank, never a secret
 * @param retryAfter how long the provider asked to wait before another call, or null; only for an
 *     outcome that may be retried ({@link Outcome#retryable()}), never negative
 */
public record MoverResult(Outcome outcome, @Nullable String target, @Nullable String version,
    long epoch, String detail, @Nullable Duration retryAfter) {

  /** The kinds of answer. */
  public enum Outcome {
    /** The provider did it (observe: the record was read). */
    ACCEPTED,
    /** It already was so under this epoch or a lower one: nothing to do. */
    ALREADY_OWNED,
    /** The provider holds a higher epoch: a newer owner exists. */
    STALE_EPOCH,
    /** The record changed since {@code expectedVersion}, or another party holds the address. */
    CONFLICT,
    /** The provider asked to slow down; see {@code retryAfter}. */
    THROTTLED,
    /** The call failed (network, permission, provider error, bad answer). */
    FAILED,
    /** No answer within the deadline; the provider may still apply the call. */
    TIMED_OUT;

    /** Whether the call reached its goal: ACCEPTED or ALREADY_OWNED. */
    public boolean succeeded() {
      return this == ACCEPTED || this == ALREADY_OWNED;
    }

    /** Whether the same call may simply be tried again later: THROTTLED, FAILED or TIMED_OUT. */
    public boolean retryable() {
      return this == THROTTLED || this == FAILED || this == TIMED_OUT;
    }
  }

  /** Validates every field; throws {@link io.vipha.ValidationException} naming all problems. */
  public MoverResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(detail, "detail");
    Problems p = new Problems();
    if (epoch < 0) {
      p.add("epoch", epoch, "is negative; an epoch is 0 (none) or more");
    }
    if (detail.isBlank()) {
      p.add("detail", detail, "is blank; say what happened");
    }
    if (retryAfter != null) {
      if (retryAfter.isNegative()) {
        p.add("retryAfter", retryAfter, "is negative; use zero or more, or null");
      }
      if (!outcome.retryable()) {
        p.add("retryAfter", retryAfter, "is only for THROTTLED, FAILED or TIMED_OUT, not "
            + outcome);
      }
    }
    p.throwIfAny();
  }

  /** The provider pointed the VIP at {@code target} under {@code epoch}, now at {@code version}. */
  public static MoverResult accepted(@Nullable String target, @Nullable String version,
      long epoch) {
    return new MoverResult(Outcome.ACCEPTED, target, version, epoch, "accepted", null);
  }

  /** The VIP already pointed at {@code target}; the stored epoch is now {@code epoch}. */
  public static MoverResult alreadyOwned(@Nullable String target, @Nullable String version,
      long epoch) {
    return new MoverResult(Outcome.ALREADY_OWNED, target, version, epoch, "already owned", null);
  }

  /** Refused: the provider holds the higher {@code storedEpoch}, for {@code target}. */
  public static MoverResult staleEpoch(@Nullable String target, long storedEpoch, String detail) {
    return new MoverResult(Outcome.STALE_EPOCH, target, null, storedEpoch, detail, null);
  }

  /** Refused: the record is now {@code version}, pointing at {@code target}. */
  public static MoverResult conflict(@Nullable String target, @Nullable String version,
      String detail) {
    return new MoverResult(Outcome.CONFLICT, target, version, 0, detail, null);
  }

  /** The provider asked to wait {@code retryAfter} (null when it did not say). */
  public static MoverResult throttled(@Nullable Duration retryAfter, String detail) {
    return new MoverResult(Outcome.THROTTLED, null, null, 0, detail, retryAfter);
  }

  /** The call failed for the reason in {@code detail}. */
  public static MoverResult failed(String detail) {
    return new MoverResult(Outcome.FAILED, null, null, 0, detail, null);
  }

  /** No answer in time. */
  public static MoverResult timedOut(String detail) {
    return new MoverResult(Outcome.TIMED_OUT, null, null, 0, detail, null);
  }

  /**
   * An observation: the VIP points at {@code target} (null: nowhere) under the stored {@code
   * epoch} (0: none), at record {@code version}. Its outcome is {@link Outcome#ACCEPTED}.
   */
  public static MoverResult observed(@Nullable String target, @Nullable String version,
      long epoch) {
    return new MoverResult(Outcome.ACCEPTED, target, version, epoch, "observed", null);
  }

  /** Whether the call reached its goal: ACCEPTED or ALREADY_OWNED. */
  public boolean succeeded() {
    return outcome.succeeded();
  }
}
