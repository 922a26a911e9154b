package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.netlink.Netns;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.Cancellable;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the kernel drops events because the watch socket's buffer overflowed (ENOBUFS), the
 * watcher re-reads the links and reports an address change on every interface, so the agent
 * reconciles rather than missing a change. Needs root.
 */
class WatcherOverflowTest {
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
}
