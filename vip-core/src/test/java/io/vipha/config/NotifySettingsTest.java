package io.vipha.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code "notify"} object of a group's daemon settings and its values. */
class NotifySettingsTest {
  private static final String EVENT_LIST = String.join(", ", NotifySettings.EVENTS);

  private static String config(String notify) {
    return """
        {
          "groups": [
            {
              "name": "web", "mode": "ACTIVE_PASSIVE",
              "vips": [{"address": "192.0.2.10/24", "interface": "eth0"}],
              "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1:7405"]}],
              "daemon": {
                "notify": %s
              }
            }
          ]
        }
        """.formatted(notify);
  }

  private static final String VALID = """
      {"hooks": [
         {"events": ["acquired", "released"], "command": ["/usr/local/bin/vip", "web"],
          "timeout": "3s"},
         {"command": ["/usr/local/bin/log-all"]}
       ],
       "fifo": "/run/vipha/web.events", "socket": "/run/vipha/web-events.sock",
       "queueSize": 64}""";

  /** The problems without their positions. */
  private static List<String> problems(String notify) {
    return VipConfigStrictTest.problems(config(notify)).stream()
        .map(p -> p.replaceAll(" \\(line \\d+, column \\d+\\)$", "")).toList();
  }

  @Test
  void readsEveryFieldAndRoundTrips() {
    VipConfig c = VipConfig.parse(config(VALID));
    NotifySettings n = c.daemon("web").notifications();
    assertThat(n.hooks()).containsExactly(
        new NotifySettings.Hook(List.of("acquired", "released"),
            List.of("/usr/local/bin/vip", "web"), Duration.ofSeconds(3)),
        NotifySettings.Hook.of("/usr/local/bin/log-all"));
    assertThat(n.hooks().get(1).wants("stalled")).isTrue();
    assertThat(n.hooks().get(0).wants("peer-down")).isFalse();
    assertThat(n.fifo()).isEqualTo(Path.of("/run/vipha/web.events"));
    assertThat(n.socket()).isEqualTo(Path.of("/run/vipha/web-events.sock"));
    assertThat(n.queueSize()).isEqualTo(64);
    String written = c.toJson();
    assertThat(written).contains("\"notify\"", "\"timeout\": \"3s\"")
        .doesNotContain("\"timeout\": \"10s\"");
    assertThat(VipConfig.parse(written)).isEqualTo(c);
  }

  @Test
  void withoutNotifyThereIsNone() {
    VipConfig c = VipConfig.parse(config("{}"));
    assertThat(c.daemon("web").notifications()).isEqualTo(NotifySettings.NONE);
    assertThat(NotifySettings.NONE.isEmpty()).isTrue();
    assertThat(c.toJson()).doesNotContain("notify");
  }

  @Test
  void reportsEveryProblemAtOnceWithItsPath() {
    String p = "groups[0].daemon.notify.";
    assertThat(problems("""
        {"hooks": [
           {"events": ["acquired", "vip-up", 3], "command": ["vip-changed"], "timeout": "0s"},
           {"events": [], "command": []},
           {"timeout": "soon"},
           "not a hook"
         ],
         "fifo": "run/web.events", "socket": "/run/%s.sock", "queueSize": 0, "other": 1}"""
        .formatted("x".repeat(120)))).containsExactlyInAnyOrder(
        p + "other: is not a known field; allowed here: hooks, fifo, socket, queueSize",
        p + "fifo: \"run/web.events\" is not an absolute path; write e.g. /run/vipha/web.events",
        p + "hooks[0].events[2]: \"3\" is a number; expected an event name, e.g."
            + " \"acquired\"",
        p + "hooks[0].events[1]: \"vip-up\" is not an event; use one of " + EVENT_LIST,
        p + "hooks[0].command[0]: \"vip-changed\" is not an absolute path; hooks run without a"
            + " shell or a PATH search; write e.g. /usr/local/bin/vip-changed",
        p + "hooks[0].timeout: \"0s\" is not positive; write e.g. 10s",
        p + "hooks[1].events: lists no event; leave events out to run on every event, or name"
            + " some of: " + EVENT_LIST,
        p + "hooks[1].command: is required; name an executable by its absolute path and its"
            + " arguments, e.g. [\"/usr/local/bin/vip-changed\", \"web\"]",
        p + "hooks[2].timeout: \"soon\" is not a duration; " + Fields.DURATION_HINT,
        p + "hooks[2].command: is required; name an executable by its absolute path and its"
            + " arguments, e.g. [\"/usr/local/bin/vip-changed\", \"web\"]",
        p + "hooks[3]: \"not a hook\" is a string; expected an object (a hook)",
        p + "socket: \"/run/" + "x".repeat(120) + ".sock\" is 130 bytes long; a Unix socket"
            + " path holds at most 107; choose a shorter one",
        p + "queueSize: \"0\" is not between 1 and 1048576; write e.g. 1024");
  }

  @Test
  void theBuilderReportsEveryHooksProblemsUnderItsIndex() {
    NotifySettings.Builder b = NotifySettings.builder()
        .hook(NotifySettings.Hook.builder().command(List.of("/bin/true")))
        .hook(NotifySettings.Hook.builder().command(List.of("true", "a\0b"))
            .events(List.of("acquire")).timeout(Duration.ofSeconds(-1)))
        .fifo(Path.of("/run/x")).socket(Path.of("/run/x")).queueSize(NotifySettings
            .MAX_QUEUE_SIZE + 1);
    assertThatThrownBy(b::build).isInstanceOfSatisfying(ValidationException.class, e ->
        assertThat(e.problems()).extracting(Problem::path).containsExactly(
            "hooks[1].events[0]", "hooks[1].command[0]", "hooks[1].command[1]",
            "hooks[1].timeout", "socket", "queueSize"));
    NotifySettings ok = NotifySettings.builder()
        .hook(NotifySettings.Hook.builder().command(List.of("/bin/true"))).build();
    assertThat(ok.hooks()).containsExactly(NotifySettings.Hook.of("/bin/true"));
    assertThat(ok.isEmpty()).isFalse();
    assertThatThrownBy(() -> new NotifySettings.Hook(List.of(), List.of(), Duration.ZERO))
        .isInstanceOf(ValidationException.class).hasMessageContaining("command")
        .hasMessageContaining("timeout");
  }
}
