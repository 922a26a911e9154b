package io.vipha.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.config.DaemonSettings.Realtime;
import io.vipha.config.DaemonSettings.Realtime.Policy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code daemon.realtime}: how vipd schedules its latency-critical threads. */
class RealtimeSettingsTest {
  /** A group whose daemon object holds {@code "realtime": %s} on line 8, at column 19. */
  private static final String CONFIG = """
      {
        "groups": [
          {
            "name": "web", "mode": "ACTIVE_PASSIVE",
            "vips": [{"address": "192.0.2.10/24", "interface": "eth0"}],
            "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1:7405"]}],
            "daemon": {
              "realtime": %s,
              "warmup": "1s"
            }
          }
        ]
      }
      """;

  private static VipConfig parse(String realtime) {
    return VipConfig.parse(CONFIG.formatted(realtime));
  }

  private static List<String> problems(String realtime) {
    return VipConfigStrictTest.problems(CONFIG.formatted(realtime));
  }

  @Test
  void withoutTheObjectItIsAutoAtPriorityTenWithoutLockingAndIsNotWritten() {
    VipConfig c = VipConfig.parse(CONFIG.replace("\"realtime\": %s,", ""));
    assertThat(c.daemon("web").realtime()).isEqualTo(Realtime.DEFAULT)
        .isEqualTo(new Realtime(Policy.AUTO, 10, false));
    assertThat(DaemonSettings.NONE.realtime()).isEqualTo(Realtime.DEFAULT);
    assertThat(c.toJson()).doesNotContain("realtime");
  }

  @Test
  void readsEachPolicyAndWritesItBack() {
    for (Policy p : Policy.values()) {
      VipConfig c = parse("{\"policy\": \"" + p.text() + "\", \"priority\": 42}");
      assertThat(c.daemon("web").realtime()).isEqualTo(new Realtime(p, 42, false));
      assertThat(VipConfig.parse(c.toJson())).isEqualTo(c);
    }
  }

  @Test
  void thePriorityAndTheLockDefaultWhenLeftOut() {
    assertThat(parse("{\"policy\": \"fifo\"}").daemon("web").realtime())
        .isEqualTo(new Realtime(Policy.FIFO, Realtime.DEFAULT_PRIORITY, false));
    VipConfig locked = parse("{\"lockMemory\": true}");
    assertThat(locked.daemon("web").realtime())
        .isEqualTo(new Realtime(Policy.AUTO, Realtime.DEFAULT_PRIORITY, true));
    assertThat(locked.toJson()).contains("\"lockMemory\": true");
    assertThat(VipConfig.parse(locked.toJson())).isEqualTo(locked);
  }

  @Test
  void settingsInCodeRoundTrip() {
    VipConfig plain = VipConfig.parse(CONFIG.replace("\"realtime\": %s,", ""));
    VipConfig c = plain.withDaemon("web", plain.daemon("web")
        .withRealtime(new Realtime(Policy.RR, 99, true)));
    assertThat(VipConfig.parse(c.toJson())).isEqualTo(c);
    assertThat(VipConfig.parse(c.toJson()).daemon("web").realtime().priority()).isEqualTo(99);
  }

  @Test
  void rejectsAnUnknownPolicyAPriorityOutsideOneToNinetyNineAndABadLockAllAtOnce() {
    assertThat(problems("{\"policy\": \"realtime\", \"priority\": 100, \"lockMemory\": \"yes\"}"))
        .hasSize(3).satisfiesExactly(
            p -> assertThat(p).isEqualTo("groups[0].daemon.realtime.policy: \"realtime\" is not"
                + " a scheduling policy; use \"auto\" (RR where permitted, the default), \"rr\","
                + " \"fifo\" or \"off\" (line 8, column 32)"),
            p -> assertThat(p).isEqualTo("groups[0].daemon.realtime.priority: \"100\" is not a"
                + " real-time priority; use 1-99, e.g. 10 (line 8, column 56)"),
            p -> assertThat(p).isEqualTo("groups[0].daemon.realtime.lockMemory: \"yes\" is a"
                + " string; expected true or false (line 8, column 75)"));
    assertThat(problems("{\"priority\": 0}")).singleElement().asString()
        .startsWith("groups[0].daemon.realtime.priority: \"0\" is not a real-time priority");
    assertThat(parse("{\"priority\": 99}").daemon("web").realtime().priority()).isEqualTo(99);
    assertThat(parse("{\"priority\": 1}").daemon("web").realtime().priority()).isEqualTo(1);
  }

  @Test
  void rejectsAnUnknownFieldAndANonObjectWithThePolicyProblem() {
    assertThat(problems("{\"policy\": \"RR\", \"nice\": -5}")).hasSize(2).anySatisfy(
        p -> assertThat(p).startsWith("groups[0].daemon.realtime.nice: is not a known field;"
            + " allowed here: policy, priority, lockMemory")).anySatisfy(
        p -> assertThat(p).startsWith("groups[0].daemon.realtime.policy: \"RR\" is not a"
            + " scheduling policy"));
    assertThat(problems("\"rr\"")).singleElement().asString()
        .startsWith("groups[0].daemon.realtime: ");
  }

  @Test
  void theRecordRefusesAPriorityOutsideItsRange() {
    assertThatThrownBy(() -> new Realtime(Policy.RR, 0, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a real-time priority is 1-99; got 0");
    assertThatThrownBy(() -> new Realtime(Policy.RR, 100, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
