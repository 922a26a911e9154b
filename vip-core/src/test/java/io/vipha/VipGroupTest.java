package io.vipha;

import static io.vipha.Invalid.assertOnlyProblem;
import static io.vipha.Invalid.assertProblem;
import static io.vipha.Invalid.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vipha.ValidationException.Problem;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class VipGroupTest {

  /** A valid two-node group with one VIP. */
  private static VipGroup.Builder pair(Mode mode) {
    return VipGroup.builder().name("web").mode(mode)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2"));
  }

  private static Node node(String id, String heartbeat) {
    return Node.builder().id(id).heartbeat(heartbeat).build();
  }

  // ---- valid groups -------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void buildsAValidGroup(Mode mode) {
    VipGroup g = pair(mode).build();

    assertThat(g.name()).isEqualTo("web");
    assertThat(g.mode()).isEqualTo(mode);
    assertThat(g.vips()).containsExactly(VirtualIp.of("192.0.2.10/24", "eth0"));
    assertThat(g.nodes()).extracting(Node::id).containsExactly("n1", "n2");
    assertThat(g.policy()).isEqualTo(FailoverPolicy.defaults());
    assertThat(g.node("n2")).map(Node::priority).contains(100);
    assertThat(g.node("n3")).isEmpty();
    assertThat(g.quorumSize()).isEqualTo(1);
    assertThat(g.vips()).isUnmodifiable();
    assertThat(g.nodes()).isUnmodifiable();
  }

  @Test
  void buildsAnIpv6GroupFromBuiltMembers() {
    VirtualIp vip = VirtualIp.of("2001:db8::10/64", "eth0");
    Node n1 = node("n1", "[2001:db8:1::1]:7405");
    Node n2 = node("n2", "[2001:db8:1::2]:7405");

    VipGroup g = VipGroup.builder().name("v6").mode(Mode.ACTIVE_PASSIVE).vip(vip).node(n1)
        .node(n2).policy(p -> p.quorum(Quorum.majority())).build();

    assertThat(g.vips()).containsExactly(vip);
    assertThat(g.nodes()).containsExactly(n1, n2);
    assertThat(g.quorumSize()).isEqualTo(2);
  }

  @Test
  void toBuilderRoundTrips() {
    VipGroup g = pair(Mode.ACTIVE_ACTIVE)
        .vip(v -> v.address("2001:db8::10/64").interfaceName("eth1"))
        .policy(FailoverPolicy.builder().quorumSize(2).lease(Lease.forever()).build())
        .build();

    assertThat(g.toBuilder().build()).isEqualTo(g);
    assertThat(g.policy().quorum()).isEqualTo(Quorum.ofSize(2));
  }

  @Test
  void acceptsOneNodeAndOneVip() {
    VipGroup g = VipGroup.builder().name("a").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1")).build();

    assertThat(g.nodes()).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"w", "9", "web", "web-1.dc_a", "W_E_B"})
  void acceptsValidNames(String name) {
    assertThat(pair(Mode.ACTIVE_PASSIVE).name(name).build().name()).isEqualTo(name);
  }

  @Test
  void acceptsANameOf64Characters() {
    String name = "w".repeat(64);
    assertThat(pair(Mode.ACTIVE_PASSIVE).name(name).build().name()).isEqualTo(name);
    assertOnlyProblem(() -> pair(Mode.ACTIVE_PASSIVE).name(name + "w").build(), "name",
        name + "w", "is not a valid group name");
  }

  @Test
  void nodesMayShareAnIpOnDifferentPorts() {
    VipGroup g = VipGroup.builder().name("lab").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("127.0.0.1:7405"))
        .node(n -> n.id("n2").heartbeat("127.0.0.1:7406")).build();

    assertThat(g.nodes()).hasSize(2);
  }

  @Test
  void aNodeMayListItsOwnHeartbeatIpOnTwoPorts() {
    assertThat(VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1:1").heartbeat("198.51.100.1:2"))
        .build().nodes()).hasSize(1);
  }

  // ---- name, mode, counts -------------------------------------------------------------------

  @Test
  void aNameIsRequired() {
    assertOnlyProblem(() -> VipGroup.builder().mode(Mode.ACTIVE_PASSIVE)
            .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
            .node(n -> n.id("n1").heartbeat("198.51.100.1")).build(),
        "name", null, "is required; name the group");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-web", ".web", "_web", "web group", "web/1", "wéb", "web:1"})
  void rejectsAnInvalidName(String name) {
    assertOnlyProblem(() -> pair(Mode.ACTIVE_PASSIVE).name(name).build(), "name", name,
        "is not a valid group name; use 1–64 letters, digits or . _ -");
  }

  @Test
  void aModeIsRequired() {
    assertOnlyProblem(() -> VipGroup.builder().name("web")
            .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
            .node(n -> n.id("n1").heartbeat("198.51.100.1")).build(),
        "mode", null, "is required; use ACTIVE_PASSIVE or ACTIVE_ACTIVE");
  }

  @Test
  void aGroupNeedsAVip() {
    assertOnlyProblem(() -> VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
            .node(n -> n.id("n1").heartbeat("198.51.100.1")).build(),
        "vips", null, "is empty; a group needs at least one VIP");
  }

  @Test
  void aGroupNeedsANode() {
    assertOnlyProblem(() -> VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
            .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0")).build(),
        "nodes", null, "is empty; a group needs at least one node");
  }

  private static VipGroup.Builder withVips(int count) {
    VipGroup.Builder b = VipGroup.builder().name("big").mode(Mode.ACTIVE_PASSIVE)
        .node(n -> n.id("n1").heartbeat("198.51.100.1"));
    for (int i = 0; i < count; i++) {
      String cidr = "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + "/8";
      b.vip(v -> v.address(cidr).interfaceName("eth0"));
    }
    return b;
  }

  private static VipGroup.Builder withNodes(int count) {
    VipGroup.Builder b = VipGroup.builder().name("big").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"));
    for (int i = 0; i < count; i++) {
      String id = "n" + i;
      String heartbeat = "198.51." + (i >> 8) + "." + (i & 255);
      b.node(n -> n.id(id).heartbeat(heartbeat));
    }
    return b;
  }

  @Test
  void aGroupHoldsAtMost65536Vips() {
    assertThat(withVips(VipGroup.MAX_VIPS).build().vips()).hasSize(65_536);
    assertOnlyProblem(() -> withVips(VipGroup.MAX_VIPS + 1).build(), "vips", "65537",
        "holds too many VIPs; split the group (at most 65536)");
  }

  @Test
  void aGroupHoldsAtMost256Nodes() {
    assertThat(withNodes(VipGroup.MAX_NODES).build().nodes()).hasSize(256);
    assertOnlyProblem(() -> withNodes(VipGroup.MAX_NODES + 1).build(), "nodes", "257",
        "holds too many nodes; at most 256");
  }

  @Test
  void anEmptyBuilderReportsEveryMissingField() {
    List<Problem> problems = problems(() -> VipGroup.builder().build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("name", null), tuple("mode", null), tuple("vips", null), tuple("nodes", null));
  }

  // ---- cross-member rules -------------------------------------------------------------------

  @Test
  void rejectsDuplicateNodeIds() {
    assertOnlyProblem(() -> pair(Mode.ACTIVE_PASSIVE)
            .node(n -> n.id("n1").heartbeat("198.51.100.3")).build(),
        "nodes[2].id", "n1", "repeats nodes[0]; node ids must be unique");
  }

  @Test
  void rejectsADuplicateVip() {
    assertOnlyProblem(() -> pair(Mode.ACTIVE_PASSIVE)
            .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0")).build(),
        "vips[1].address", "192.0.2.10/24", "repeats vips[0]; each address may appear once");
  }

  @Test
  void rejectsTheSameVipAddressWithAnotherPrefixOrInterface() {
    List<Problem> problems = problems(() -> pair(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("198.51.100.99/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.10/25").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth1"))
        .vip(v -> v.address("2001:db8::1/64").interfaceName("eth0"))
        .vip(v -> v.address("2001:db8:0:0::1/128").interfaceName("eth2"))
        .build());

    assertThat(problems).hasSize(3);
    assertProblem(problems.get(0), "vips[2].address", "192.0.2.10/25", "repeats vips[0]");
    assertProblem(problems.get(1), "vips[3].address", "192.0.2.10/24", "repeats vips[0]");
    assertProblem(problems.get(2), "vips[5].address", "2001:db8::1/128",
        "repeats vips[4]");
  }

  @Test
  void rejectsAHeartbeatAddressSharedByTwoNodes() {
    assertOnlyProblem(() -> pair(Mode.ACTIVE_PASSIVE)
            .node(n -> n.id("n3").heartbeat("198.51.100.3").heartbeat("198.51.100.1:7405"))
            .build(),
        "nodes[2].heartbeat[1]", "198.51.100.1:7405",
        "is already used by nodes[0]; each node needs its own heartbeat address");
  }

  @Test
  void aPublicVipIsRejectedInAnActiveActiveGroup() {
    Problem p = assertOnlyProblem(() -> pair(Mode.ACTIVE_ACTIVE)
            .vip(v -> v.address("203.0.113.10/24").interfaceName("eth0")
                .exposure(Exposure.PUBLIC))
            .build(),
        "vips[1].exposure", "PUBLIC", "is not allowed in an ACTIVE_ACTIVE group");
    assertThat(p.message())
        .contains("a public VIP always runs Active/Passive at the VIP layer")
        .contains("put it in an ACTIVE_PASSIVE group");
  }

  @Test
  void aPublicVipIsFineInAnActivePassiveGroup() {
    VipGroup g = pair(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("203.0.113.10/24").interfaceName("eth0").exposure(Exposure.PUBLIC))
        .build();

    assertThat(g.vips()).extracting(VirtualIp::exposure)
        .containsExactly(Exposure.PRIVATE, Exposure.PUBLIC);
  }

  @Test
  void anActivePassiveOwnerMustHoldEveryVip() {
    VipGroup.Builder b = pair(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").capacity(1))
        .node(n -> n.id("n4").heartbeat("198.51.100.4").capacity(2));

    assertOnlyProblem(b::build, "nodes[2].capacity", "1",
        "is below the group's 2 VIPs; an Active/Passive owner holds all of them");
  }

  @Test
  void activeActiveNodesMustHoldEveryVipTogether() {
    VipGroup.Builder b = VipGroup.builder().name("web").mode(Mode.ACTIVE_ACTIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.12/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").capacity(1))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").capacity(1));

    assertOnlyProblem(b::build, "nodes", null,
        "have a total capacity of 2, below the group's 3 VIPs; raise capacities or add nodes");
    assertThat(b.node(n -> n.id("n3").heartbeat("198.51.100.3").capacity(1)).build().nodes())
        .hasSize(3);
  }

  @Test
  void activeActiveCapacityBelowTheVipCountPerNodeIsFine() {
    VipGroup g = VipGroup.builder().name("web").mode(Mode.ACTIVE_ACTIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").capacity(1))
        .node(n -> n.id("n2").heartbeat("198.51.100.2")).build();

    assertThat(g.nodes()).extracting(Node::capacity).containsExactly(1, null);
  }

  @Test
  void rejectsAQuorumLargerThanTheGroup() {
    assertOnlyProblem(() -> pair(Mode.ACTIVE_PASSIVE).policy(p -> p.quorumSize(3)).build(),
        "policy.quorum", "3", "is larger than the group's 2 nodes; no node could ever own the"
            + " VIPs: use at most 2");
    assertThat(pair(Mode.ACTIVE_PASSIVE).policy(p -> p.quorumSize(2)).build().quorumSize())
        .isEqualTo(2);
  }

  // ---- member problems, all at once ---------------------------------------------------------

  @Test
  void memberProblemsArePrefixedWithTheirPath() {
    List<Problem> problems = problems(() -> pair(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.300/24").interfaceName("eth0"))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(0))
        .policy(p -> p.flapLimit(4, Duration.ZERO, null))
        .build());

    assertThat(problems).hasSize(3);
    assertProblem(problems.get(0), "vips[1].address", "192.0.2.300/24",
        "is not an IPv4 or IPv6 address");
    assertProblem(problems.get(1), "nodes[2].priority", "0", "is out of range");
    assertProblem(problems.get(2), "policy.flapLimit.window", "0s", "is out of range");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    List<Problem> problems = problems(() -> VipGroup.builder().name("web group")
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("web.example.com/24").interfaceName("eth0").label("eth1:x"))
        .vip(v -> v.address("2001:db8::10/129").interfaceName("this-name-is-too-long"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(255))
        .node(n -> n.id("-n2").heartbeat("198.51.100.2:0").weight(0))
        .policy(p -> p.heartbeatInterval(Duration.ofMillis(1)).deadAfter(1)
            .flapLimit(1, Duration.ZERO, null).quorumSize(0).announce(0, Duration.ZERO)
            .lease(Duration.ofMillis(1500)))
        .build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("vips[1].address", "web.example.com/24"),
        tuple("vips[1].label", "eth1:x"),
        tuple("vips[2].prefixLength", "129"),
        tuple("vips[2].interface", "this-name-is-too-long"),
        tuple("nodes[0].priority", "255"),
        tuple("nodes[1].heartbeat[0]", "198.51.100.2:0"),
        tuple("nodes[1].id", "-n2"),
        tuple("nodes[1].weight", "0"),
        tuple("policy.heartbeatInterval", "1ms"),
        tuple("policy.deadAfter", "1"),
        tuple("policy.lease", "1500ms"),
        tuple("policy.flapLimit.maxChanges", "1"),
        tuple("policy.flapLimit.window", "0s"),
        tuple("policy.quorum", "0"),
        tuple("policy.announce.count", "0"),
        tuple("name", "web group"),
        tuple("mode", null));
    assertThat(problems.get(4).message()).contains("is reserved for an address owner");
    assertThat(problems.get(8).message()).contains("is out of range; use 5ms–60s");
  }

  @Test
  void crossMemberRulesStillRunWhenAVipIsInvalid() {
    List<Problem> problems = problems(() -> pair(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("10.1/8").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.3").capacity(1))
        .build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("vips[1].address", "10.1/8"),
        tuple("nodes[2].id", "n1"),
        tuple("nodes[2].capacity", "1"));
    assertThat(problems.get(2).message()).contains("is below the group's 2 VIPs");
  }

  @Test
  void crossMemberRulesStillRunWhenANodeIsInvalid() {
    List<Problem> problems = problems(() -> pair(Mode.ACTIVE_ACTIVE)
        .vip(v -> v.address("203.0.113.10/24").interfaceName("eth0").exposure(Exposure.PUBLIC))
        .vip(v -> v.address("192.0.2.10/25").interfaceName("eth1"))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").weight(0))
        .node(n -> n.id("n4").heartbeat("198.51.100.2"))
        .build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("nodes[2].weight", "0"),
        tuple("vips[1].exposure", "PUBLIC"),
        tuple("vips[2].address", "192.0.2.10/25"),
        tuple("nodes[3].heartbeat[0]", "198.51.100.2:7405"));
  }

  @Test
  void theQuorumIsCheckedWhenAnotherPolicyFieldIsInvalid() {
    List<Problem> problems = problems(() -> pair(Mode.ACTIVE_PASSIVE)
        .policy(p -> p.quorumSize(3).holdDown(Duration.ofHours(2)))
        .build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("policy.holdDown", "2h"),
        tuple("policy.quorum", "3"));
  }

  @Test
  void theQuorumCountsInvalidNodesToo() {
    assertOnlyProblem(() -> pair(Mode.ACTIVE_PASSIVE)
            .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(300))
            .policy(p -> p.quorumSize(3))
            .build(),
        "nodes[2].priority", "300", "is out of range");
  }

  @Test
  void anInvalidNodeDoesNotLowerTheActiveActiveCapacity() {
    assertOnlyProblem(() -> VipGroup.builder().name("web").mode(Mode.ACTIVE_ACTIVE)
            .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
            .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
            .node(n -> n.id("n1").heartbeat("198.51.100.1").capacity(1))
            .node(n -> n.id("n2").heartbeat("198.51.100.2").capacity(0))
            .build(),
        "nodes[1].capacity", "0", "is out of range");
  }

  @Test
  void reportsMemberAndCrossMemberProblemsAtOnce() {
    List<Problem> problems = problems(() -> VipGroup.builder().name("web").mode(Mode.ACTIVE_ACTIVE)
        .vip(v -> v.address("203.0.113.10/24").interfaceName("eth0").exposure(Exposure.PUBLIC))
        .vip(v -> v.address("192.0.2.300/24").interfaceName("eth0"))
        .vip(v -> v.address("203.0.113.10/32").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(0))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").capacity(1))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").capacity(1))
        .policy(p -> p.flapLimit(4, Duration.ZERO, null).quorumSize(4))
        .build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("vips[1].address", "192.0.2.300/24"),
        tuple("nodes[0].priority", "0"),
        tuple("policy.flapLimit.window", "0s"),
        tuple("vips[0].exposure", "PUBLIC"),
        tuple("vips[2].address", "203.0.113.10/32"),
        tuple("nodes[2].id", "n2"),
        tuple("nodes[2].heartbeat[0]", "198.51.100.2:7405"),
        tuple("policy.quorum", "4"));
  }

  // ---- canonical constructor ----------------------------------------------------------------

  @Test
  void theCanonicalConstructorValidatesToo() {
    VipGroup valid = pair(Mode.ACTIVE_ACTIVE).build();
    assertThat(new VipGroup(valid.name(), valid.mode(), valid.vips(), valid.nodes(),
        valid.policy())).isEqualTo(valid);

    VirtualIp publicVip = VirtualIp.builder().address("203.0.113.10/24").interfaceName("eth0")
        .exposure(Exposure.PUBLIC).build();
    Node n1 = node("n1", "198.51.100.1");
    Node n2 = node("n2", "198.51.100.2");
    FailoverPolicy quorum3 = FailoverPolicy.builder().quorumSize(3).build();

    assertOnlyProblem(() -> new VipGroup("web", Mode.ACTIVE_ACTIVE, List.of(publicVip),
            List.of(n1, n2), FailoverPolicy.defaults()), "vips[0].exposure", "PUBLIC",
        "a public VIP always runs Active/Passive at the VIP layer");
    assertOnlyProblem(() -> new VipGroup("web", Mode.ACTIVE_PASSIVE, List.of(publicVip),
        List.of(n1, n2), quorum3), "policy.quorum", "3", "is larger than the group's 2 nodes");
    assertOnlyProblem(() -> new VipGroup("web", Mode.ACTIVE_PASSIVE, List.of(),
        List.of(n1), FailoverPolicy.defaults()), "vips", null, "is empty");
    assertOnlyProblem(() -> new VipGroup("web", Mode.ACTIVE_PASSIVE, List.of(publicVip),
        List.of(), FailoverPolicy.defaults()), "nodes", null, "is empty");
    assertOnlyProblem(() -> new VipGroup("", Mode.ACTIVE_PASSIVE, List.of(publicVip),
        List.of(n1), FailoverPolicy.defaults()), "name", "", "is not a valid group name");
    assertOnlyProblem(() -> new VipGroup("web", Mode.ACTIVE_PASSIVE,
            List.of(publicVip, publicVip), List.of(n1), FailoverPolicy.defaults()),
        "vips[1].address", "203.0.113.10/24", "repeats vips[0]");
    assertOnlyProblem(() -> new VipGroup("web", Mode.ACTIVE_PASSIVE, List.of(publicVip),
            List.of(n1.toBuilder().capacity(1).build()), FailoverPolicy.defaults()
            ).toBuilder().vip(VirtualIp.of("192.0.2.1/24", "eth0")).build(),
        "nodes[0].capacity", "1", "is below the group's 2 VIPs");
  }

  @Test
  void theCanonicalConstructorReportsDuplicateNodesAndSharedHeartbeats() {
    VirtualIp vip = VirtualIp.of("192.0.2.10/24", "eth0");
    Node n1 = node("n1", "198.51.100.1");
    Node other = node("n2", "198.51.100.1");

    List<Problem> problems = problems(() -> new VipGroup("web", Mode.ACTIVE_PASSIVE,
        List.of(vip), List.of(n1, n1, other), FailoverPolicy.defaults()));

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("nodes[1].id", "n1"),
        tuple("nodes[1].heartbeat[0]", "198.51.100.1:7405"),
        tuple("nodes[2].heartbeat[0]", "198.51.100.1:7405"));
  }
}
