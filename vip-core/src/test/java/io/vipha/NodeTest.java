package io.vipha;

import static io.vipha.Invalid.assertOnlyProblem;
import static io.vipha.Invalid.assertProblem;
import static io.vipha.Invalid.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vipha.ValidationException.Problem;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NodeTest {

  private static InetSocketAddress endpoint(String literal, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(literal), port); // literals only
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static Node.Builder valid() {
    return Node.builder().id("n1").heartbeat("198.51.100.1");
  }

  // ---- valid values -------------------------------------------------------------------------

  @Test
  void buildsWithDefaults() {
    Node n = valid().build();

    assertThat(n.id()).isEqualTo("n1");
    assertThat(n.heartbeat()).containsExactly(endpoint("198.51.100.1", Node.DEFAULT_HEARTBEAT_PORT));
    assertThat(n.priority()).isEqualTo(Node.DEFAULT_PRIORITY).isEqualTo(100);
    assertThat(n.weight()).isEqualTo(1);
    assertThat(n.capacity()).isNull();
  }

  @ParameterizedTest
  @CsvSource({
      "198.51.100.1, 198.51.100.1, 7405",
      "198.51.100.1:7000, 198.51.100.1, 7000",
      "' 198.51.100.1:1 ', 198.51.100.1, 1",
      "198.51.100.1:65535, 198.51.100.1, 65535",
      "2001:db8::1, 2001:db8::1, 7405",
      "[2001:db8::1], 2001:db8::1, 7405",
      "[2001:db8::1]:7000, 2001:db8::1, 7000",
  })
  void parsesHeartbeatAddresses(String text, String ip, int port) {
    Node n = Node.builder().id("n1").heartbeat(text).build();

    assertThat(n.heartbeat()).containsExactly(endpoint(ip, port));
  }

  @Test
  void acceptsSeveralHeartbeatAddresses() {
    Node n = Node.builder().id("n1").heartbeat("198.51.100.1").heartbeat("198.51.100.1:7406")
        .heartbeat(endpoint("2001:db8::1", 7405)).build();

    assertThat(n.heartbeat()).containsExactly(endpoint("198.51.100.1", 7405),
        endpoint("198.51.100.1", 7406), endpoint("2001:db8::1", 7405));
  }

  @ParameterizedTest
  @ValueSource(strings = {"n", "1", "n1", "node-1.dc_a", "N_1"})
  void acceptsValidIds(String id) {
    assertThat(Node.builder().id(id).heartbeat("198.51.100.1").build().id()).isEqualTo(id);
  }

  @Test
  void anIdHasAtMost64Characters() {
    String id = "n".repeat(64);
    assertThat(Node.builder().id(id).heartbeat("198.51.100.1").build().id()).isEqualTo(id);
    assertOnlyProblem(() -> Node.builder().id(id + "n").heartbeat("198.51.100.1").build(), "id",
        id + "n", "is not a valid node id");
  }

  @Test
  void acceptsTheEdgesOfEveryRange() {
    assertThat(valid().priority(1).weight(1).capacity(1).build().priority()).isEqualTo(1);
    Node high = valid().priority(254).weight(1000).capacity(VipGroup.MAX_VIPS).build();
    assertThat(high.priority()).isEqualTo(254);
    assertThat(high.weight()).isEqualTo(1000);
    assertThat(high.capacity()).isEqualTo(VipGroup.MAX_VIPS);
    assertThat(valid().capacity(5).capacity(null).build().capacity()).isNull();
  }

  @Test
  void toBuilderRoundTrips() {
    Node n = Node.builder().id("n1").heartbeat("198.51.100.1").heartbeat("[2001:db8::1]:7000")
        .priority(200).weight(3).capacity(10).build();

    assertThat(n.toBuilder().build()).isEqualTo(n);
    assertThat(n.toBuilder().priority(50).build().priority()).isEqualTo(50);
  }

  // ---- id -----------------------------------------------------------------------------------

  @Test
  void anIdIsRequired() {
    assertOnlyProblem(() -> Node.builder().heartbeat("198.51.100.1").build(), "id", null,
        "is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-n1", ".n1", "_n1", "n 1", "n/1", "n:1", "nö", "n1\n"})
  void rejectsAnInvalidId(String id) {
    assertOnlyProblem(() -> Node.builder().id(id).heartbeat("198.51.100.1").build(), "id", id,
        "is not a valid node id; use 1–64 letters, digits or . _ - starting with a letter or"
            + " digit");
  }

  // ---- heartbeat ----------------------------------------------------------------------------

  @Test
  void aHeartbeatAddressIsRequired() {
    assertOnlyProblem(() -> Node.builder().id("n1").build(), "heartbeat", null,
        "is empty; give at least one address such as 192.0.2.1:7405");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "web.example.com", "web.example.com:7405", "localhost", "10.1", "198.51.100.300",
      "198.51.100.1:", "198.51.100.1:0", "198.51.100.1:65536", "198.51.100.1:123456",
      "198.51.100.1:-1", "198.51.100.1:abc", ":7405", "", "[2001:db8::1", "[2001:db8::1]7405",
      "[2001:db8::1]:", "[198.51.100.1]:7405", "[]:7405", "[fe80::1%eth0]:7405",
      "::ffff:198.51.100.1", "[::ffff:198.51.100.1]:7405", "198.51.100.1:7405:7406", ".::1",
      "[.::1]:7405",
  })
  void rejectsAHeartbeatThatIsNotAnIpWithAPort(String text) {
    assertOnlyProblem(() -> Node.builder().id("n1").heartbeat(text).build(), "heartbeat[0]",
        text, "is not an IP address with an optional port");
  }

  @ParameterizedTest
  @ValueSource(strings = {"198.51.100.1:\u0667\u0664\u0660\u0665", "[2001:db8::1]:\uff18\uff10"})
  void rejectsAPortInOtherDigitsThanAscii(String text) {
    assertOnlyProblem(() -> Node.builder().id("n1").heartbeat(text).build(), "heartbeat[0]",
        text, "is not an IP address with an optional port");
  }

  @Test
  void namesTheIndexOfTheBadHeartbeat() {
    List<Problem> problems = problems(() -> Node.builder().id("n1").heartbeat("198.51.100.1")
        .heartbeat("nope").heartbeat("198.51.100.2").heartbeat("[::1]:99999").build());

    assertThat(problems).extracting(Problem::path, Problem::value)
        .containsExactly(tuple("heartbeat[1]", "nope"), tuple("heartbeat[3]", "[::1]:99999"));
  }

  @Test
  void rejectsAnUnresolvedHeartbeat() {
    assertOnlyProblem(() -> Node.builder().id("n1")
            .heartbeat(InetSocketAddress.createUnresolved("web.example.com", 7405)).build(),
        "heartbeat[0]", "web.example.com", "is not an IP address; vipha never resolves names");
  }

  @Test
  void rejectsPortZeroGivenAsASocketAddress() {
    assertOnlyProblem(() -> Node.builder().id("n1").heartbeat(endpoint("198.51.100.1", 0))
            .build(), "heartbeat[0]", "198.51.100.1:0",
        "has port 0; peers cannot send heartbeats to it");
    assertOnlyProblem(() -> new Node("n1", List.of(endpoint("198.51.100.1", 7405),
            endpoint("2001:db8::1", 0)), 100, 1, null), "heartbeat[1]",
        "[2001:db8::1]:0", "has port 0");
  }

  @ParameterizedTest
  @CsvSource({
      "0.0.0.0, 0.0.0.0:7405",
      "0.0.0.0:7000, 0.0.0.0:7000",
      "[::]:7405, [::]:7405",
  })
  void rejectsTheUnspecifiedAddressAsAHeartbeat(String text, String value) {
    assertOnlyProblem(() -> Node.builder().id("n1").heartbeat(text).build(), "heartbeat[0]",
        value, "is the unspecified address; peers need a routable address");
  }

  @Test
  void rejectsARepeatedHeartbeat() {
    assertOnlyProblem(() -> Node.builder().id("n1").heartbeat("198.51.100.1")
            .heartbeat("198.51.100.1:7405").build(), "heartbeat[1]", "198.51.100.1:7405",
        "repeats heartbeat[0]; remove one");
    assertOnlyProblem(() -> Node.builder().id("n1").heartbeat("[2001:db8::1]:7000")
            .heartbeat("2001:db8::2").heartbeat("[2001:db8:0::1]:7000").build(), "heartbeat[2]",
        "[2001:db8::1]:7000", "repeats heartbeat[0]");
  }

  @Test
  void reportsEachRepeatedHeartbeatOnce() {
    List<Problem> problems = problems(() -> Node.builder().id("n1").heartbeat("198.51.100.1")
        .heartbeat("198.51.100.1").heartbeat("198.51.100.1:7405").build());

    assertThat(problems).hasSize(2);
    assertProblem(problems.get(0), "heartbeat[1]", "198.51.100.1:7405", "repeats heartbeat[0]");
    assertProblem(problems.get(1), "heartbeat[2]", "198.51.100.1:7405", "repeats heartbeat[0]");
  }

  // ---- priority, weight, capacity -----------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 256, 1000, Integer.MIN_VALUE})
  void rejectsAPriorityOutOfRange(int priority) {
    assertOnlyProblem(() -> valid().priority(priority).build(), "priority",
        String.valueOf(priority), "is out of range; use 1–254 (higher wins)");
  }

  @Test
  void priority255IsReservedForTheAddressOwner() {
    Problem p = assertOnlyProblem(() -> valid().priority(255).build(), "priority", "255",
        "is reserved for an address owner (as in VRRP); use 1–254");
    assertThat(p.message()).doesNotContain("out of range");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 1001})
  void rejectsAWeightOutOfRange(int weight) {
    assertOnlyProblem(() -> valid().weight(weight).build(), "weight", String.valueOf(weight),
        "is out of range; use 1–1000");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, VipGroup.MAX_VIPS + 1})
  void rejectsACapacityOutOfRange(int capacity) {
    assertOnlyProblem(() -> valid().capacity(capacity).build(), "capacity",
        String.valueOf(capacity), "is out of range; use 1–65536, or leave it out for no limit");
  }

  // ---- all at once, canonical constructor ---------------------------------------------------

  @Test
  void reportsEveryProblemAtOnce() {
    List<Problem> problems = problems(() -> Node.builder().id("-x").heartbeat("bad")
        .heartbeat("0.0.0.0").priority(255).weight(0).capacity(0).build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("heartbeat[0]", "bad"),
        tuple("id", "-x"),
        tuple("heartbeat[1]", "0.0.0.0:7405"),
        tuple("priority", "255"),
        tuple("weight", "0"),
        tuple("capacity", "0"));
  }

  @Test
  void reportsAMissingIdAndHeartbeatTogether() {
    List<Problem> problems = problems(() -> Node.builder().priority(0).build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("id", null), tuple("heartbeat", null), tuple("priority", "0"));
  }

  @Test
  void theCanonicalConstructorValidatesToo() {
    List<InetSocketAddress> hb = List.of(endpoint("198.51.100.1", 7405));
    assertThat(new Node("n1", hb, 100, 1, null)).isEqualTo(valid().build());

    assertOnlyProblem(() -> new Node("n1", List.of(), 100, 1, null), "heartbeat", null,
        "is empty");
    assertOnlyProblem(() -> new Node("n 1", hb, 100, 1, null), "id", "n 1",
        "is not a valid node id");
    assertOnlyProblem(() -> new Node("n1", hb, 255, 1, null), "priority", "255", "is reserved");
    assertOnlyProblem(() -> new Node("n1", hb, 100, 1001, null), "weight", "1001", "out of range");
    assertOnlyProblem(() -> new Node("n1", hb, 100, 1, 0), "capacity", "0", "out of range");
    List<Problem> dup = problems(() -> new Node("n1", List.of(endpoint("198.51.100.1", 7405),
        endpoint("198.51.100.1", 7405)), 100, 1, null));
    assertThat(dup).hasSize(1);
    assertProblem(dup.get(0), "heartbeat[1]", "198.51.100.1:7405", "repeats heartbeat[0]");
  }

  @Test
  void theHeartbeatListIsImmutable() {
    Node n = valid().build();
    assertThat(n.heartbeat()).isUnmodifiable();
  }
}
