package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.netlink.Netns;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packet socket's rehearsal ({@link PacketSocket#prepare}) in a namespace of its own with one
 * veth link: the kernel refuses its send, and no frame leaves the link. Needs root (skipped loudly
 * without it; see {@link Privileged}).
 */
class PacketSocketTest {
  private final Netns netns = new Netns();
  private String ns = "";

  @BeforeEach
  void setUp() {
    Privileged.requireNetworkNamespaces();
    ns = netns.hostWithV0();
    // No IPv6 on the link: its own traffic (neighbour discovery, MLD) would move the counter.
    Commands.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.v0.disable_ipv6=1");
  }

  @AfterEach
  void tearDown() {
    netns.close();
  }

  @Test
  void theRehearsalIsRefusedByTheKernelAndSendsNothing() throws Exception {
    try (PacketSocket socket = Namespaces.open(ns, PacketSocket::new)) {
      long before = sent();
      assertThat(socket.prepare()).as("errno of the send to interface index 0").isEqualTo(6);
      assertThat(socket.prepare()).isEqualTo(6);
      assertThat(sent()).as("frames sent on v0").isEqualTo(before);
    }
  }

  /**
   * A take-over's warm-up, its frame ({@link PacketSocket#warm}) and its add ({@link
   * Rtnl#warmAdd}) for both families: the kernel refuses both (ENXIO, ENODEV), no frame leaves the
   * link and no address is added; the request socket still pairs requests and replies after.
   */
  @Test
  void theWarmUpsFrameAndAddAreRefusedByTheKernelAndChangeNothing() throws Exception {
    VirtualIp v4 = VirtualIp.of("192.0.2.10/24", "v0");
    VirtualIp v6 = VirtualIp.of("2001:db8::10/64", "v0");
    try (PacketSocket socket = Namespaces.open(ns, PacketSocket::new);
        Rtnl rtnl = Namespaces.open(ns, () -> Rtnl.open(""))) {
      long before = sent();
      byte[] mac = rtnl.link("v0").mac();
      for (VirtualIp v : List.of(v4, v6)) {
        assertThat(socket.warm(v, mac)).as("errno of the frame " + v).isEqualTo(6);
        assertThat(rtnl.warmAdd(v, false)).as("errno of the add " + v).isEqualTo(19);
      }
      assertThat(sent()).as("frames sent on v0").isEqualTo(before);
      assertThat(addresses()).doesNotContain("192.0.2.10", "2001:db8::10");
      rtnl.add(rtnl.link("v0"), v4, Lease.forever(), false);
      assertThat(addresses()).contains("192.0.2.10/24");
    }
  }

  private String addresses() {
    return Commands.run("ip", "-n", ns, "addr", "show", "dev", "v0");
  }

  private long sent() {
    return Netns.sent(ns, "v0");
  }
}
