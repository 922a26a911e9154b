package io.vipha.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.vipha.FailoverPolicy;
import io.vipha.sim.Outage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationDemoTest {
  private static final Pattern RETURN = Pattern.compile(
      "power on .*|heal|restart .*|health passes .*");

  private static DemoRun ap;
  private static DemoRun aa;

  @BeforeAll
  static void runTheScript() {
    FailoverPolicy policy = DemoOptions.defaults().policy();
    ap = DemoRun.run(DemoScenario.activePassive(policy), 1);
    aa = DemoRun.run(DemoScenario.activeActive(policy), 1);
  }

  @Test
  void sameSeedPrintsTheSameTimelineAndWritesTheSamePage(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("demo.html");
    Result first = run("--seed", "7", "--html", html.toString());
    String firstPage = Files.readString(html);
    Result second = run("--seed", "7", "--html", html.toString());
    assertThat(first.code).isZero();
    assertThat(second.out).isEqualTo(first.out);
    assertThat(Files.readString(html)).isEqualTo(firstPage);
    assertThat(first.out).contains("seed 7", "Active/Passive", "Active/Active", "Summary")
        .endsWith("HTML timeline: " + html.toAbsolutePath().normalize()
            + System.lineSeparator() + "Open it in a browser; --help lists the flags (mode,"
            + " seed, policy values)." + System.lineSeparator());
    assertThat(first.err).isEmpty();
  }

  @Test
  void activePassiveOwnerPowerOffMovesTheVipToN2WithinTheFailoverBound() {
    DemoRun.StepResult off = ap.step("power off n1");
    assertThat(off.owners()).containsExactly(Map.entry("192.0.2.10/24", List.of("n2")));
    assertThat(off.conditions()).containsExactly(Map.entry("n1", "powered off"));
    assertThat(ap.outages(off)).hasSize(1);
    assertThat(ap.longestOutage(off)).isPositive()
        .isLessThan(ap.bounds().failover().toNanos());
    assertThat(ap.changes(off)).extracting(DemoRun.Change::node, DemoRun.Change::added,
            DemoRun.Change::reason)
        .containsExactly(tuple("n1", false, "power off"),
            tuple("n2", true, "owner dead"));
  }

  @Test
  void activeActivePowerOffSpreadsTheLostVipsOverTheOthersWithinTheFailoverBound() {
    DemoRun.StepResult before = aa.step("start");
    List<String> lost = before.owners().entrySet().stream()
        .filter(e -> e.getValue().equals(List.of("n1"))).map(Map.Entry::getKey).toList();
    assertThat(lost).hasSize(4);
    DemoRun.StepResult off = aa.step("power off n1");
    assertThat(off.owners()).hasSize(16).allSatisfy((vip, holders) -> assertThat(holders)
        .hasSize(1).doesNotContain("n1"));
    assertThat(aa.outages(off)).extracting(o -> o.vip().cidr())
        .containsExactlyInAnyOrderElementsOf(lost);
    assertThat(aa.longestOutage(off)).isPositive()
        .isLessThan(aa.bounds().failover().toNanos());
    assertThat(aa.ownerSummary(off)).startsWith("n1:0 ");
  }

  @Test
  void gracefulLeaveCrashWithHostUpAndFailingHealthCheckLoseNothing() {
    for (DemoRun run : List.of(ap, aa)) {
      for (DemoRun.StepResult s : run.steps()) {
        String marker = s.step().marker();
        if (marker.startsWith("stop") || marker.startsWith("crash")
            || marker.startsWith("health fails")) {
          String node = marker.substring(marker.lastIndexOf(' ') + 1);
          assertThat(run.outages(s)).as(marker).isEmpty();
          assertThat(TimelineText.outage(run, s)).isEqualTo("0 ms");
          assertThat(s.owners().values()).as(marker).allSatisfy(holders ->
              assertThat(holders).hasSize(1).doesNotContain(node));
        }
      }
    }
    assertThat(ap.step("stop n1").conditions()).containsEntry("n1", "stopped");
    assertThat(ap.step("crash n1").conditions()).containsEntry("n1", "process down");
    assertThat(aa.step("health fails n1").conditions())
        .containsEntry("n1", "health check failing");
  }

  @Test
  void everyReturnTakesItsShareBack() {
    for (DemoRun.StepResult s : ap.steps()) {
      if (RETURN.matcher(s.step().marker()).matches()) {
        assertThat(s.owners()).as(s.step().marker())
            .containsExactly(Map.entry("192.0.2.10/24", List.of("n1")));
        assertThat(s.conditions()).isEmpty();
      }
    }
    for (DemoRun.StepResult s : aa.steps()) {
      if (RETURN.matcher(s.step().marker()).matches()) {
        assertThat(aa.ownerSummary(s)).as(s.step().marker()).isEqualTo("n1:4 n2:4 n3:4 n4:4");
      }
    }
  }

  @Test
  void activePassiveReturnsLoseNoClientPacket() {
    assertReturnsLoseNothing(ap);
  }

  @Test
  void activeActiveReturnsLoseNoClientPacket() {
    assertReturnsLoseNothing(aa);
  }

  @Test
  void partitionOutageStaysWithinTheFailoverBound() {
    for (DemoRun run : List.of(ap, aa)) {
      DemoRun.StepResult cut = run.steps().get(3);
      assertThat(cut.step().marker()).startsWith("partition");
      assertThat(run.longestOutage(cut)).isLessThan(run.bounds().failover().toNanos());
      assertThat(cut.conditions()).containsOnlyKeys(cut.step().marker().substring(10));
      assertThat(cut.owners().values()).allSatisfy(holders -> assertThat(holders).hasSize(1));
    }
  }

  private static void assertReturnsLoseNothing(DemoRun run) {
    int returns = 0;
    for (DemoRun.StepResult s : run.steps()) {
      if (RETURN.matcher(s.step().marker()).matches()) {
        returns++;
        assertThat(run.outages(s)).as(run.scenario().group().name() + " " + s.step().marker())
            .isEmpty();
      }
    }
    assertThat(returns).isEqualTo(5);
  }

  @Test
  void textTimelineShowsOwnerChangesAndOutagePerStep() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TimelineText.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), ap);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("[1] owner crash: the owner n1 loses power",
        "n1      loses 192.0.2.10/24 (power off)", "n2      adds 192.0.2.10/24 (owner dead)",
        "client  cannot reach 192.0.2.10/24 for ",
        "=> owner n2; n1 powered off; client outage ",
        "[7] graceful leave: the owner n1 stops",
        "=> owner n2; n1 stopped; client outage 0 ms",
        "flap limit off");
    Matcher row = Pattern.compile("\\[1\\] power off n1 +n2 +(\\d+\\.\\d) ms").matcher(text);
    assertThat(row.find()).isTrue();
    double ms = Double.parseDouble(Objects.requireNonNull(row.group(1)));
    assertThat(ms).isEqualTo(Math.round(ap.longestOutage(ap.step("power off n1")) / 1e5) / 10.0);
  }

  @Test
  void htmlHasOneLanePerNodeTheFaultMarkersAndTheOutages() {
    String page = TimelineHtml.page(List.of(ap, aa));
    assertThat(page).startsWith("<!DOCTYPE html>").doesNotContain("<script", "<link", "src=");
    List<String> svgs = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(page).results()
        .map(m -> m.group()).toList();
    assertThat(svgs).hasSize(2);
    assertThat(lanes(svgs.get(0))).containsExactly("n1", "n2", "n3", "client");
    assertThat(lanes(svgs.get(1))).containsExactly("n1", "n2", "n3", "n4", "client");
    for (String svg : svgs) {
      assertThat(count(svg, "<g class=\"fault\">")).isEqualTo(10);
      assertThat(svg).contains("1 power off n1", "<title>", "stopped", "powered off");
    }
    assertThat(count(svgs.get(0), "<g class=\"outage\">")).isEqualTo(ap.outages().size());
    DemoRun.StepResult off = ap.step("power off n1");
    DemoRun.Holding takeover = ap.holdings().stream()
        .filter(h -> h.node().equals("n2") && h.from() >= off.from()).findFirst().orElseThrow();
    assertThat(svgs.get(0)).contains("192.0.2.10/24 held by n2 from "
            + TimelineText.time(takeover.from()).trim(),
        "client cannot reach 192.0.2.10/24 from " + TimelineText.time(off.from()).trim(),
        "during step [1] power off n1");
    assertThat(count(svgs.get(1), "<g class=\"hold\">")).isEqualTo(aa.holdings().size());
    assertThat(count(page, "<details>")).isEqualTo(2);
    assertThat(page).contains("=&gt; owner n2; n1 powered off; client outage ");
  }

  @Test
  void modeApRunsOnlyTheActivePassiveGroup(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("sub/ap.html");
    Result r = run("--mode", "ap", "--html", html.toString(), "--trace");
    assertThat(r.code).isZero();
    assertThat(r.out).contains("Active/Passive", "Every simulator event:", "FAULT power off")
        .doesNotContain("Active/Active");
    assertThat(Files.readString(html)).contains("data-lane=\"n3\"")
        .doesNotContain("data-lane=\"n4\"");
  }

  @Test
  void parsesEveryFlag() throws Exception {
    DemoOptions o = DemoOptions.parse("--mode", "AA", "--seed", "-3", "--heartbeat", "50ms",
        "--dead-after=4", "--preempt-delay", "2s", "--hold-down", "0s", "--quorum", "none",
        "--html", "out/x.html", "--trace");
    assertThat(o).isEqualTo(new DemoOptions(false, true, -3, Duration.ofMillis(50), 4,
        Duration.ofSeconds(2), Duration.ZERO, false, Path.of("out/x.html"), true));
    assertThat(o.policy().lease().duration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(DemoOptions.parse("--heartbeat", "1s").policy().lease().duration())
        .isEqualTo(Duration.ofSeconds(12));
    assertThat(DemoOptions.parse()).isEqualTo(DemoOptions.defaults());
  }

  @Test
  void parsesDurations() throws Exception {
    assertThat(DemoOptions.duration("--x", "100ms")).isEqualTo(Duration.ofMillis(100));
    assertThat(DemoOptions.duration("--x", "2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(DemoOptions.duration("--x", "1m")).isEqualTo(Duration.ofMinutes(1));
    for (String bad : List.of("100", "1.5s", "-1s", "ms", "2h", "")) {
      assertThatThrownBy(() -> DemoOptions.duration("--x", bad))
          .hasMessage("--x is '" + bad + "'; write a duration such as 100ms, 2s or 1m");
    }
  }

  @Test
  void badFlagsExitTwoWithAClearMessage() {
    Map<List<String>, String> cases = Map.of(
        List.of("--bogus"), "error: unknown argument '--bogus'",
        List.of("--mode", "xy"), "error: --mode is 'xy'; use ap, aa or both",
        List.of("--heartbeat", "100"), "error: --heartbeat is '100'; write a duration",
        List.of("--seed", "abc"), "error: --seed is 'abc'; write a whole number",
        List.of("--quorum", "some"), "error: --quorum is 'some'; use majority or none",
        List.of("--heartbeat"), "error: --heartbeat needs a value",
        List.of("--trace=yes"), "error: --trace takes no value",
        List.of("--dead-after", "1"), "deadAfter",
        List.of("--dead-after", "99999999999"), "error: --dead-after is '99999999999'; use 2–100",
        List.of("--heartbeat", "1ms"), "heartbeatInterval");
    cases.forEach((args, message) -> {
      Result r = run(args.toArray(new String[0]));
      assertThat(r.code).as(args.toString()).isEqualTo(2);
      assertThat(r.out).as(args.toString()).isEmpty();
      assertThat(r.err).as(args.toString()).startsWith("error: ").contains(message)
          .contains("usage: SimulationDemo");
    });
  }

  @Test
  void helpPrintsTheUsage() {
    Result r = run("--seed", "3", "--help");
    assertThat(r.code).isZero();
    assertThat(r.out).startsWith("usage: SimulationDemo").contains("--preempt-delay",
        "--advisor");
  }

  @Test
  void advisorStaysReachable() {
    Result r = run("--advisor", "--appliance", "pfsense", "--public");
    assertThat(r.code).isZero();
    assertThat(r.out).contains("Recommended mode at the VIP layer: Active/Passive");
    assertThat(run("--advisor", "--bogus").code).isEqualTo(2);
  }

  @Test
  void shortensVipLists() {
    assertThat(TimelineText.vips(List.of("192.0.2.10/24"))).isEqualTo("192.0.2.10/24");
    assertThat(TimelineText.vips(List.of("192.0.2.26/24", "192.0.2.9/24", "192.0.2.11/24")))
        .isEqualTo("192.0.2.{9,11,26}/24");
    assertThat(TimelineText.vips(List.of("192.0.2.1/24", "2001:db8::1/64")))
        .isEqualTo("192.0.2.1/24, 2001:db8::1/64");
    assertThat(TimelineText.millis(Duration.ofMillis(720))).isEqualTo("720ms");
    assertThat(TimelineText.millis(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(TimelineText.nanos(302_649_000)).isEqualTo("302.6 ms");
    assertThat(TimelineText.nanos(9_999_900_000L)).isEqualTo("9999.9 ms");
    assertThat(TimelineText.nanos(19_700_200_000L)).isEqualTo("19.7 s");
    assertThat(TimelineText.nanos(0)).isEqualTo("0 ms");
  }

  @Test
  void outagesAreAttributedToTheStepDuringWhichTheyBegan() {
    for (DemoRun run : List.of(ap, aa)) {
      int attributed = 0;
      for (DemoRun.StepResult s : run.steps()) {
        for (Outage o : run.outages(s)) {
          assertThat(o.from()).isBetween(s.from(), s.to());
          assertThat(run.stepAt(o.from())).isEqualTo(s);
        }
        attributed += run.outages(s).size();
      }
      assertThat(attributed).isEqualTo(run.outages().size());
    }
  }

  private static List<String> lanes(String svg) {
    return Pattern.compile("data-lane=\"([^\"]+)\"").matcher(svg).results()
        .map(m -> m.group(1)).toList();
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SimulationDemo.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private record Result(int code, String out, String err) {}
}
