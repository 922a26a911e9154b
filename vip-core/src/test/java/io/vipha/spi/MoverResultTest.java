package io.vipha.spi;

import static io.vipha.Invalid.assertOnlyProblem;
import static io.vipha.Invalid.assertProblem;
import static io.vipha.Invalid.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.vipha.ValidationException.Problem;
import io.vipha.spi.MoverResult.Outcome;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MoverResult}: its factories and what its constructor refuses. */
class MoverResultTest {
  @Test
  void factoriesSetTheirOutcomeAndFields() {
    assertThat(MoverResult.accepted("a", "v2", 7))
        .isEqualTo(new MoverResult(Outcome.ACCEPTED, "a", "v2", 7, "accepted", null));
    assertThat(MoverResult.alreadyOwned("a", "v2", 9))
        .isEqualTo(new MoverResult(Outcome.ALREADY_OWNED, "a", "v2", 9, "already owned", null));
    assertThat(MoverResult.staleEpoch("b", 12, "b holds 12"))
        .isEqualTo(new MoverResult(Outcome.STALE_EPOCH, "b", null, 12, "b holds 12", null));
    assertThat(MoverResult.conflict("b", "v3", "changed"))
        .isEqualTo(new MoverResult(Outcome.CONFLICT, "b", "v3", 0, "changed", null));
    assertThat(MoverResult.throttled(Duration.ofSeconds(2), "slow down"))
        .isEqualTo(new MoverResult(Outcome.THROTTLED, null, null, 0, "slow down",
            Duration.ofSeconds(2)));
    assertThat(MoverResult.throttled(null, "slow down").retryAfter()).isNull();
    assertThat(MoverResult.failed("403"))
        .isEqualTo(new MoverResult(Outcome.FAILED, null, null, 0, "403", null));
    assertThat(MoverResult.timedOut("5 s"))
        .isEqualTo(new MoverResult(Outcome.TIMED_OUT, null, null, 0, "5 s", null));
    assertThat(MoverResult.observed(null, "v1", 0))
        .isEqualTo(new MoverResult(Outcome.ACCEPTED, null, "v1", 0, "observed", null));
  }

  @Test
  void onlyAcceptedAndAlreadyOwnedSucceed() {
    EnumSet<Outcome> succeeded = EnumSet.noneOf(Outcome.class);
    EnumSet<Outcome> retryable = EnumSet.noneOf(Outcome.class);
    for (Outcome o : Outcome.values()) {
      if (o.succeeded()) {
        succeeded.add(o);
      }
      if (o.retryable()) {
        retryable.add(o);
      }
    }
    assertThat(succeeded).containsExactly(Outcome.ACCEPTED, Outcome.ALREADY_OWNED);
    assertThat(retryable).containsExactly(Outcome.THROTTLED, Outcome.FAILED, Outcome.TIMED_OUT);
    assertThat(MoverResult.alreadyOwned("a", null, 1).succeeded()).isTrue();
    assertThat(MoverResult.conflict("a", null, "x").succeeded()).isFalse();
  }

  @Test
  void aNegativeEpochIsRefused() {
    assertOnlyProblem(() -> MoverResult.accepted("a", null, -1), "epoch", "-1", "negative");
  }

  @Test
  void aBlankDetailIsRefused() {
    assertOnlyProblem(() -> MoverResult.failed(" "), "detail", " ", "blank");
  }

  @Test
  void retryAfterIsOnlyForRetryableOutcomesAndNeverNegative() {
    assertOnlyProblem(() -> MoverResult.throttled(Duration.ofMillis(-1), "slow"), "retryAfter",
        "PT-0.001S", "negative");
    assertOnlyProblem(
        () -> new MoverResult(Outcome.ACCEPTED, "a", null, 1, "ok", Duration.ofSeconds(1)),
        "retryAfter", "PT1S", "not ACCEPTED");
    assertThat(new MoverResult(Outcome.FAILED, null, null, 0, "503", Duration.ofSeconds(3))
        .retryAfter()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    List<Problem> all = problems(() -> new MoverResult(Outcome.STALE_EPOCH, null, null, -5, "",
        Duration.ofSeconds(-1)));
    assertThat(all).hasSize(4);
    assertProblem(all.get(0), "epoch", "-5", "negative");
    assertProblem(all.get(1), "detail", "", "blank");
    assertProblem(all.get(2), "retryAfter", "PT-1S", "negative");
    assertProblem(all.get(3), "retryAfter", "PT-1S", "not STALE_EPOCH");
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void outcomeAndDetailAreRequired() {
    assertThatNullPointerException()
        .isThrownBy(() -> new MoverResult(null, null, null, 0, "x", null))
        .withMessage("outcome");
    assertThatNullPointerException()
        .isThrownBy(() -> new MoverResult(Outcome.FAILED, null, null, 0, null, null))
        .withMessage("detail");
  }
}
