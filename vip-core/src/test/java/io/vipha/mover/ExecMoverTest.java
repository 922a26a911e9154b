package io.vipha.mover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.vipha.Exposure;
import io.vipha.ValidationException.Problem;
import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec mover, run for real with {@code /bin/sh} scripts written to a temporary directory. */
class ExecMoverTest {
  private static final VirtualIp VIP = VirtualIp.builder().address("203.0.113.10/32")
      .interfaceName("eth0").exposure(Exposure.PUBLIC).build();
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final List<ExecMover> made = new java.util.ArrayList<>();

  @AfterEach
  void close() {
    made.forEach(ExecMover::close);
  }

  private ExecMover track(ExecMover m) {
    made.add(m);
    return m;
  }

  /** A mover of node n1 running a script with {@code body}. */
  private ExecMover script(String body) throws IOException {
    Path p = dir.resolve("move.sh");
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return track(new ExecMover(List.of(p.toString(), "--zone", "a"), "n1"));
  }

  private static MoverResult answer(java.util.concurrent.CompletionStage<MoverResult> s)
      throws Exception {
    return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void passesTheMoveAsArgumentsEnvironmentAndJsonOnStdin() throws Exception {
    Path seen = dir.resolve("seen");
    ExecMover mover = script("{ echo \"args: $*\"; env | grep '^VIPHA_' | sort; cat; } > "
        + seen + "\necho '{\"target\": \"i-0abc\", \"version\": \"assoc-9\"}'");
    MoverResult r = answer(mover.claim(VIP, 1767225600300L, "assoc-8", DEADLINE));
    assertThat(r).isEqualTo(new MoverResult(Outcome.ACCEPTED, "i-0abc", "assoc-9",
        1767225600300L, "accepted", null));
    assertThat(Files.readString(seen)).isEqualTo("""
        args: --zone a claim 203.0.113.10/32 1767225600300
        VIPHA_ACTION=claim
        VIPHA_EPOCH=1767225600300
        VIPHA_EXPECTED_VERSION=assoc-8
        VIPHA_INTERFACE=eth0
        VIPHA_NODE=n1
        VIPHA_TIMEOUT_MS=10000
        VIPHA_VIP=203.0.113.10/32
        {"action":"claim","vip":"203.0.113.10/32","interface":"eth0","node":"n1",\
        "epoch":1767225600300,"expectedVersion":"assoc-8"}
        """);
    answer(mover.observe(VIP, DEADLINE));
    assertThat(Files.readString(seen)).startsWith("args: --zone a observe 203.0.113.10/32\n")
        .doesNotContain("VIPHA_EXPECTED_VERSION").contains("\"expectedVersion\":null");
  }

  @Test
  void mapsEachExitCodeToItsOutcome() throws Exception {
    Path code = dir.resolve("code");
    ExecMover mover = script("read c < " + code + "\necho 'n2 v7 1767225609999'\nexit $c");
    int[] codes = {0, 10, 11, 12, 13, 1, 2, 127};
    Outcome[] outcomes = {Outcome.ACCEPTED, Outcome.ALREADY_OWNED, Outcome.STALE_EPOCH,
        Outcome.CONFLICT, Outcome.THROTTLED, Outcome.FAILED, Outcome.FAILED, Outcome.FAILED};
    for (int i = 0; i < codes.length; i++) {
      Files.writeString(code, codes[i] + "\n");
      MoverResult r = answer(mover.claim(VIP, 5, null, DEADLINE));
      assertThat(r.outcome()).as("exit %d", codes[i]).isEqualTo(outcomes[i]);
      if (codes[i] == 11) {
        assertThat(r.target()).isEqualTo("n2");
        assertThat(r.epoch()).isEqualTo(1767225609999L);
      }
      if (codes[i] == 1) {
        assertThat(r.detail()).startsWith("exit code 1");
      }
    }
  }

  @Test
  void releaseAndObserveReadTheirAnswers() throws Exception {
    ExecMover mover = script("if [ \"$VIPHA_ACTION\" = observe ]; then echo '- v3 42';"
        + " else echo; fi");
    assertThat(answer(mover.observe(VIP, DEADLINE)))
        .isEqualTo(MoverResult.observed(null, "v3", 42));
    assertThat(answer(mover.release(VIP, 43, DEADLINE)))
        .isEqualTo(MoverResult.accepted(null, null, 43));
  }

  @Test
  void aThrottleCarriesItsRetryAfterAndAFailureItsStandardError() throws Exception {
    ExecMover mover = script("if [ \"$VIPHA_ACTION\" = claim ]; then"
        + " echo '{\"retryAfterMs\": 2500, \"detail\": \"RequestLimitExceeded\"}'; exit 13; fi\n"
        + "echo 'UnauthorizedOperation: not allowed' >&2; exit 3");
    assertThat(answer(mover.claim(VIP, 1, null, DEADLINE))).isEqualTo(
        MoverResult.throttled(Duration.ofMillis(2500), "RequestLimitExceeded"));
    assertThat(answer(mover.release(VIP, 1, DEADLINE))).isEqualTo(
        MoverResult.failed("exit code 3: UnauthorizedOperation: not allowed"));
  }

  @Test
  void badOutputIsAFailure() throws Exception {
    Path out = dir.resolve("out");
    ExecMover mover = script("cat " + out);
    for (String bad : List.of("{not json", "{\"epoch\": \"soon\"}", "n2 v1 soon",
        "a b c d", "{\"target\": 5}", "{\"retryAfterMs\": -1}")) {
      Files.writeString(out, bad + "\n");
      MoverResult r = answer(mover.claim(VIP, 1, null, DEADLINE));
      assertThat(r.outcome()).as(bad).isEqualTo(Outcome.FAILED);
      assertThat(r.detail()).as(bad).startsWith("exit code 0 with bad output");
    }
  }

  @Test
  void aCommandThatOverrunsItsDeadlineIsKilledWithItsChildren() throws Exception {
    Path pids = dir.resolve("pids");
    ExecMover mover = script("sleep 60 &\necho $! > " + pids + "\nsleep 60");
    long start = System.nanoTime();
    MoverResult r = answer(mover.claim(VIP, 1, null, Duration.ofMillis(500)));
    assertThat(r.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(r.detail()).contains("killed pid").contains("2 descendant(s)"); // (both sleeps)
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(20));
    long child = Long.parseLong(Files.readString(pids).strip());
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)
        && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void aCommandThatCannotRunIsAFailure() throws Exception {
    ExecMover mover = track(new ExecMover(List.of(dir.resolve("missing").toString()), "n1"));
    MoverResult r = answer(mover.claim(VIP, 1, null, DEADLINE));
    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.detail()).startsWith("cannot run ");
    mover.close();
    assertThat(answer(mover.claim(VIP, 1, null, DEADLINE)).detail()).contains("closed");
  }

  @Test
  void theCommandMustStartWithAnAbsolutePath() {
    assertThatIllegalArgumentException().isThrownBy(() -> new ExecMover(List.of("mv"), "n1"))
        .withMessageContaining("absolute path");
  }

  @Test
  void theProviderChecksAndCreates() throws Exception {
    ExecMoverProvider p = new ExecMoverProvider();
    assertThat(p.type()).isEqualTo("exec");
    assertThat(p.check(Map.of("command", "[\"/bin/true\"]"))).isEmpty();
    assertThat(p.check(Map.of())).extracting(Problem::path).containsExactly("command");
    assertThat(p.check(Map.of("command", "[]"))).extracting(Problem::message)
        .containsExactly("is not a list of strings; write e.g. [\"/usr/local/bin/move-vip\"]");
    Path s = dir.resolve("ok.sh");
    Files.writeString(s, "#!/bin/sh\necho n1\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
    ExecMover mover = track((ExecMover) p.create("n1", Map.of("command", "[\"" + s + "\"]")));
    assertThat(answer(mover.claim(VIP, 9, null, DEADLINE)))
        .isEqualTo(MoverResult.accepted("n1", null, 9));
  }
}
