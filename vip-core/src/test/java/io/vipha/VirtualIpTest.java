package io.vipha;

import static io.vipha.Invalid.assertOnlyProblem;
import static io.vipha.Invalid.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vipha.ValidationException.Problem;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VirtualIpTest {

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal); // literals only: no lookup
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  // ---- valid values -------------------------------------------------------------------------

  @Test
  void buildsAnIpv4Vip() {
    VirtualIp vip = VirtualIp.of("192.0.2.10/24", "eth0");

    assertThat(vip.address()).isInstanceOf(Inet4Address.class).isEqualTo(ip("192.0.2.10"));
    assertThat(vip.prefixLength()).isEqualTo(24);
    assertThat(vip.interfaceName()).isEqualTo("eth0");
    assertThat(vip.exposure()).isEqualTo(Exposure.PRIVATE);
    assertThat(vip.label()).isNull();
    assertThat(vip.isIpv4()).isTrue();
    assertThat(vip.cidr()).isEqualTo("192.0.2.10/24");
    assertThat(vip).hasToString("192.0.2.10/24 on eth0");
  }

  @Test
  void buildsAnIpv6Vip() {
    VirtualIp vip = VirtualIp.builder().address("2001:db8::10/64").interfaceName("bond0.100")
        .exposure(Exposure.PUBLIC).build();

    assertThat(vip.address()).isInstanceOf(Inet6Address.class).isEqualTo(ip("2001:db8::10"));
    assertThat(vip.prefixLength()).isEqualTo(64);
    assertThat(vip.isIpv4()).isFalse();
    assertThat(vip.exposure()).isEqualTo(Exposure.PUBLIC);
    assertThat(vip).hasToString("2001:db8::10/64 on bond0.100 (public)");
  }

  @ParameterizedTest
  @CsvSource({
      "192.0.2.10, 32",
      "2001:db8::10, 128",
  })
  void aMissingPrefixMeansAHostRoute(String address, int bits) {
    assertThat(VirtualIp.of(address, "eth0").prefixLength()).isEqualTo(bits);
  }

  @ParameterizedTest
  @CsvSource({
      "192.0.2.10/1, 1",
      "192.0.2.10/32, 32",
      "2001:db8::10/1, 1",
      "2001:db8::10/128, 128",
      "' 192.0.2.10/24 ', 24",
  })
  void acceptsEveryPrefixOfTheFamily(String cidr, int prefix) {
    assertThat(VirtualIp.of(cidr, "eth0").prefixLength()).isEqualTo(prefix);
  }

  @ParameterizedTest
  @ValueSource(strings = {"e", "eth0", "enp0s31f6", "bond0.100", "veth_a-b@if2", "abcdefghijklmno"})
  void acceptsLinuxInterfaceNames(String name) {
    assertThat(VirtualIp.of("192.0.2.10/24", name).interfaceName()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"eth0", "eth0:web", "eth0:123456789a"})
  void acceptsAnIpv4LabelStartingWithTheInterface(String label) {
    VirtualIp vip = VirtualIp.builder().address("192.0.2.10/24").interfaceName("eth0")
        .label(label).build();

    assertThat(vip.label()).isEqualTo(label);
  }

  @Test
  void buildsFromAnAddressAndAPrefix() {
    VirtualIp vip = VirtualIp.builder().address(ip("198.51.100.7"), 25).interfaceName("eth1")
        .build();

    assertThat(vip.cidr()).isEqualTo("198.51.100.7/25");
  }

  @Test
  void theLastAddressSetWins() {
    assertThat(onEth0(b -> b.address("nope").address("192.0.2.10/24")).cidr())
        .isEqualTo("192.0.2.10/24");
    assertThat(onEth0(b -> b.address("192.0.2.10/x").address("192.0.2.10/25")).cidr())
        .isEqualTo("192.0.2.10/25");
    assertThat(onEth0(b -> b.address("nope").address(ip("192.0.2.10"), 26)).cidr())
        .isEqualTo("192.0.2.10/26");
    assertOnlyProblem(() -> onEth0(b -> b.address("192.0.2.10/24").address("nope")),
        "address", "nope", "is not an IPv4 or IPv6 address");
  }

  /** Builds a VIP on eth0 after {@code spec}. */
  private static VirtualIp onEth0(Consumer<VirtualIp.Builder> spec) {
    VirtualIp.Builder b = VirtualIp.builder().interfaceName("eth0");
    spec.accept(b);
    return b.build();
  }

  @Test
  void toBuilderRoundTrips() {
    VirtualIp vip = VirtualIp.builder().address("192.0.2.10/24").interfaceName("eth0")
        .exposure(Exposure.PUBLIC).label("eth0:web").build();

    assertThat(vip.toBuilder().build()).isEqualTo(vip);
    assertThat(vip.toBuilder().address("192.0.2.10/25").build())
        .isEqualTo(new VirtualIp(vip.address(), 25, "eth0", Exposure.PUBLIC, "eth0:web"));
  }

  // ---- address ------------------------------------------------------------------------------

  @Test
  void anAddressIsRequired() {
    assertOnlyProblem(() -> VirtualIp.builder().interfaceName("eth0").build(),
        "address", null, "is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "192.0.2.300/24", "10.1", "10.1/8", "10.0.0", "192.0.2.1.5", "192.0.02.1/24", "1e1.0.0.1",
      "0x0a.0.0.1", "web.example.com", "web.example.com/24", "localhost", "", " ", "/24",
      "2001:db8::g/64", "2001:db8:::1/64", "[2001:db8::1]/64", "fe80::1%eth0/64", "192.0.2.10:80",
      ".::1/64", ".:/64",
  })
  void rejectsWhatIsNotAnIpLiteral(String cidr) {
    assertOnlyProblem(() -> VirtualIp.of(cidr, "eth0"), "address", cidr,
        "is not an IPv4 or IPv6 address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"::ffff:192.0.2.10/120", "::ffff:192.0.2.10", "0:0:0:0:0:ffff:c000:20a"})
  void rejectsIpv4MappedIpv6(String cidr) {
    assertOnlyProblem(() -> VirtualIp.of(cidr, "eth0"), "address", cidr,
        "is not an IPv4 or IPv6 address");
  }

  @ParameterizedTest
  @CsvSource({
      "0.0.0.0/24, 0.0.0.0",
      "::/64, ::",
  })
  void rejectsTheUnspecifiedAddress(String cidr, String value) {
    assertOnlyProblem(() -> VirtualIp.of(cidr, "eth0"), "address", value,
        "is the unspecified address");
  }

  @ParameterizedTest
  @CsvSource({
      "224.0.0.18/24, 224.0.0.18",
      "239.255.255.255/8, 239.255.255.255",
      "ff02::12/64, ff02::12",
  })
  void rejectsMulticastAddresses(String cidr, String value) {
    assertOnlyProblem(() -> VirtualIp.of(cidr, "eth0"), "address", value,
        "is a multicast address; a VIP must be a unicast address");
  }

  @Test
  void rejectsTheBroadcastAddress() {
    assertOnlyProblem(() -> VirtualIp.of("255.255.255.255/32", "eth0"), "address",
        "255.255.255.255", "is the broadcast address");
  }

  // ---- prefix -------------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
      "192.0.2.10/0, 0, IPv4; use 1–32",
      "192.0.2.10/33, 33, IPv4; use 1–32",
      "192.0.2.10/128, 128, IPv4; use 1–32",
      "2001:db8::10/0, 0, IPv6; use 1–128",
      "2001:db8::10/129, 129, IPv6; use 1–128",
      "2001:db8::10/999, 999, IPv6; use 1–128",
  })
  void rejectsAPrefixInvalidForTheFamily(String cidr, String value, String phrase) {
    assertOnlyProblem(() -> VirtualIp.of(cidr, "eth0"), "prefixLength", value,
        "is not a valid prefix for " + phrase);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "192.0.2.10/", "192.0.2.10/x", "192.0.2.10/24a", "192.0.2.10/-1", "192.0.2.10/+24",
      "192.0.2.10/1234", "192.0.2.10/24/24", "2001:db8::10/6 4",
  })
  void rejectsAPrefixThatIsNotANumber(String cidr) {
    assertOnlyProblem(() -> VirtualIp.of(cidr, "eth0"), "address", cidr,
        "has a prefix length that is not a number");
  }

  @ParameterizedTest
  @ValueSource(strings = {"192.0.2.10/\u0662\u0664", "2001:db8::10/\uff16\uff14"})
  void rejectsAPrefixInOtherDigitsThanAscii(String cidr) {
    assertOnlyProblem(() -> VirtualIp.of(cidr, "eth0"), "address", cidr,
        "has a prefix length that is not a number");
  }

  @Test
  void rejectsAnInvalidPrefixGivenWithAnAddress() {
    assertOnlyProblem(
        () -> VirtualIp.builder().address(ip("2001:db8::1"), -1).interfaceName("eth0").build(),
        "prefixLength", "-1", "is not a valid prefix for IPv6; use 1–128");
  }

  // ---- interface ----------------------------------------------------------------------------

  @Test
  void anInterfaceIsRequired() {
    assertOnlyProblem(() -> VirtualIp.builder().address("192.0.2.10/24").build(),
        "interface", null, "is required; name the interface that carries the VIP");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abcdefghijklmnop", "eth 0", "eth0/1", "eth0\t", "ethé", "eth0!"})
  void rejectsAnInvalidInterfaceName(String name) {
    assertOnlyProblem(() -> VirtualIp.of("192.0.2.10/24", name), "interface", name,
        "is not a Linux interface name; use 1–15 letters");
  }

  // ---- label --------------------------------------------------------------------------------

  @Test
  void rejectsALabelOnAnIpv6Vip() {
    assertOnlyProblem(() -> VirtualIp.builder().address("2001:db8::10/64").interfaceName("eth0")
        .label("eth0:web").build(), "label", "eth0:web", "Linux keeps labels for IPv4 only");
  }

  @ParameterizedTest
  @ValueSource(strings = {"web", "eth1:web", "", "eth", "eth0:0123456789a"})
  void rejectsALabelNotStartingWithTheInterfaceOrTooLong(String label) {
    assertOnlyProblem(() -> VirtualIp.builder().address("192.0.2.10/24").interfaceName("eth0")
            .label(label).build(), "label", label,
        "must start with the interface name and be at most 15 characters, e.g. eth0:vip");
  }

  // ---- all at once, canonical constructor ---------------------------------------------------

  @Test
  void reportsEveryProblemAtOnce() {
    List<Problem> problems = problems(() -> VirtualIp.builder().address("224.0.0.1/40")
        .interfaceName("eth 0").label("lo:x").build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("address", "224.0.0.1"),
        tuple("prefixLength", "40"),
        tuple("interface", "eth 0"),
        tuple("label", "lo:x"));
  }

  @Test
  void reportsAMissingAddressWithTheOtherProblems() {
    List<Problem> problems = problems(() -> VirtualIp.builder().address("web/24")
        .label("eth1:0123456789ab").build());

    assertThat(problems).extracting(Problem::path, Problem::value).containsExactly(
        tuple("address", "web/24"),
        tuple("interface", null),
        tuple("label", "eth1:0123456789ab"));
    // Without an interface, a short label cannot be judged: only the missing interface is reported.
    assertThat(problems(() -> VirtualIp.builder().address("192.0.2.10/24").label("x").build()))
        .extracting(Problem::path).containsExactly("interface");
  }

  @Test
  void theCanonicalConstructorValidatesToo() {
    assertThat(new VirtualIp(ip("192.0.2.10"), 24, "eth0", Exposure.PRIVATE, "eth0:a"))
        .isEqualTo(VirtualIp.builder().address("192.0.2.10/24").interfaceName("eth0")
            .label("eth0:a").build());

    assertOnlyProblem(() -> new VirtualIp(ip("192.0.2.10"), 33, "eth0", Exposure.PRIVATE, null),
        "prefixLength", "33", "is not a valid prefix for IPv4");
    assertOnlyProblem(() -> new VirtualIp(ip("ff02::1"), 64, "eth0", Exposure.PRIVATE, null),
        "address", "ff02::1", "is a multicast address");
    assertOnlyProblem(() -> new VirtualIp(ip("0.0.0.0"), 8, "eth0", Exposure.PRIVATE, null),
        "address", "0.0.0.0", "is the unspecified address");
    assertOnlyProblem(() -> new VirtualIp(ip("192.0.2.10"), 24, "eth0/1", Exposure.PRIVATE, null),
        "interface", "eth0/1", "is not a Linux interface name");
    assertOnlyProblem(() -> new VirtualIp(ip("2001:db8::1"), 64, "eth0", Exposure.PRIVATE, "eth0"),
        "label", "eth0", "Linux keeps labels for IPv4 only");
  }
}
