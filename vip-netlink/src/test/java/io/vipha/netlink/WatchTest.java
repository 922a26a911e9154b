package io.vipha.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.AddressBackend;
import io.vipha.spi.Cancellable;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The watch socket reports what {@code ip} does in the namespace. Needs root. */
class WatchTest {
  private final Netns netns = new Netns();
  private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
  private String ns = "";
  private String peer = "";
  private @Nullable NetlinkBackend backend;

  @BeforeEach
  void setUp() throws Exception {
    Privileged.requireNetworkNamespaces();
    ns = netns.create();
    peer = netns.create();
    netns.veth(ns, "v0", peer, "p0");
    // The veth carrier comes up asynchronously: wait until v0 runs.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!Commands.run("ip", "-n", ns, "link", "show", "v0").contains("LOWER_UP")
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    backend = NetlinkBackend.builder().namespace(ns).build();
  }

  @AfterEach
  void tearDown() {
    NetlinkBackend b = backend;
    if (b != null) {
      b.close();
    }
    netns.close();
  }

  private final AddressBackend.Listener listener = new AddressBackend.Listener() {
    @Override
    public void addressesChanged(String interfaceName) {
      events.add("addresses " + interfaceName);
    }

    @Override
    public void linkChanged(String interfaceName, boolean up) {
      events.add("link " + interfaceName + (up ? " up" : " down"));
    }
  };

  @Test
  void theRehearsalAtTheWatchsStartChangesNoAddress() throws Exception {
    String before = addresses();
    Cancellable watch = java.util.Objects.requireNonNull(backend).watch(listener);
    assertThat(List.of(next(), next())).containsExactlyInAnyOrder("link lo up", "link v0 up");
    Thread.sleep(100); // (the rehearsal ran before watch returned; give a change time to show)
    assertThat(addresses()).isEqualTo(before);
    watch.cancel();
  }

  /** Each interface of the namespace with its addresses (no state, no flags). */
  private String addresses() throws Exception {
    StringBuilder b = new StringBuilder();
    for (String line : Commands.run("ip", "-n", ns, "-br", "addr", "show").split("\n")) {
      String[] f = line.trim().split("\\s+");
      b.append(f[0]);
      for (int i = 2; i < f.length; i++) {
        b.append(' ').append(f[i]);
      }
      b.append('\n');
    }
    return b.toString();
  }

  @Test
  void reportsLinksThenLinkAndAddressChangesUntilCancelled() throws Exception {
    Cancellable watch = java.util.Objects.requireNonNull(backend).watch(listener);
    assertThat(List.of(next(), next())).containsExactlyInAnyOrder("link lo up", "link v0 up");

    Commands.run("ip", "-n", peer, "link", "set", "p0", "down");
    assertThat(nextMatching("link v0")).as("carrier lost").isEqualTo("link v0 down");
    Commands.run("ip", "-n", peer, "link", "set", "p0", "up");
    assertThat(nextMatching("link v0")).isEqualTo("link v0 up");

    events.clear();
    Commands.run("ip", "-n", ns, "addr", "add", "192.0.2.50/24", "dev", "v0");
    assertThat(nextMatching("addresses")).isEqualTo("addresses v0");
    events.clear();
    Commands.run("ip", "-n", ns, "addr", "del", "192.0.2.50/24", "dev", "v0");
    assertThat(nextMatching("addresses")).isEqualTo("addresses v0");
    events.clear();
    Commands.run("ip", "-n", ns, "addr", "add", "2001:db8::50/64", "dev", "v0", "nodad");
    assertThat(nextMatching("addresses")).isEqualTo("addresses v0");

    events.clear();
    Commands.run("ip", "-n", ns, "link", "set", "v0", "down");
    assertThat(nextMatching("link v0")).isEqualTo("link v0 down");

    watch.cancel();
    events.clear();
    Commands.run("ip", "-n", ns, "link", "set", "v0", "up");
    Commands.run("ip", "-n", ns, "addr", "add", "192.0.2.51/24", "dev", "v0");
    assertThat(events.poll(500, TimeUnit.MILLISECONDS)).as("after cancel").isNull();
  }

  @Test
  void aRemovedLinkIsReportedDown() throws Exception {
    java.util.Objects.requireNonNull(backend).watch(listener);
    Commands.run("ip", "-n", ns, "link", "del", "v0");
    assertThat(nextMatching("link v0")).isEqualTo("link v0 up");
    assertThat(nextMatching("link v0")).isEqualTo("link v0 down");
  }

  private String next() throws InterruptedException {
    String e = events.poll(5, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("no event within 5 s");
    }
    return e;
  }

  private String nextMatching(String prefix) throws InterruptedException {
    while (true) {
      String e = next();
      if (e.startsWith(prefix)) {
        return e;
      }
    }
  }
}
