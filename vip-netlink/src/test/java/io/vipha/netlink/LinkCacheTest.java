package io.vipha.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.netlink.Pcap.Frame;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.Cancellable;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * While a backend watches, its assigns and announcements take the interface from what the watch
 * heard rather than asking the kernel each time; that must never be older than the interface.
 * A gratuitous ARP sent right after the interface's hardware address changed carries the new
 * address, every time; and while the watch's own thread is busy, an announcement still goes
 * out. The warm take's rehearsal changes nothing. Needs root and tcpdump.
 */
class LinkCacheTest {
  private static final VirtualIp VIP = VirtualIp.of("192.0.2.10/24", "a0");
  private static final AddressBackend.Listener QUIET = new AddressBackend.Listener() {
    @Override
    public void addressesChanged(String interfaceName) {}

    @Override
    public void linkChanged(String interfaceName, boolean up) {}
  };

  private final Netns netns = new Netns();
  private String owner = "";
  private String client = "";

  @BeforeEach
  void setUp() {
    Privileged.requireNetworkNamespaces();
    Privileged.requireTool("tcpdump");
    owner = netns.create();
    client = netns.create();
    netns.veth(owner, "a0", client, "c0");
  }

  @AfterEach
  void tearDown() {
    netns.close();
  }

  @Test
  void anAnnouncementRightAfterTheHardwareAddressChangedCarriesTheNewOne() throws Exception {
    List<String> macs = List.of("02:00:00:00:0a:01", "02:00:00:00:0a:02", "02:00:00:00:0a:03",
        "02:00:00:00:0a:04", "02:00:00:00:0a:05");
    List<Frame> arp;
    try (Capture started = Capture.start(client, "c0", "arp");
        NetlinkBackend backend = NetlinkBackend.builder().namespace(owner).build()) {
      Cancellable watch = backend.watch(QUIET);
      try {
        backend.assign(VIP, Lease.forever());
        backend.announce(VIP); // the address the interface was made with
        for (String mac : macs) {
          Commands.run("ip", "-n", owner, "link", "set", "a0", "address", mac);
          backend.announce(VIP); // at once: the watch's thread may not have read the change
        }
      } finally {
        watch.cancel();
      }
      arp = arp(started);
    }
    assertThat(arp).hasSize(2 * (macs.size() + 1));
    for (int i = 0; i < macs.size(); i++) {
      for (Frame f : arp.subList(2 * (i + 1), 2 * (i + 2))) {
        assertThat(f.source()).as("frame source after the change to %s", macs.get(i))
            .isEqualTo(macs.get(i));
        assertThat(f.payloadMac(8)).as("ARP sender after the change to %s", macs.get(i))
            .isEqualTo(macs.get(i));
      }
    }
  }

  @Test
  void anAnnouncementGoesOutWhileTheWatchThreadIsBusy() throws Exception {
    CountDownLatch inListener = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    AddressBackend.Listener slow = new AddressBackend.Listener() {
      @Override
      public void addressesChanged(String interfaceName) {
        if (Thread.currentThread().getName().startsWith("vipha-netlink-watch")) {
          inListener.countDown();
          try {
            letGo.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }

      @Override
      public void linkChanged(String interfaceName, boolean up) {}
    };
    String mac = "02:00:00:00:0b:01";
    List<Frame> arp;
    try (Capture started = Capture.start(client, "c0", "arp");
        NetlinkBackend backend = NetlinkBackend.builder().namespace(owner).build()) {
      Cancellable watch = backend.watch(slow);
      try {
        Commands.run("ip", "-n", owner, "addr", "add", "192.0.2.1/24", "dev", "a0");
        assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
        Commands.run("ip", "-n", owner, "link", "set", "a0", "address", mac);
        backend.assign(VIP, Lease.forever());
        backend.announce(VIP);
      } finally {
        letGo.countDown();
        watch.cancel();
      }
      arp = arp(started);
    }
    assertThat(arp).hasSize(2).allSatisfy(f -> assertThat(f.payloadMac(8)).isEqualTo(mac));
  }

  @Test
  void theWatchRehearsesOnAThreadOfItsOwnAndTellsTheListenerNothingOfIt() throws Exception {
    Heard listener = new Heard();
    List<String> heard = listener.events;
    try (NetlinkBackend backend = NetlinkBackend.builder().namespace(owner).build()) {
      assertThat(backend.rehearsal()).isNull();
      Cancellable watch = backend.watch(listener);
      Thread rehearsal = java.util.Objects.requireNonNull(backend.rehearsal());
      try {
        assertThat(rehearsal.getName()).isEqualTo("vipha-netlink-rehearsal-" + owner);
        rehearsal.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(rehearsal.isAlive()).isFalse();
        assertThat(heard).isNotEmpty().noneMatch(e -> e.contains("vipha-rehearsal"));
        assertThat(backend.list(java.util.Set.of("a0", "lo")))
            .noneMatch(a -> a.address().getHostAddress().equals("192.0.2.1"));
      } finally {
        watch.cancel();
      }
      backend.watch(listener).cancel();
      assertThat(backend.rehearsal()).as("one rehearsal per backend").isSameAs(rehearsal);
    }
  }

  /**
   * The warm take's part of the rehearsal, on sockets of its own: the kernel refuses every add's
   * request (both families, for interface index 0) and every frame, so no address is added and no
   * frame leaves the link.
   */
  @Test
  void theWarmTakesRehearsalIsRefusedByTheKernelAndChangesNothing() throws Exception {
    // No IPv6 on the link: its own traffic (neighbour discovery, MLD) would move the counter.
    Commands.run("ip", "netns", "exec", owner, "sysctl", "-qw", "net.ipv6.conf.a0.disable_ipv6=1");
    long before = Netns.sent(owner, "a0");
    assertThat(NetlinkBackend.rehearseWarmTake(owner, "", false, 50, Long.MAX_VALUE / 4))
        .as("rounds with both requests refused").isEqualTo(50);
    assertThat(NetlinkBackend.rehearseWarmTake(owner, "", true, 5, 0)).isZero();
    assertThat(Netns.sent(owner, "a0")).as("frames sent on a0").isEqualTo(before);
    assertThat(Commands.run("ip", "-n", owner, "addr")).doesNotContain("192.0.2.1/",
        "2001:db8::1/");
  }

  /** The ARP frames {@code capture} saw, once the last ones had time to arrive. */
  private static List<Frame> arp(Capture capture) throws Exception {
    Thread.sleep(300);
    return capture.stop().stream().filter(f -> f.etherType() == 0x0806).toList();
  }
}
