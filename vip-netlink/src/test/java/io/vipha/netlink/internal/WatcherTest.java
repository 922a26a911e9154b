package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.netlink.Heard;
import io.vipha.netlink.Netns;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the kernel drops events because the watch socket's buffer overflowed (ENOBUFS), the
 * watcher re-reads the links and reports an address change on every interface, so the agent
 * reconciles rather than missing a change. And the links a watcher keeps are never older than
 * the kernel's: {@link Watcher#link} first reads the changes queued on its socket, tested with no
 * watch thread to read them before (the worst case: the thread has not run yet). Needs root.
 */
class WatcherTest {
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
  void anOverflowIsReportedAsAnAddressChangeOnEveryInterface() throws Exception {
    LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    CountDownLatch burstDone = new CountDownLatch(1);
    AddressBackend.Listener listener = new AddressBackend.Listener() {
      @Override
      public void addressesChanged(String interfaceName) {
        events.add("addresses " + interfaceName);
        try {
          // Hold the watch thread until the burst is over, so that the socket overflows.
          burstDone.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void linkChanged(String interfaceName, boolean up) {
        events.add("link " + interfaceName + (up ? " up" : " down"));
      }
    };
    try (Rtnl rtnl = Namespaces.open(ns, () -> Rtnl.open(""))) {
      Cancellable watch = Watcher.start(Namespaces.open(ns, () -> Watcher.subscribe(4096)),
          rtnl, listener, "-test", Thread::new);
      try {
        StringBuilder batch = new StringBuilder();
        for (int i = 1; i <= 200; i++) {
          batch.append("addr add 198.51.100.").append(i).append("/32 dev v0\n");
        }
        java.nio.file.Path file = java.nio.file.Files.createTempFile("vipha-burst", ".ip");
        try {
          java.nio.file.Files.writeString(file, batch);
          Commands.run("ip", "-n", ns, "-batch", file.toString());
        } finally {
          java.nio.file.Files.delete(file);
        }
        burstDone.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean resynced = false;
        while (!resynced && System.nanoTime() < deadline) {
          String e = events.poll(100, TimeUnit.MILLISECONDS);
          // Nothing changed on lo: an address report for it comes only from a resync.
          resynced = "addresses lo".equals(e);
        }
        assertThat(resynced).as("a resync reported lo; events: %s", events).isTrue();
      } finally {
        watch.cancel();
      }
    }
  }

  @Test
  void aLinkIsAsTheKernelHasItOnceTheQueuedChangesAreRead() throws Exception {
    Heard listener = new Heard();
    List<String> heard = listener.events;
    try (Rtnl rtnl = Namespaces.open(ns, () -> Rtnl.open(""))) {
      Watcher w = Watcher.unstarted(Namespaces.open(ns, Watcher::subscribe), rtnl, listener,
          "-test", Thread::new);
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

  @Test
  void aLockedLinkKeepsTheThreadFromReadingUntilItIsUnlocked() throws Exception {
    LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
    try (Rtnl rtnl = Namespaces.open(ns, () -> Rtnl.open(""))) {
      Watcher w = Watcher.start(Namespaces.open(ns, Watcher::subscribe), rtnl, new Heard(heard),
          "-test", Thread::new);
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        heard.clear();
        Commands.run("ip", "-n", ns, "link", "set", "v0", "address", "02:00:00:00:0c:03");
        Link held = Objects.requireNonNull(w.lockLink("v0"));
        boolean locked = true;
        try {
          assertThat(mac(held)).as("as the kernel has it at the call").isEqualTo("020000000c03");
          Commands.run("ip", "-n", ns, "addr", "add", "192.0.2.1/24", "dev", "v0");
          Future<@Nullable Link> lookup = other.submit(() -> w.link("v0"));
          assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).as("read while held").isNull();
          assertThat(lookup.isDone()).as("another lookup waits").isFalse();
          w.unlockLink();
          locked = false;
          assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("addresses v0");
          assertThat(mac(lookup.get(5, TimeUnit.SECONDS))).isEqualTo("020000000c03");
        } finally {
          if (locked) {
            w.unlockLink();
          }
        }

        assertThat(w.lockLink("nope")).as("no such link: nothing held").isNull();
        Commands.run("ip", "-n", ns, "addr", "add", "192.0.2.2/24", "dev", "v0");
        assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("addresses v0");
      } finally {
        other.shutdownNow();
        w.cancel();
      }
      assertThat(w.lockLink("v0")).as("cancelled").isNull();
    }
  }

  @Test
  void theRehearsalRunsOnAShadowAndLeavesTheWatcherAndItsEventsAlone() throws Exception {
    Heard listener = new Heard();
    List<String> heard = listener.events;
    try (Rtnl rtnl = Namespaces.open(ns, () -> Rtnl.open(""))) {
      Watcher w = Watcher.unstarted(Namespaces.open(ns, Watcher::subscribe), rtnl, listener,
          "-test", Thread::new);
      try {
        Set<HostAddress> before = w.addresses(Set.of("v0", "lo"));
        heard.clear();
        Commands.run("ip", "-n", ns, "addr", "add", "198.51.100.6/24", "dev", "v0");
        assertThat(Watcher.rehearse(rtnl, 300, TimeUnit.SECONDS.toNanos(30)))
            .as("rounds in which the shadow reported the made-up add and removal").isEqualTo(300);
        assertThat(heard).as("the real report is still unread, the watcher's listener silent")
            .isEmpty();
        assertThat(Watcher.rehearse(rtnl, 300, 0)).as("no budget: no round").isZero();
        assertThat(w.addresses(Set.of("v0", "lo"))).isNotEqualTo(before)
            .anyMatch(a -> a.address().getHostAddress().equals("198.51.100.6"))
            .noneMatch(a -> a.address().getHostAddress().equals("192.0.2.1"));
        assertThat(heard).as("the real report heard by the real watcher").contains("addresses v0");
      } finally {
        w.cancel();
      }
    }
  }

  private static String mac(@Nullable Link l) {
    return HexFormat.of().formatHex(Objects.requireNonNull(l).mac());
  }
}
