package io.vipha.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every rejection names the field's path and its line and column. */
class VipConfigStrictTest {
  /**
   * A valid file. Positions used below: line 4 "web" at column 15; line 5 "ACTIVE_PASSIVE" at 15;
   * line 6 the VIP object at 16, its address value at 28, "interface" at 45 and "eth0" at 58;
   * line 8 the priority value at 70.
   */
  private static final String VALID = """
      {
        "groups": [
          {
            "name": "web",
            "mode": "ACTIVE_PASSIVE",
            "vips": [{"address": "192.0.2.10/24", "interface": "eth0"}],
            "nodes": [
              {"id": "n1", "heartbeat": ["198.51.100.1:7405"], "priority": 200},
              {"id": "n2", "heartbeat": ["198.51.100.2:7405"]}
            ]
          }
        ]
      }
      """;

  private static String edit(String from, String to) {
    assertThat(VALID).contains(from);
    return VALID.replace(from, to);
  }

  /** The problems of {@code json}, as the exception prints them. */
  static List<String> problems(String json) {
    try {
      VipConfig.parse(json);
    } catch (ValidationException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("expected a ValidationException for\n" + json);
  }

  @Test
  void theBaseDocumentIsValid() {
    assertThat(VipConfig.parse(VALID).groups()).hasSize(1);
  }

  @Test
  void rejectsAnUnknownFieldNamingTheAllowedOnes() {
    assertThat(problems(edit("\"interface\": \"eth0\"", "\"interface\": \"eth0\", \"iface\": 1")))
        .containsExactly("groups[0].vips[0].iface: is not a known field; allowed here: address,"
            + " interface, exposure, label (line 6, column 66)");
  }

  @Test
  void rejectsAMisspelledGroupsList() {
    assertThat(problems("{\n  \"group\": []\n}\n")).containsExactly(
        "groups: is required; list the groups, e.g. \"groups\": [{\"name\": \"web\", ...}]"
            + " (line 1, column 1)",
        "group: is not a known field; allowed here: groups (line 2, column 3)");
  }

  @Test
  void rejectsARepeatedField() {
    assertThat(problems(edit("\"mode\": \"ACTIVE_PASSIVE\",",
        "\"mode\": \"ACTIVE_PASSIVE\", \"mode\": \"ACTIVE_ACTIVE\",")))
        .containsExactly("groups[0].mode: is repeated (first at line 5, column 7); each field"
            + " may appear once (line 5, column 33)");
  }

  @Test
  void reportsEveryRepeatedFieldInOnePass() {
    String json = edit("\"priority\": 200}", "\"priority\": 200, \"priority\": 100}")
        .replace("{\"id\": \"n2\",", "{\"id\": \"n2\", \"id\": \"n3\",");

    assertThat(problems(json)).containsExactly(
        "groups[0].nodes[0].priority: is repeated (first at line 8, column 58); each field may"
            + " appear once (line 8, column 75)",
        "groups[0].nodes[1].id: is repeated (first at line 9, column 10); each field may appear"
            + " once (line 9, column 22)");
  }

  @Test
  void rejectsAStringWhereANumberBelongs() {
    assertThat(problems(edit("\"priority\": 200", "\"priority\": \"high\"")))
        .containsExactly("groups[0].nodes[0].priority: \"high\" is a string; expected a whole"
            + " number (line 8, column 70)");
  }

  @Test
  void rejectsAStringWhereAnObjectBelongs() {
    assertThat(problems(edit("[{\"address\": \"192.0.2.10/24\", \"interface\": \"eth0\"}]",
        "[\"192.0.2.10/24\"]")))
        .containsExactly("groups[0].vips[0]: \"192.0.2.10/24\" is a string; expected an object"
            + " (a VIP) (line 6, column 16)");
    assertThat(problems(edit("\"mode\": \"ACTIVE_PASSIVE\",",
        "\"mode\": \"ACTIVE_PASSIVE\", \"policy\": \"strict\",")))
        .containsExactly("groups[0].policy: \"strict\" is a string; expected an object"
            + " (line 5, column 43)");
  }

  @Test
  void rejectsOtherWrongTypes() {
    assertThat(problems(edit("[\"198.51.100.2:7405\"]", "\"198.51.100.2:7405\"")))
        .containsExactly("groups[0].nodes[1].heartbeat: \"198.51.100.2:7405\" is a string;"
            + " expected a list (line 9, column 35)");
    assertThat(problems(edit("[\"198.51.100.2:7405\"]", "[7405, \"198.51.100.2\"]")))
        .containsExactly("groups[0].nodes[1].heartbeat[0]: \"7405\" is a number; expected an"
            + " address such as \"198.51.100.1:7405\" (line 9, column 36)");
    assertThat(problems(edit("\"web\"", "null")))
        .containsExactly("groups[0].name: is null; expected a string (line 4, column 15)");
    assertThat(problems(edit("200", "2.5")))
        .containsExactly("groups[0].nodes[0].priority: \"2.5\" is not a whole number"
            + " (line 8, column 70)");
    assertThat(problems(edit("200", "4294967296")))
        .containsExactly("groups[0].nodes[0].priority: \"4294967296\" is outside the range of a"
            + " 32-bit integer (line 8, column 70)");
    assertThat(problems(edit("\"ACTIVE_PASSIVE\"", "\"hot-standby\"")))
        .containsExactly("groups[0].mode: \"hot-standby\" is not one of ACTIVE_PASSIVE,"
            + " ACTIVE_ACTIVE (line 5, column 15)");
  }

  @Test
  void rejectsMalformedJson() {
    assertThat(problems(edit("\"name\": \"web\",", "\"name\": \"web\"")))
        .containsExactly("groups[0]: is not valid JSON: Unexpected character ('\"' (code 34)):"
            + " was expecting comma to separate Object entries (line 5, column 7)");
    assertThat(problems(edit("\"priority\": 200", "\"priority\": tru")))
        .singleElement().asString()
        .startsWith("groups[0].nodes[0].priority: is not valid JSON: Unrecognized token 'tru'")
        .endsWith("(line 8, column 70)");
    assertThat(problems(edit("\"web\"", "\"w\\qeb\"")))
        .singleElement().asString()
        .startsWith("groups[0].name: is not valid JSON: Unrecognized character escape 'q'")
        .endsWith("(line 4, column 18)");
    assertThat(problems(edit("\"eth0\"}]", "\"eth0\",}]")))
        .containsExactly("groups[0].vips[0]: is not valid JSON: Unexpected character ('}' (code"
            + " 125)): was expecting double-quote to start field name (line 6, column 65)");
    assertThat(problems(VALID.substring(0, VALID.lastIndexOf('}'))))
        .containsExactly("$: is not valid JSON: the document ends early; a closing } or ] is"
            + " missing (line 13, column 1)");
  }

  @Test
  void rejectsContentAfterTheDocument() {
    assertThat(problems(VALID + "}\n"))
        .containsExactly("$: has content after the end of the JSON object; a configuration is"
            + " exactly one object (line 14, column 1)");
    assertThat(problems(edit("\"priority\": 200", "\"priority\": 0") + "]"))
        .containsExactly(
            "groups[0].nodes[0].priority: \"0\" is out of range; use 1–254 (higher wins)"
                + " (line 8, column 70)",
            "$: has content after the end of the JSON object; a configuration is exactly one"
                + " object (line 14, column 1)");
    assertThat(problems(VALID + "\n  {\"groups\": []}"))
        .containsExactly("$: has content after the end of the JSON object; a configuration is"
            + " exactly one object (line 15, column 3)");
  }

  @Test
  void rejectsDocumentsWithoutGroups() {
    assertThat(problems("")).containsExactly(
        "$: is empty; a configuration is a JSON object with a \"groups\" list (line 1, column 1)");
    assertThat(problems("[]")).containsExactly(
        "$: is a list; expected an object with a \"groups\" list (line 1, column 1)");
    assertThat(problems("{\"groups\": []}")).containsExactly(
        "groups: is empty; a configuration needs at least one group (line 1, column 12)");
    assertThat(problems("{\"groups\": {}}")).containsExactly(
        "groups: is an object; expected a list of groups (line 1, column 12)");
  }

  @Test
  void reRootsModelProblemsUnderTheGroupWithTheirPosition() {
    String second = VALID.substring(VALID.indexOf("    {"), VALID.indexOf("\n  ]"))
        .replace("\"web\"", "\"db\"")
        .replace("192.0.2.10/24", "192.0.2.300/24")
        .replace("\"priority\": 200", "\"priority\": 255");
    String json = VALID.replace("\n  ]", ",\n" + second + "\n  ]");

    assertThat(problems(json)).containsExactly(
        "groups[1].vips[0].address: \"192.0.2.300/24\" is not an IPv4 or IPv6 address; write"
            + " e.g. 192.0.2.10/24 or 2001:db8::10/64 (line 15, column 28)",
        "groups[1].nodes[0].priority: \"255\" is reserved for an address owner (as in VRRP);"
            + " use 1–254 (line 17, column 70)");
  }

  @Test
  void placesAProblemWithAMissingFieldAtItsObject() {
    assertThat(problems(edit(", \"interface\": \"eth0\"", ""))).containsExactly(
        "groups[0].vips[0].interface: is required; name the interface that carries the VIP,"
            + " e.g. eth0 (line 6, column 16)");
  }

  @Test
  void reportsABadPrefixAtTheAddress() {
    assertThat(problems(edit("192.0.2.10/24", "192.0.2.10/33"))).containsExactly(
        "groups[0].vips[0].address: \"192.0.2.10/33\" is not a valid prefix for IPv4; use 1–32"
            + " (e.g. /24) (line 6, column 28)");
  }

  @Test
  void reportsProblemsOfEveryKindTogetherInFileOrder() {
    String second = VALID.substring(VALID.indexOf("    {"), VALID.indexOf("\n  ]"))
        .replace("\"web\"", "\"db\"")
        .replace("\"interface\": \"eth0\"", "\"interface\": \"eth0\", \"exposure\": \"open\"")
        .replace("\"198.51.100.2:7405\"", "\"198.51.100.1:7405\"");
    String json = VALID
        .replace("\"priority\": 200", "\"priority\": \"high\"")
        .replace("\"name\": \"web\",", "\"name\": \"web\", \"color\": \"red\",")
        .replace("\n  ]", ",\n" + second + "\n  ]");

    assertThat(problems(json)).containsExactly(
        "groups[0].color: is not a known field; allowed here: name, mode, vips, nodes, policy,"
            + " daemon (line 4, column 22)",
        "groups[0].nodes[0].priority: \"high\" is a string; expected a whole number"
            + " (line 8, column 70)",
        "groups[1].vips[0].exposure: \"open\" is not one of PRIVATE, PUBLIC (line 15, column 78)",
        "groups[1].nodes[1].heartbeat[0]: \"198.51.100.1:7405\" is already used by nodes[0]; each"
            + " node needs its own heartbeat address (line 18, column 36)");
  }

  @Test
  void rejectsARepeatedGroupName() {
    String second = VALID.substring(VALID.indexOf("    {"), VALID.indexOf("\n  ]"))
        .replace("192.0.2.10/24", "192.0.2.11/24");
    String json = VALID.replace("\n  ]", ",\n" + second + "\n  ]");

    assertThat(problems(json)).containsExactly("groups[1].name: \"web\" repeats groups[0].name;"
        + " group names must be unique in a configuration (line 13, column 15)");
  }

  @Test
  void rejectsAVipInTwoGroupsWhateverItsPrefixOrSpelling() {
    String first = edit("192.0.2.10/24", "2001:db8::10/64");
    String second = first.substring(first.indexOf("    {"), first.indexOf("\n  ]"))
        .replace("\"web\"", "\"db\"")
        .replace("2001:db8::10/64", "2001:DB8:0:0::10/128");
    String json = first.replace("\n  ]", ",\n" + second + "\n  ]");

    assertThat(problems(json)).containsExactly("groups[1].vips[0].address: \"2001:db8::10/128\""
        + " is already used by groups[0].vips[0] (group web); a VIP address may belong to one"
        + " group only (line 15, column 28)");
  }
}
