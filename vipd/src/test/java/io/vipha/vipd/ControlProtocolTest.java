package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.vipd.ControlProtocol.Command;
import io.vipha.vipd.ControlProtocol.Request;
import io.vipha.vipd.ControlProtocol.RequestException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Request parsing and reply lines of the control protocol. */
class ControlProtocolTest {

  @Test
  void parsesEveryCommandWithItsArguments() throws Exception {
    assertThat(ControlProtocol.parse("{\"v\":1,\"cmd\":\"status\"}"))
        .isEqualTo(new Request(Command.STATUS, Map.of()));
    assertThat(ControlProtocol.parse(" {\"cmd\": \"switchover\", \"target\": \"n2\", \"v\": 1,"
        + " \"vip\": \"192.0.2.10/24\"} ")).isEqualTo(new Request(Command.SWITCHOVER,
        Map.of("target", "n2", "vip", "192.0.2.10/24")));
    for (Command c : Command.values()) {
      Request r = new Request(c, c.required.isEmpty() ? Map.of() : Map.of("target", "n2"));
      assertThat(ControlProtocol.parse(r.toLine())).as(c.wire).isEqualTo(r);
    }
    assertThat(Command.names()).isEqualTo("status, switchover, clear-switchover, drain,"
        + " undrain, announce, reload");
  }

  @Test
  void aRejectedReloadsReplyCarriesItsProblemsAsAList() throws Exception {
    assertThat(ControlProtocol.error(ControlProtocol.Error.REJECTED, "reload rejected; 2"
        + " problems:\n  a\n  b", java.util.List.of("a", "b"))).isEqualTo("{\"v\":1,"
        + "\"ok\":false,\"error\":{\"code\":\"rejected\",\"message\":\"reload rejected; 2"
        + " problems:\\n  a\\n  b\",\"problems\":[\"a\",\"b\"]}}");
    assertThat(ControlProtocol.error(ControlProtocol.Error.FAILED, "m")).doesNotContain(
        "problems");
    assertThatThrownBy(() -> ControlProtocol.parse("{\"v\":1,\"cmd\":\"reload\",\"file\":"
        + "\"/x\"}")).hasMessage("\"file\" is not an argument of reload, which takes none");
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("not json", "bad-json",
            "the request is not valid JSON: Unrecognized token 'not'"),
        Arguments.of("[1,2]", "bad-json",
            "a request is one JSON object on one line, e.g. {\"v\":1,\"cmd\":\"status\"}"),
        Arguments.of("\"status\"", "bad-json",
            "a request is one JSON object on one line"),
        Arguments.of("{\"v\":1,\"cmd\":\"status\"", "bad-json",
            "the request is not valid JSON: Unexpected end"),
        Arguments.of("{\"v\":1,\"v\":1,\"cmd\":\"status\"}", "bad-json",
            "the request is not valid JSON: Duplicate field 'v'"),
        Arguments.of("{\"cmd\":\"status\"}", "bad-version",
            "\"v\" is missing; this daemon speaks version 1"),
        Arguments.of("{\"v\":2,\"cmd\":\"status\"}", "bad-version",
            "version 2 is not supported; this daemon speaks version 1"),
        Arguments.of("{\"v\":\"1\",\"cmd\":\"status\"}", "bad-version",
            "version \"1\" is not supported"),
        Arguments.of("{\"v\":1.0,\"cmd\":\"status\"}", "bad-version",
            "version 1.0 is not supported"),
        Arguments.of("{\"v\":1}", "unknown-command",
            "\"cmd\" must name a command: status, switchover"),
        Arguments.of("{\"v\":1,\"cmd\":7}", "unknown-command",
            "\"cmd\" must name a command"),
        Arguments.of("{\"v\":1,\"cmd\":\"reboot\"}", "unknown-command",
            "unknown command \"reboot\"; the commands are status,"),
        Arguments.of("{\"v\":1,\"cmd\":\"switchover\"}", "bad-argument",
            "\"target\" is required by switchover"),
        Arguments.of("{\"v\":1,\"cmd\":\"switchover\",\"target\":2}", "bad-argument",
            "\"target\" must be a non-empty string; got 2"),
        Arguments.of("{\"v\":1,\"cmd\":\"switchover\",\"target\":\" \"}", "bad-argument",
            "\"target\" must be a non-empty string; got \" \""),
        Arguments.of("{\"v\":1,\"cmd\":\"drain\",\"now\":true}", "bad-argument",
            "\"now\" is not an argument of drain, which takes none"),
        Arguments.of("{\"v\":1,\"cmd\":\"switchover\",\"to\":\"n2\"}", "bad-argument",
            "\"to\" is not an argument of switchover; it takes [target, vip]; \"tar"
            + "get\" is required by switchover"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void refusesABadRequestWithTheErrorToReply(String line, String code, String message) {
    assertThatThrownBy(() -> ControlProtocol.parse(line))
        .isInstanceOfSatisfying(RequestException.class, e -> {
          assertThat(e.error.wire).isEqualTo(code);
          assertThat(e.getMessage()).startsWith(message);
        });
  }

  @Test
  void aHugelyNestedRequestIsRefusedNotACrash() {
    String deep = "{\"v\":1,\"cmd\":\"status\",\"x\":" + "[".repeat(5000) + "]".repeat(5000)
        + "}";
    assertThatThrownBy(() -> ControlProtocol.parse(deep))
        .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error)
            .isEqualTo(ControlProtocol.Error.BAD_JSON));
  }

  @Test
  void repliesAreOneLineOfVersionedJson() throws Exception {
    String ok = ControlProtocol.ok(ControlProtocol.JSON.createObjectNode().put("a", "b\nc"));
    assertThat(ok).doesNotContain("\n").isEqualTo("{\"v\":1,\"ok\":true,\"result\":{\"a\":"
        + "\"b\\nc\"}}");
    String error = ControlProtocol.error(ControlProtocol.Error.TIMEOUT, "slow");
    JsonNode e = ControlProtocol.JSON.readTree(error);
    assertThat(error).doesNotContain("\n");
    assertThat(e.path("v").asInt()).isEqualTo(1);
    assertThat(e.path("ok").asBoolean()).isFalse();
    assertThat(e.path("error").path("code").asText()).isEqualTo("timeout");
    assertThat(e.path("error").path("message").asText()).isEqualTo("slow");
  }
}
