package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.netlink.Netns;
import io.vipha.testkit.Privileged;
import java.net.Inet6Address;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A new IPv6 address is usable, not tentative, once {@link Rtnl#add} returns, although the
 * kernel acknowledges it while tentative and clears the flag only when the adding thread gives
 * up its CPU. The address is read back by a dump on the same thread right after the add, which
 * does not give the CPU up either. Needs root.
 */
class UsableAddressTest {
  private final Netns netns = new Netns();
  private String ns = "";

  @BeforeEach
  void setUp() {
    Privileged.requireNetworkNamespaces();
    ns = netns.hostWithV0();
  }

  @AfterEach
  void tearDown() {
    netns.close();
  }

  @Test
  void everyNewIpv6AddressIsUsableWhenTheAddReturns() throws Exception {
    try (Rtnl rtnl = Namespaces.open(ns, () -> Rtnl.open(""))) {
      Link v0 = rtnl.link("v0");
      for (int i = 0; i < 20; i++) {
        VirtualIp vip = VirtualIp.of("2001:db8::" + Integer.toHexString(0x10 + i) + "/64", "v0");
        rtnl.add(v0, vip, Lease.of(Duration.ofSeconds(30)), true);
        Address added = rtnl.addresses().stream()
            .filter(a -> a.address().equals(vip.address())).findFirst().orElseThrow();
        assertThat(added.flags() & Nl.IFA_F_TENTATIVE).as("%s tentative", vip).isZero();
        assertThat(added.flags() & Nl.IFA_F_NODAD).isNotZero();
        // a renewal of the usable address: still usable
        rtnl.add(v0, vip, Lease.of(Duration.ofSeconds(30)), true);
      }
      assertThat(rtnl.addresses()).filteredOn(a -> a.index() == v0.index()
          && a.address() instanceof Inet6Address && !a.address().isLinkLocalAddress())
          .hasSize(20);
    }
  }
}
