package io.vipha.health;

import io.vipha.Invalid;
import static io.vipha.Invalid.assertOnlyProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import io.vipha.internal.Addresses;
import io.vipha.internal.Durations;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HealthCheckTest {

  private static HealthCheck.Builder valid() {
    return HealthCheck.tcp("db", "127.0.0.1:5432");
  }

  // ---- valid values ---------------------------------------------------------------------------

  @Test
  void buildsWithDefaults() throws Exception {
    HealthCheck c = valid().build();

    assertThat(c.name()).isEqualTo("db");
    assertThat(c.kind()).isEqualTo(HealthCheck.Kind.TCP);
    assertThat(c.target()).isEqualTo(new HealthCheck.Tcp(
        new InetSocketAddress(Loopback.ip("127.0.0.1"), 5432)));
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.rise()).isEqualTo(2);
    assertThat(c.fall()).isEqualTo(3);
    assertThat(c.effect()).isEqualTo(Effect.disqualify());
  }

  @Test
  void tcpAcceptsIpv6() {
    HealthCheck c = HealthCheck.tcp("db", "[::1]:5432").build();

    assertThat(c.target()).hasToString("tcp [::1]:5432");
  }

  @Test
  void httpDefaultsToStatus200AndTakesSetsAndRanges() {
    HealthCheck plain = HealthCheck.http("api", "http://127.0.0.1:8080/health").build();
    HealthCheck range = HealthCheck.http("api", "https://[::1]/health").expectStatus("200-299")
        .build();
    HealthCheck set = HealthCheck.http("api", "http://lb.example/health").expectStatus(200, 204)
        .build();

    assertThat(plain.kind()).isEqualTo(HealthCheck.Kind.HTTP);
    assertThat(((HealthCheck.Http) plain.target()).expectStatus()).isEqualTo(StatusCodes.ok());
    assertThat(((HealthCheck.Http) range.target()).expectStatus())
        .isEqualTo(StatusCodes.range(200, 299));
    assertThat(((HealthCheck.Http) set.target()).url())
        .isEqualTo(URI.create("http://lb.example/health"));
    assertThat(((HealthCheck.Http) set.target()).expectStatus()).hasToString("200,204");
  }

  @Test
  void execKeepsTheArgvAsGiven() {
    HealthCheck c = HealthCheck.exec("script", "/usr/bin/test", "-f", "/run/app.pid")
        .build();

    assertThat(c.kind()).isEqualTo(HealthCheck.Kind.EXEC);
    assertThat(((HealthCheck.Exec) c.target()).command())
        .containsExactly("/usr/bin/test", "-f", "/run/app.pid");
  }

  @Test
  void customTakesABooleanSupplierOrACallable() throws Exception {
    HealthCheck supplier = HealthCheck.custom("s", () -> true).build();
    Callable<Boolean> callable = () -> Boolean.FALSE;
    HealthCheck call = HealthCheck.custom("c", callable).build();

    assertThat(supplier.kind()).isEqualTo(HealthCheck.Kind.CUSTOM);
    assertThat(((HealthCheck.Custom) supplier.target()).probe().call()).isTrue();
    assertThat(((HealthCheck.Custom) call.target()).probe()).isSameAs(callable);
  }

  @Test
  void onlyCustomChecksCannotBeConfigured() {
    assertThat(HealthCheck.Kind.TCP.configurable()).isTrue();
    assertThat(HealthCheck.Kind.HTTP.configurable()).isTrue();
    assertThat(HealthCheck.Kind.EXEC.configurable()).isTrue();
    assertThat(HealthCheck.Kind.CUSTOM.configurable()).isFalse();
    assertThat(HealthCheck.Kind.EXEC.id()).isEqualTo("exec");
  }

  @Test
  void setsEveryField() {
    HealthCheck c = valid().interval(Duration.ofMillis(500)).timeout(Duration.ofMillis(200))
        .rise(1).fall(5).weight(-20).build();

    assertThat(c.interval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.timeout()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.rise()).isEqualTo(1);
    assertThat(c.fall()).isEqualTo(5);
    assertThat(c.effect()).isEqualTo(Effect.weight(-20));
    assertThat(valid().weight(10).disqualify().build().effect()).isEqualTo(Effect.disqualify());
    assertThat(valid().effect(Effect.weight(7)).build().effect().weight()).isEqualTo(7);
  }

  @Test
  void toBuilderRoundTrips() {
    List<HealthCheck> checks = List.of(
        valid().weight(5).build(),
        HealthCheck.http("h", "http://127.0.0.1/x").expectStatus("200-204,301").build(),
        HealthCheck.exec("e", "/bin/true").rise(4).build(),
        HealthCheck.custom("c", () -> true).build());

    for (HealthCheck c : checks) {
      assertThat(c.toBuilder().build()).isEqualTo(c);
    }
  }

  /**
   * What a JSON codec needs: every configurable check written as strings, numbers and lists, and
   * read back through the builder's text setters, is the same value.
   */
  @Test
  void configurableChecksRoundTripThroughText() {
    List<HealthCheck> checks = List.of(
        HealthCheck.tcp("t", "[2001:db8::1]:80").interval(Duration.ofMillis(1500)).weight(-7)
            .build(),
        HealthCheck.http("h", "https://example.com:8443/h?x=1").expectStatus("200-299,304")
            .rise(5).build(),
        HealthCheck.exec("e", "/usr/bin/env", "CHECK=1", "check").fall(1).weight(30).build());

    for (HealthCheck c : checks) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("name", c.name());
      json.put("kind", c.kind().id());
      if (c.target() instanceof HealthCheck.Tcp t) {
        json.put("address", Addresses.text(t.address()));
      } else if (c.target() instanceof HealthCheck.Http h) {
        json.put("url", h.url().toString());
        json.put("expectStatus", h.expectStatus().toString());
      } else if (c.target() instanceof HealthCheck.Exec e) {
        json.put("command", e.command());
      }
      json.put("interval", Durations.format(c.interval()));
      json.put("timeout", Durations.format(c.timeout()));
      json.put("rise", c.rise());
      json.put("fall", c.fall());
      json.put("effect", c.effect().type() == Effect.Type.DISQUALIFY ? "disqualify"
          : c.effect().weight());

      HealthCheck.Builder b = HealthCheck.builder().name(str(json, "name"));
      switch (str(json, "kind")) {
        case "tcp" -> b.tcp(str(json, "address"));
        case "http" -> b.http(str(json, "url"))
            .expectStatus(str(json, "expectStatus"));
        default -> b.exec(castList(Objects.requireNonNull(json.get("command"))));
      }
      b.interval(Objects.requireNonNull(Durations.parse(str(json, "interval"))))
          .timeout(Objects.requireNonNull(Durations.parse(str(json, "timeout"))))
          .rise((Integer) json.get("rise")).fall((Integer) json.get("fall"));
      if (json.get("effect") instanceof Integer w) {
        b.weight(w);
      } else {
        b.disqualify();
      }

      assertThat(b.build()).as("%s", json).isEqualTo(c);
    }
  }

  private static String str(Map<String, Object> json, String key) {
    return (String) Objects.requireNonNull(json.get(key), key);
  }

  @SuppressWarnings("unchecked")
  private static List<String> castList(Object o) {
    return (List<String>) o;
  }

  @Test
  void theLastTargetWins() {
    HealthCheck c = valid().exec("/bin/true").build();

    assertThat(c.kind()).isEqualTo(HealthCheck.Kind.EXEC);
  }

  @Test
  void aBadTargetReplacedByAGoodOneLeavesNoProblem() {
    HealthCheck c = HealthCheck.tcp("db", "nonsense").tcp("127.0.0.1:1").build();

    assertThat(c.kind()).isEqualTo(HealthCheck.Kind.TCP);
  }

  // ---- one test per rule ----------------------------------------------------------------------

  @Test
  void nameIsRequired() {
    assertOnlyProblem(() -> HealthCheck.builder().tcp("127.0.0.1:1").build(), "name", null,
        "is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-db", "db check", "db/1"})
  void nameMustBeValid(String name) {
    assertOnlyProblem(() -> valid().name(name).build(), "name", name, "not a valid check name");
  }

  @Test
  void nameHasAtMost64Characters() {
    assertThat(valid().name("n".repeat(64)).build().name()).hasSize(64);
    assertOnlyProblem(() -> valid().name("n".repeat(65)).build(), "name", "n".repeat(65),
        "not a valid check name");
  }

  @Test
  void kindIsRequired() {
    assertOnlyProblem(() -> HealthCheck.builder().name("x").build(), "kind", null, "is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:80", "127.0.0.1:http", "10.1:80", "127.0.0.1:65536", ""})
  void tcpNeedsAnIpLiteralAndAValidPort(String endpoint) {
    assertOnlyProblem(() -> HealthCheck.tcp("db", endpoint).build(), "address", endpoint,
        "not an IP address with a port");
  }

  @Test
  void tcpNeedsAPort() {
    assertOnlyProblem(() -> HealthCheck.tcp("db", "127.0.0.1").build(), "address", "127.0.0.1:0",
        "has no port");
  }

  @Test
  void tcpRefusesTheUnspecifiedAddress() {
    assertOnlyProblem(() -> HealthCheck.tcp("db", "0.0.0.0:80").build(), "address", "0.0.0.0:80",
        "unspecified address");
  }

  @Test
  void tcpRefusesMulticast() {
    assertOnlyProblem(() -> HealthCheck.tcp("db", "224.0.0.1:80").build(), "address", "224.0.0.1:80",
        "multicast");
  }

  @Test
  void tcpRefusesAnUnresolvedAddress() {
    assertOnlyProblem(() -> HealthCheck.tcp("db", InetSocketAddress.createUnresolved("db.local", 80))
        .build(), "address", "db.local", "never resolves names");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:80/a b", "127.0.0.1:8080/health"})
  void httpNeedsAValidUrl(String url) {
    assertOnlyProblem(() -> HealthCheck.http("api", url).build(), "url", url, "not a valid URL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://127.0.0.1/", "/health", "mailto:x@127.0.0.1"})
  void httpNeedsHttpOrHttps(String url) {
    assertOnlyProblem(() -> HealthCheck.http("api", url).build(), "url", url,
        "not an http or https URL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http:///health", "http://under_score/health", "http://10.1/health",
      "http://1.2.3.256/"})
  void httpNeedsAHost(String url) {
    assertOnlyProblem(() -> HealthCheck.http("api", url).build(), "url", url, "no valid host");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.01/", "http://[::ffff:1.2.3.4]/"})
  void httpRefusesLenientOrMappedIpLiterals(String url) {
    assertOnlyProblem(() -> HealthCheck.http("api", url).build(), "url", url,
        "not a valid IP address");
  }

  @Test
  void httpRefusesUserInfo() {
    assertOnlyProblem(() -> HealthCheck.http("api", "http://u:p@127.0.0.1/").build(), "url",
        "http://u:p@127.0.0.1/", "user info");
  }

  @Test
  void httpRefusesAFragment() {
    assertOnlyProblem(() -> HealthCheck.http("api", "http://127.0.0.1/#x").build(), "url",
        "http://127.0.0.1/#x", "fragment");
  }

  @Test
  void httpRefusesPortZero() {
    assertOnlyProblem(() -> HealthCheck.http("api", "http://127.0.0.1:0/").build(), "url",
        "http://127.0.0.1:0/", "port 0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2xx", "200-", "99", "600", "299-200", "200,,204", "0200"})
  void expectStatusMustBeCodesOrRanges(String codes) {
    assertOnlyProblem(() -> HealthCheck.http("api", "http://127.0.0.1/").expectStatus(codes).build(),
        "expectStatus", codes, "not a list of status codes");
  }

  @Test
  void expectStatusCodesMustBeInRange() {
    assertOnlyProblem(() -> HealthCheck.http("api", "http://127.0.0.1/").expectStatus(200, 600).build(),
        "expectStatus", "600", "not a status code");
    assertOnlyProblem(() -> HealthCheck.http("api", "http://127.0.0.1/").expectStatus(new int[0])
        .build(), "expectStatus", null, "is empty");
  }

  @Test
  void expectStatusBelongsToHttpChecks() {
    assertOnlyProblem(() -> valid().expectStatus("200").build(), "expectStatus", "200",
        "only http checks");
  }

  @Test
  void execNeedsAProgram() {
    assertOnlyProblem(() -> HealthCheck.exec("script").build(), "command", null, "is empty");
  }

  @Test
  void execProgramIsNotEmpty() {
    assertOnlyProblem(() -> HealthCheck.exec("script", "", "x").build(), "command[0]", "",
        "is empty");
  }

  @Test
  void execArgumentsHoldNoNul() {
    assertOnlyProblem(() -> HealthCheck.exec("script", "/bin/echo", "a\0b").build(), "command[1]",
        "a\\0b", "NUL");
  }

  @Test
  void intervalIsInWholeMilliseconds() {
    assertOnlyProblem(() -> valid().interval(Duration.ofNanos(2_000_000_500L)).build(), "interval",
        "PT2.0000005S", "whole number of milliseconds");
  }

  @Test
  void intervalIsInRange() {
    assertOnlyProblem(() -> valid().interval(Duration.ofMillis(99)).timeout(Duration.ofMillis(50))
        .build(), "interval", "99ms", "use 100ms–1h");
    assertOnlyProblem(() -> valid().interval(Duration.ofMinutes(61)).build(), "interval", "61m",
        "use 100ms–1h");
    assertThat(valid().interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(10)).build()
        .interval()).isEqualTo(Duration.ofMillis(100));
    assertThat(valid().interval(Duration.ofHours(1)).build().interval())
        .isEqualTo(Duration.ofHours(1));
  }

  @Test
  void timeoutIsInWholeMilliseconds() {
    assertOnlyProblem(() -> valid().timeout(Duration.ofNanos(10_500_000)).build(), "timeout",
        "PT0.0105S", "whole number of milliseconds");
  }

  @Test
  void timeoutIsAtLeast10ms() {
    assertOnlyProblem(() -> valid().timeout(Duration.ofMillis(9)).build(), "timeout", "9ms",
        "at least 10ms");
  }

  @Test
  void timeoutIsShorterThanTheInterval() {
    assertOnlyProblem(() -> valid().interval(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(1))
        .build(), "timeout", "1s", "not shorter than the interval 1s");
    assertThat(valid().interval(Duration.ofSeconds(1)).timeout(Duration.ofMillis(999)).build()
        .timeout()).isEqualTo(Duration.ofMillis(999));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 101})
  void riseIsInRange(int rise) {
    assertOnlyProblem(() -> valid().rise(rise).build(), "rise", String.valueOf(rise), "use 1–100");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 101})
  void fallIsInRange(int fall) {
    assertOnlyProblem(() -> valid().fall(fall).build(), "fall", String.valueOf(fall), "use 1–100");
  }

  @Test
  void weightIsNotZero() {
    assertOnlyProblem(() -> valid().weight(0).build(), "effect.weight", "0", "no effect");
  }

  @ParameterizedTest
  @ValueSource(ints = {254, -254, Integer.MIN_VALUE})
  void weightIsInRange(int w) {
    assertOnlyProblem(() -> valid().weight(w).build(), "effect.weight", String.valueOf(w),
        "use −253–253");
  }

  // ---- all at once, and lists -----------------------------------------------------------------

  @Test
  void reportsEveryProblemAtOnce() {
    List<Problem> problems = Invalid.problems(() -> HealthCheck.builder().name("-x")
        .http("gopher://x").expectStatus("abc").interval(Duration.ofMillis(50))
        .timeout(Duration.ofMillis(5)).rise(0).fall(0).weight(0).build());

    assertThat(problems).extracting(Problem::path).containsExactly("name", "url", "expectStatus",
        "interval", "timeout", "rise", "fall", "effect.weight");
  }

  @Test
  void buildAllPutsProblemsUnderTheirIndex() {
    List<Problem> problems = Invalid.problems(() -> HealthCheck.buildAll(List.of(valid(),
        valid().timeout(Duration.ofSeconds(5)), HealthCheck.exec("e"))));

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("healthChecks[1].timeout", "5s"), tuple("healthChecks[2].command", null));
  }

  @Test
  void namesAreUniqueInAList() {
    List<Problem> problems = Invalid.problems(() -> HealthCheck.buildAll(List.of(valid(),
        HealthCheck.exec("x", "/bin/true"), HealthCheck.exec("db", "/bin/true"), valid())));

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("healthChecks[2].name", "db"), tuple("healthChecks[3].name", "db"));
    assertThat(problems.get(0).message()).contains("repeats healthChecks[0]");
    assertThat(HealthCheck.buildAll(List.of(valid(), valid().name("db2")))).hasSize(2);
  }

  @Test
  void theCanonicalConstructorValidatesToo() {
    HealthCheck.Tcp t = (HealthCheck.Tcp) valid().build().target();

    assertThatThrownBy(() -> new HealthCheck("ok", t, Duration.ofSeconds(1),
        Duration.ofSeconds(2), 2, 3, Effect.disqualify()))
        .isInstanceOf(ValidationException.class).hasMessageContaining("timeout");
    assertThatThrownBy(() -> new HealthCheck.Exec(List.of()))
        .isInstanceOf(ValidationException.class).hasMessageContaining("command");
    assertThatThrownBy(() -> new HealthCheck.Http(URI.create("file:///x"), StatusCodes.ok()))
        .isInstanceOf(ValidationException.class).hasMessageContaining("url");
  }
}
