package io.vipha;

import static io.vipha.Invalid.assertOnlyProblem;
import static io.vipha.Invalid.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.vipha.ValidationException.Problem;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FailoverPolicyTest {

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  // ---- defaults, round trips ----------------------------------------------------------------

  @Test
  void defaultsAreTheDocumentedOnes() {
    FailoverPolicy d = FailoverPolicy.defaults();

    assertThat(d.heartbeatInterval()).isEqualTo(ms(100));
    assertThat(d.deadAfter()).isEqualTo(3);
    assertThat(d.detectionTime()).isEqualTo(ms(300));
    assertThat(d.preempt()).isTrue();
    assertThat(d.preemptDelay()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.holdDown()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.quorum()).isEqualTo(Quorum.none());
    assertThat(d.noQuorum()).isEqualTo(NoQuorumAction.RELEASE);
    assertThat(d.announce()).isEqualTo(new AnnouncePolicy(3, ms(100), null))
        .isEqualTo(AnnouncePolicy.DEFAULT);
    assertThat(d.lease()).isEqualTo(Lease.of(Duration.ofSeconds(10)));
    assertThat(d.lease().isForever()).isFalse();
    assertThat(d.flapLimit()).isEqualTo(FlapLimit.DEFAULT)
        .isEqualTo(new FlapLimit(4, Duration.ofMinutes(1), Duration.ofMinutes(5)));
    assertThat(d.flapLimit().enabled()).isTrue();
    assertThat(FailoverPolicy.builder().build()).isEqualTo(d);
  }

  @Test
  void toBuilderRoundTripsTheDefaults() {
    assertThat(FailoverPolicy.defaults().toBuilder().build()).isEqualTo(FailoverPolicy.defaults());
  }

  @Test
  void toBuilderRoundTripsEveryField() {
    FailoverPolicy p = FailoverPolicy.builder().preempt(false).preemptDelay(Duration.ZERO)
        .holdDown(Duration.ofHours(1)).flapLimit(2, Duration.ofDays(1), null)
        .heartbeatInterval(ms(5)).deadAfter(100).quorumSize(3).noQuorum(NoQuorumAction.KEEP)
        .announce(100, Duration.ZERO).announceRefresh(Duration.ofHours(1)).lease(Lease.forever())
        .build();

    assertThat(p.toBuilder().build()).isEqualTo(p);
    assertThat(p.quorum()).isEqualTo(Quorum.ofSize(3));
    assertThat(p.lease()).isEqualTo(Lease.forever());
    assertThat(p.flapLimit().suspendFor()).isNull();
    assertThat(p.announce().refresh()).isEqualTo(Duration.ofHours(1));

    FailoverPolicy majority = p.toBuilder().quorum(Quorum.majority()).flapLimit(FlapLimit.OFF)
        .lease(Duration.ofSeconds(2)).build();
    assertThat(majority.toBuilder().build()).isEqualTo(majority);
    assertThat(majority.quorum()).isEqualTo(Quorum.majority());
    assertThat(majority.flapLimit()).isEqualTo(FlapLimit.OFF);
    assertThat(majority.flapLimit().enabled()).isFalse();
  }

  @Test
  void acceptsTheEdgesOfEveryRange() {
    FailoverPolicy low = FailoverPolicy.builder().preemptDelay(Duration.ZERO)
        .holdDown(Duration.ZERO).heartbeatInterval(ms(5)).deadAfter(2)
        .flapLimit(2, Duration.ofSeconds(1), Duration.ofSeconds(1)).announce(1, Duration.ZERO)
        .announceRefresh(Duration.ofSeconds(1)).lease(Duration.ofSeconds(2)).quorumSize(1)
        .build();
    assertThat(low.detectionTime()).isEqualTo(ms(10));

    FailoverPolicy high = FailoverPolicy.builder().preemptDelay(Duration.ofHours(1))
        .holdDown(Duration.ofHours(1)).heartbeatInterval(Duration.ofSeconds(60)).deadAfter(100)
        .flapLimit(100, Duration.ofDays(1), Duration.ofDays(7))
        .announce(100, Duration.ofSeconds(10)).announceRefresh(Duration.ofHours(1))
        .lease(Duration.ofDays(1)).build();
    assertThat(high.detectionTime()).isEqualTo(Duration.ofMinutes(100));
  }

  @Test
  void aZeroFlapLimitTurnsItOff() {
    FailoverPolicy p = FailoverPolicy.builder().flapLimit(0, Duration.ofMinutes(1), null).build();

    assertThat(p.flapLimit().enabled()).isFalse();
  }

  // ---- durations ----------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
      "-1, PT-0.001S",
      "3600001, 3600001ms",
      "7200000, 2h",
  })
  void rejectsAPreemptDelayOutOfRange(long millis, String value) {
    assertOnlyProblem(() -> FailoverPolicy.builder().preemptDelay(ms(millis)).build(),
        "preemptDelay", value, "is out of range; use 0–1h");
  }

  @ParameterizedTest
  @CsvSource({
      "-1000, PT-1S",
      "3601000, 3601s",
  })
  void rejectsAHoldDownOutOfRange(long millis, String value) {
    assertOnlyProblem(() -> FailoverPolicy.builder().holdDown(ms(millis)).build(),
        "holdDown", value, "is out of range; use 0–1h");
  }

  @ParameterizedTest
  @CsvSource({
      "4, 4ms",
      "0, 0s",
      "-100, PT-0.1S",
  })
  void rejectsAHeartbeatIntervalBelow5ms(long millis, String value) {
    assertOnlyProblem(() -> FailoverPolicy.builder().heartbeatInterval(ms(millis)).build(),
        "heartbeatInterval", value, "is out of range; use 5ms–60s");
  }

  @Test
  void rejectsAHeartbeatIntervalAbove60s() {
    assertOnlyProblem(() -> FailoverPolicy.builder().heartbeatInterval(ms(60_001)).build(),
        "heartbeatInterval", "60001ms", "is out of range; use 5ms–60s");
    assertOnlyProblem(() -> FailoverPolicy.builder().heartbeatInterval(ms(60_001))
            .lease(Lease.forever()).build(),
        "heartbeatInterval", "60001ms", "is out of range; use 5ms–60s");
  }

  @Test
  void anInvalidHeartbeatIntervalIsNotComparedWithTheLease() {
    assertOnlyProblem(() -> FailoverPolicy.builder().heartbeatInterval(Duration.ofNanos(999_999_999))
            .lease(Duration.ofSeconds(2)).build(),
        "heartbeatInterval", "PT0.999999999S", "is not a whole number of milliseconds");
    assertOnlyProblem(() -> FailoverPolicy.builder().heartbeatInterval(Duration.ofMinutes(10))
            .deadAfter(100).lease(Duration.ofDays(1)).build(),
        "heartbeatInterval", "10m", "is out of range; use 5ms–60s");
    Duration huge = Duration.ofSeconds(Long.MAX_VALUE / 2);
    assertOnlyProblem(() -> FailoverPolicy.builder().heartbeatInterval(huge).build(),
        "heartbeatInterval", huge.toString(), "is out of range; use 5ms–60s");
    FailoverPolicy d = FailoverPolicy.defaults();
    assertOnlyProblem(() -> new FailoverPolicy(d.preempt(), d.preemptDelay(), d.holdDown(),
            d.flapLimit(), huge, d.deadAfter(), d.quorum(), d.noQuorum(), d.announce(),
            d.lease()), "heartbeatInterval", huge.toString(), "is out of range");
  }

  @ParameterizedTest
  @CsvSource({
      "100500000, PT0.1005S",
      "5000001, PT0.005000001S",
      "999, PT0.000000999S",
  })
  void rejectsAHeartbeatIntervalInFractionsOfAMillisecond(long nanos, String value) {
    assertOnlyProblem(
        () -> FailoverPolicy.builder().heartbeatInterval(Duration.ofNanos(nanos)).build(),
        "heartbeatInterval", value, "is not a whole number of milliseconds");
  }

  private static final Duration HUGE = Duration.ofSeconds(Long.MAX_VALUE);

  static Stream<Arguments> hugeDurations() {
    return Stream.of(
        Arguments.of("preemptDelay",
            (Function<FailoverPolicy.Builder, FailoverPolicy.Builder>) b -> b.preemptDelay(HUGE)),
        Arguments.of("holdDown",
            (Function<FailoverPolicy.Builder, FailoverPolicy.Builder>) b -> b.holdDown(HUGE)),
        Arguments.of("flapLimit.window",
            (Function<FailoverPolicy.Builder, FailoverPolicy.Builder>) b -> b.flapLimit(4, HUGE,
                null)),
        Arguments.of("flapLimit.suspendFor",
            (Function<FailoverPolicy.Builder, FailoverPolicy.Builder>) b -> b.flapLimit(4,
                Duration.ofMinutes(1), HUGE)),
        Arguments.of("announce.interval",
            (Function<FailoverPolicy.Builder, FailoverPolicy.Builder>) b -> b.announce(3, HUGE)),
        Arguments.of("announce.refresh",
            (Function<FailoverPolicy.Builder, FailoverPolicy.Builder>) b -> b.announceRefresh(
                HUGE)),
        Arguments.of("lease",
            (Function<FailoverPolicy.Builder, FailoverPolicy.Builder>) b -> b.lease(HUGE)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hugeDurations")
  void reportsADurationTooLongForMillisecondsAsAProblem(String path,
      Function<FailoverPolicy.Builder, FailoverPolicy.Builder> set) {
    assertOnlyProblem(() -> set.apply(FailoverPolicy.builder()).build(), path,
        "PT2562047788015215H30M7S", "is out of range");
  }

  @Test
  void theComponentConstructorsReportAHugeDurationAsAProblem() {
    assertOnlyProblem(() -> new FlapLimit(4, HUGE, null), "window", "PT2562047788015215H30M7S",
        "is out of range");
    assertOnlyProblem(() -> new AnnouncePolicy(3, ms(100), HUGE), "refresh",
        "PT2562047788015215H30M7S", "is out of range");
    assertOnlyProblem(() -> Lease.of(HUGE), "lease", "PT2562047788015215H30M7S",
        "is out of range");
  }

  // ---- deadAfter ----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {1, 0, -3})
  void deadAfterMustBeAtLeastTwoIntervals(int deadAfter) {
    assertOnlyProblem(() -> FailoverPolicy.builder().deadAfter(deadAfter).build(), "deadAfter",
        String.valueOf(deadAfter), "is below 2 intervals; one lost packet would declare a peer"
            + " dead");
  }

  @ParameterizedTest
  @ValueSource(ints = {101, 1000})
  void rejectsADeadAfterAbove100(int deadAfter) {
    assertOnlyProblem(() -> FailoverPolicy.builder().deadAfter(deadAfter).build(), "deadAfter",
        String.valueOf(deadAfter), "is out of range; use 2–100");
  }

  // ---- flap limit ---------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {1, 101, -1})
  void rejectsFlapMaxChangesOutOfRange(int maxChanges) {
    assertOnlyProblem(
        () -> FailoverPolicy.builder().flapLimit(maxChanges, Duration.ofMinutes(1), null).build(),
        "flapLimit.maxChanges", String.valueOf(maxChanges),
        "is out of range; use 2–100, or 0 to turn the flap limit off");
  }

  @ParameterizedTest
  @CsvSource({
      "999, 999ms",
      "86401000, 86401s",
  })
  void rejectsAFlapWindowOutOfRange(long millis, String value) {
    assertOnlyProblem(() -> FailoverPolicy.builder().flapLimit(4, ms(millis), null).build(),
        "flapLimit.window", value, "is out of range; use 1s–1d");
  }

  @ParameterizedTest
  @CsvSource({
      "999, 999ms",
      "604801000, 604801s",
  })
  void rejectsAFlapSuspensionOutOfRange(long millis, String value) {
    assertOnlyProblem(
        () -> FailoverPolicy.builder().flapLimit(4, Duration.ofMinutes(1), ms(millis)).build(),
        "flapLimit.suspendFor", value, "is out of range; use 1s–7d");
  }

  // ---- announcements ------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {0, 101, -1})
  void rejectsAnAnnounceCountOutOfRange(int count) {
    assertOnlyProblem(() -> FailoverPolicy.builder().announce(count, ms(100)).build(),
        "announce.count", String.valueOf(count), "is out of range; use 1–100");
  }

  @ParameterizedTest
  @CsvSource({
      "-1, PT-0.001S",
      "10001, 10001ms",
  })
  void rejectsAnAnnounceIntervalOutOfRange(long millis, String value) {
    assertOnlyProblem(() -> FailoverPolicy.builder().announce(3, ms(millis)).build(),
        "announce.interval", value, "is out of range; use 0–10s");
  }

  @ParameterizedTest
  @CsvSource({
      "999, 999ms",
      "0, 0s",
      "3601000, 3601s",
  })
  void rejectsAnAnnounceRefreshOutOfRange(long millis, String value) {
    assertOnlyProblem(() -> FailoverPolicy.builder().announceRefresh(ms(millis)).build(),
        "announce.refresh", value, "is out of range; use 1s–1h, or leave it out");
  }

  // ---- quorum -------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void rejectsAQuorumSizeBelowOne(int size) {
    assertOnlyProblem(() -> FailoverPolicy.builder().quorumSize(size).build(), "quorum",
        String.valueOf(size), "is not a valid quorum size; use 1 or more");
  }

  @Test
  void quorumRequiredCountsNodes() {
    assertThat(Quorum.none().required(1)).isEqualTo(1);
    assertThat(Quorum.none().required(5)).isEqualTo(1);
    assertThat(Quorum.majority().required(1)).isEqualTo(1);
    assertThat(Quorum.majority().required(2)).isEqualTo(2);
    assertThat(Quorum.majority().required(3)).isEqualTo(2);
    assertThat(Quorum.majority().required(4)).isEqualTo(3);
    assertThat(Quorum.majority().required(5)).isEqualTo(3);
    assertThat(Quorum.ofSize(2).required(5)).isEqualTo(2);
    assertThat(Quorum.ofSize(2).required(2)).isEqualTo(2);
  }

  @Test
  void quorumFactoriesAndToString() {
    assertThat(Quorum.none()).isEqualTo(new Quorum(Quorum.Kind.NONE, 0)).hasToString("none");
    assertThat(Quorum.majority()).isEqualTo(new Quorum(Quorum.Kind.MAJORITY, 0))
        .hasToString("majority");
    assertThat(Quorum.ofSize(3)).isEqualTo(new Quorum(Quorum.Kind.SIZE, 3)).hasToString("3");
  }

  @Test
  void theQuorumConstructorValidates() {
    assertOnlyProblem(() -> Quorum.ofSize(0), "quorum", "0", "is not a valid quorum size");
    assertOnlyProblem(() -> new Quorum(Quorum.Kind.NONE, 2), "quorum", "2",
        "sets a size on quorum NONE");
    assertOnlyProblem(() -> new Quorum(Quorum.Kind.MAJORITY, -1), "quorum", "-1",
        "sets a size on quorum MAJORITY");
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void theQuorumConstructorRejectsANullKind() {
    assertThatThrownBy(() -> new Quorum(null, 0)).isInstanceOf(NullPointerException.class)
        .hasMessage("kind");
  }

  // ---- lease --------------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
      "1500, 1500ms",
      "10001, 10001ms",
  })
  void rejectsALeaseInFractionsOfASecond(long millis, String value) {
    assertOnlyProblem(() -> FailoverPolicy.builder().lease(ms(millis)).build(), "lease", value,
        "is not a whole number of seconds");
  }

  @ParameterizedTest
  @CsvSource({
      "1, 1s",
      "0, 0s",
      "-10, PT-10S",
      "86401, 86401s",
  })
  void rejectsALeaseOutOfRange(long seconds, String value) {
    assertOnlyProblem(() -> FailoverPolicy.builder().lease(Duration.ofSeconds(seconds)).build(),
        "lease", value, "is out of range; use 2s–1d");
  }

  @Test
  void theLeaseMustOutlastTheDetectionTime() {
    assertOnlyProblem(() -> FailoverPolicy.builder().heartbeatInterval(Duration.ofSeconds(1))
            .deadAfter(3).lease(Duration.ofSeconds(3)).build(), "lease", "3s",
        "is not longer than the detection time 3s (deadAfter × heartbeatInterval)");
    assertOnlyProblem(() -> FailoverPolicy.builder().deadAfter(100).build(), "lease", "10s",
        "is not longer than the detection time 10s");

    assertThat(FailoverPolicy.builder().heartbeatInterval(Duration.ofSeconds(1)).deadAfter(3)
        .lease(Duration.ofSeconds(4)).build().lease()).isEqualTo(Lease.of(Duration.ofSeconds(4)));
    assertThat(FailoverPolicy.builder().heartbeatInterval(Duration.ofSeconds(60)).deadAfter(100)
        .lease(Lease.forever()).build().lease().isForever()).isTrue();
  }

  @Test
  void leaseForeverIsValid() {
    Lease forever = Lease.forever();

    assertThat(forever.isForever()).isTrue();
    assertThat(forever.duration()).isNull();
    assertThat(forever).isEqualTo(new Lease(null)).hasToString("forever");
    assertThat(Lease.of(Duration.ofSeconds(10))).hasToString("10s");
    assertThat(FailoverPolicy.builder().lease(forever).build().lease()).isSameAs(forever);
  }

  // ---- all at once, canonical constructors --------------------------------------------------

  @Test
  void reportsEveryProblemAtOnce() {
    List<Problem> problems = problems(() -> FailoverPolicy.builder().preemptDelay(ms(-1))
        .holdDown(Duration.ofHours(2)).heartbeatInterval(ms(1)).deadAfter(1)
        .lease(Duration.ofMillis(2500)).flapLimit(1, Duration.ZERO, Duration.ofDays(8))
        .quorumSize(0).announce(0, Duration.ofSeconds(11)).announceRefresh(Duration.ZERO)
        .build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("preemptDelay", "PT-0.001S"),
        tuple("holdDown", "2h"),
        tuple("heartbeatInterval", "1ms"),
        tuple("deadAfter", "1"),
        tuple("lease", "2500ms"),
        tuple("flapLimit.maxChanges", "1"),
        tuple("flapLimit.window", "0s"),
        tuple("flapLimit.suspendFor", "8d"),
        tuple("quorum", "0"),
        tuple("announce.count", "0"),
        tuple("announce.interval", "11s"),
        tuple("announce.refresh", "0s"));
  }

  @Test
  void theCanonicalConstructorValidatesToo() {
    FailoverPolicy d = FailoverPolicy.defaults();
    assertThat(new FailoverPolicy(d.preempt(), d.preemptDelay(), d.holdDown(), d.flapLimit(),
        d.heartbeatInterval(), d.deadAfter(), d.quorum(), d.noQuorum(), d.announce(), d.lease()))
        .isEqualTo(d);

    List<Problem> problems = problems(() -> new FailoverPolicy(true, Duration.ofHours(2),
        ms(-1), FlapLimit.DEFAULT, ms(4), 101, Quorum.none(), NoQuorumAction.RELEASE,
        AnnouncePolicy.DEFAULT, Lease.forever()));
    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("preemptDelay", "2h"),
        tuple("holdDown", "PT-0.001S"),
        tuple("heartbeatInterval", "4ms"),
        tuple("deadAfter", "101"));

    assertOnlyProblem(() -> new FailoverPolicy(true, d.preemptDelay(), d.holdDown(),
            d.flapLimit(), Duration.ofSeconds(1), 5, d.quorum(), d.noQuorum(), d.announce(),
            Lease.of(Duration.ofSeconds(5))), "lease", "5s",
        "is not longer than the detection time 5s");
  }

  @Test
  void theComponentConstructorsValidateWithoutAPrefix() {
    assertOnlyProblem(() -> new FlapLimit(1, Duration.ofMinutes(1), null), "maxChanges", "1",
        "is out of range; use 2–100");
    assertOnlyProblem(() -> new FlapLimit(4, Duration.ofDays(2), null), "window", "2d",
        "is out of range; use 1s–1d");
    assertOnlyProblem(() -> new FlapLimit(4, Duration.ofMinutes(1), Duration.ZERO),
        "suspendFor", "0s", "is out of range; use 1s–7d");
    assertOnlyProblem(() -> new AnnouncePolicy(101, ms(100), null), "count", "101",
        "is out of range; use 1–100");
    assertOnlyProblem(() -> new AnnouncePolicy(3, Duration.ofMinutes(1), null), "interval", "1m",
        "is out of range; use 0–10s");
    assertOnlyProblem(() -> new AnnouncePolicy(3, ms(100), Duration.ofHours(2)), "refresh",
        "2h", "is out of range; use 1s–1h");
    assertOnlyProblem(() -> Lease.of(Duration.ZERO), "lease", "0s",
        "is out of range; use 1s–1d");
    assertThat(Lease.of(Duration.ofSeconds(1)).duration()).isEqualTo(Duration.ofSeconds(1));
    assertOnlyProblem(() -> new FailoverPolicy(true, ms(0), ms(0), FlapLimit.DEFAULT, ms(100), 3,
            Quorum.none(), NoQuorumAction.RELEASE, AnnouncePolicy.DEFAULT,
            Lease.of(Duration.ofSeconds(1))), "lease", "1s", "is out of range; use 2s–1d");
    assertOnlyProblem(() -> Lease.of(ms(2001)), "lease", "2001ms",
        "is not a whole number of seconds");
    assertThat(Lease.of(Duration.ofSeconds(2)).duration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(Lease.of(Duration.ofDays(1)).duration()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void validationExceptionsAreIllegalArgumentExceptions() {
    assertThatThrownBy(() -> FailoverPolicy.builder().deadAfter(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("1 problem\n  deadAfter: \"0\" is below 2 intervals; one lost packet would"
            + " declare a peer dead: use 2–100 (3 is usual)");
  }
}
