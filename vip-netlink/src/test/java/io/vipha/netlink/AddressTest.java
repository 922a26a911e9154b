package io.vipha.netlink;

import io.vipha.testkit.Privileged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.BackendException;
import io.vipha.spi.HostAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Addresses through rtnetlink in a namespace of the test's own, checked from outside the JVM
 * with {@code ip -j addr}. Needs root (see {@link Privileged}).
 */
class AddressTest {
  private final Netns netns = new Netns();
  private String ns = "";
  private NetlinkBackend backend;

  @BeforeEach
  void setUp() throws BackendException {
    Privileged.requireNetworkNamespaces();
    ns = netns.create();
    String peer = netns.create();
    netns.veth(ns, "v0", peer, "p0");
    backend = NetlinkBackend.builder().namespace(ns).build();
  }

  @AfterEach
  void tearDown() {
    if (backend != null) {
      backend.close();
    }
    netns.close();
  }

  @Test
  void addsAnIpv4VipWithItsLabelAndLeaseAndRenewsTheLease() throws Exception {
    VirtualIp vip = VirtualIp.builder().address("192.0.2.10/24").interfaceName("v0")
        .label("v0:web").build();
    backend.assign(vip, Lease.of(Duration.ofSeconds(30)));
    Map<String, Object> a = netns.requireAddress(ns, "v0", "192.0.2.10");
    assertThat(a).containsEntry("family", "inet").containsEntry("prefixlen", 24L)
        .containsEntry("label", "v0:web");
    assertThat((Long) a.get("valid_life_time")).isBetween(28L, 30L);
    assertThat(backend.list(Set.of("v0"))).filteredOn(h -> h.address() instanceof Inet4Address)
        .containsExactly(new HostAddress(
        InetAddress.getByName("192.0.2.10"), 24, "v0"));

    Thread.sleep(2100);
    assertThat((Long) netns.requireAddress(ns, "v0", "192.0.2.10").get("valid_life_time"))
        .isLessThanOrEqualTo(28L);
    backend.assign(vip, Lease.of(Duration.ofSeconds(30)));
    assertThat((Long) netns.requireAddress(ns, "v0", "192.0.2.10").get("valid_life_time"))
        .as("a renewal (NLM_F_REPLACE) refreshes the lifetime").isBetween(29L, 30L);
    assertThat(netns.addresses(ns, "v0")).filteredOn(x -> "inet".equals(x.get("family")))
        .hasSize(1);

    backend.release(vip);
    assertThat(netns.address(ns, "v0", "192.0.2.10")).isNull();
    backend.release(vip);
    assertThat(backend.list(Set.of("v0"))).noneMatch(h -> h.matches(vip));
  }

  @Test
  void aForeverLeaseHasNoExpiry() throws Exception {
    VirtualIp vip = VirtualIp.of("198.51.100.7/24", "v0");
    backend.assign(vip, Lease.forever());
    Map<String, Object> a = netns.requireAddress(ns, "v0", "198.51.100.7");
    assertThat(a).containsEntry("valid_life_time", 4294967295L)
        .containsEntry("preferred_life_time", 4294967295L).containsEntry("label", "v0");
  }

  @Test
  void addsAnIpv6VipWithoutDadAndWithPreferredLifetimeZeroWhenAsked() throws Exception {
    backend.close();
    backend = NetlinkBackend.builder().namespace(ns).preferredLifetimeZero(true).build();
    VirtualIp vip = VirtualIp.of("2001:db8::10/64", "v0");
    backend.assign(vip, Lease.of(Duration.ofSeconds(20)));
    Map<String, Object> a = netns.requireAddress(ns, "v0", "2001:db8::10");
    assertThat(a).containsEntry("family", "inet6").containsEntry("prefixlen", 64L)
        .containsEntry("nodad", true).containsEntry("preferred_life_time", 0L)
        .doesNotContainKey("tentative");
    assertThat((Long) a.get("valid_life_time")).isBetween(18L, 20L);
    assertThat(backend.list(Set.of("v0"))).contains(HostAddress.of(vip));
    backend.assign(vip, Lease.of(Duration.ofSeconds(20)));
    backend.release(vip);
    assertThat(netns.address(ns, "v0", "2001:db8::10")).isNull();
    backend.release(vip);
  }

  @Test
  void anIpv6VipIsPreferredByDefault() throws Exception {
    VirtualIp vip = VirtualIp.of("2001:db8::11/64", "v0");
    backend.assign(vip, Lease.of(Duration.ofSeconds(20)));
    Map<String, Object> a = netns.requireAddress(ns, "v0", "2001:db8::11");
    assertThat(a).containsEntry("nodad", true);
    assertThat((Long) a.get("preferred_life_time")).isBetween(18L, 20L);
  }

  @Test
  void anUnknownInterfaceIsNamedWithTheOnesThatExist() {
    VirtualIp vip = VirtualIp.of("192.0.2.10/24", "eth9");
    assertThatThrownBy(() -> backend.assign(vip, Lease.forever()))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.kind())
            .isEqualTo(BackendException.Kind.NO_SUCH_INTERFACE))
        .hasMessage("interface eth9 does not exist in network namespace " + ns
            + "; the interfaces in network namespace " + ns + " are lo, v0");
    assertThatThrownBy(() -> backend.announce(vip)).isInstanceOf(BackendException.class)
        .hasMessageStartingWith("interface eth9 does not exist");
  }

  @Test
  void releasingFromAnInterfaceThatDoesNotExistSucceeds() throws Exception {
    backend.release(VirtualIp.of("192.0.2.10/24", "eth9"));
    assertThat(backend.list(Set.of("eth9"))).isEmpty();
  }

  @Test
  void listsOnlyTheNamedInterfacesAddresses() throws Exception {
    backend.assign(VirtualIp.of("192.0.2.10/24", "v0"), Lease.forever());
    backend.assign(VirtualIp.of("192.0.2.11/32", "lo"), Lease.forever());
    assertThat(backend.list(Set.of("v0"))).extracting(HostAddress::interfaceName)
        .containsOnly("v0");
    assertThat(backend.list(Set.of("lo"))).extracting(h -> h.address().getHostAddress())
        .contains("192.0.2.11", "127.0.0.1");
  }

  @Test
  void addsAndRemovesManyVipsPipelined() throws Exception {
    List<VirtualIp> vips = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      vips.add(VirtualIp.of("198.51.100." + (i % 250 + 1) + "/32", i < 250 ? "v0" : "lo"));
      if (i >= 500) {
        vips.set(i, VirtualIp.of("2001:db8::" + Integer.toHexString(i) + "/128", "v0"));
      }
    }
    backend.assignAll(vips, Lease.of(Duration.ofSeconds(60)));
    backend.assignAll(vips, Lease.of(Duration.ofSeconds(60)));
    Set<HostAddress> held = backend.list(Set.of("v0", "lo"));
    for (VirtualIp v : vips) {
      assertThat(held).contains(HostAddress.of(v));
    }
    assertThat(netns.addresses(ns, "v0")).filteredOn(x -> "global".equals(x.get("scope")))
        .hasSize(250 + 100);
    backend.releaseAll(vips);
    backend.releaseAll(vips);
    assertThat(netns.addresses(ns, "v0")).filteredOn(x -> "global".equals(x.get("scope")))
        .isEmpty();
  }

  @Test
  void aClosedBackendRefusesWork() {
    backend.close();
    backend.close();
    assertThatThrownBy(() -> backend.list(Set.of("v0"))).isInstanceOf(BackendException.class)
        .hasMessage("this NetlinkBackend in network namespace " + ns + " is closed");
  }

  @Test
  void aNamespaceThatDoesNotExistIsNamed() {
    assertThatThrownBy(() -> NetlinkBackend.builder().namespace("vnl-none-" + ns).build())
        .isInstanceOf(BackendException.class)
        .hasMessage("network namespace vnl-none-" + ns + " does not exist (no /var/run/netns/"
            + "vnl-none-" + ns + "); create it with `ip netns add NAME`, or name an existing"
            + " one");
    assertThatThrownBy(() -> NetlinkBackend.builder().namespace("a b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace a b");
  }
}
