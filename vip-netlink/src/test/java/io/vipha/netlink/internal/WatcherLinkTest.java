package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.netlink.Netns;
import io.vipha.spi.AddressBackend;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The links a watcher keeps are never older than the kernel's: {@link Watcher#link} first reads
 * the changes queued on its socket, here with no watch thread to read them before (the worst
 * case: the thread has not run yet), and reports them to the listener in order. Needs root.
 */
class WatcherLinkTest {
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
  void aLinkIsAsTheKernelHasItOnceTheQueuedChangesAreRead() throws Exception {
    List<String> heard = new ArrayList<>();
    AddressBackend.Listener listener = new AddressBackend.Listener() {
      @Override
      public void addressesChanged(String interfaceName) {
        heard.add("addresses " + interfaceName);
      }

      @Override
      public void linkChanged(String interfaceName, boolean up) {
        heard.add("link " + interfaceName + (up ? " up" : " down"));
      }
    };
    try (Rtnl rtnl = Namespaces.open(ns, () -> Rtnl.open(""))) {
      Watcher w = Watcher.unstarted(Namespaces.open(ns, Watcher::subscribe), rtnl, listener,
          "-test");
      try {
        int index = rtnl.link("v0").index();
        assertThat(Objects.requireNonNull(w.link("v0")).index()).isEqualTo(index);
        heard.clear();

        Commands.run("ip", "-n", ns, "link", "set", "v0", "address", "02:00:00:00:0c:01");
        assertThat(mac(w.link("v0"))).isEqualTo("020000000c01");
        Commands.run("ip", "-n", ns, "link", "set", "v0", "address", "02:00:00:00:0c:02");
        Commands.run("ip", "-n", ns, "addr", "add", "192.0.2.1/24", "dev", "v0");
        assertThat(mac(w.link("v0"))).isEqualTo("020000000c02");
        assertThat(heard).contains("addresses v0");

        Commands.run("ip", "-n", ns, "link", "set", "v0", "name", "w0");
        assertThat(w.link("v0")).isNull();
        assertThat(Objects.requireNonNull(w.link("w0")).index()).isEqualTo(index);
        Commands.run("ip", "-n", ns, "link", "del", "w0");
        assertThat(w.link("w0")).isNull();
        Commands.run("ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "q0");
        Link again = Objects.requireNonNull(w.link("v0"));
        assertThat(again.index()).isNotEqualTo(index).isEqualTo(rtnl.link("v0").index());
      } finally {
        w.cancel();
      }
      assertThat(w.link("v0")).as("cancelled").isNull();
    }
  }

  private static String mac(@Nullable Link l) {
    return HexFormat.of().formatHex(Objects.requireNonNull(l).mac());
  }
}
