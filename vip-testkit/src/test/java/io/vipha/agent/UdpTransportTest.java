package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.spi.DatagramTransport;
import io.vipha.spi.Scheduler;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The UDP transport on loopback: what it sends and hands over, its errors, its close. */
class UdpTransportTest {
  private static final InetAddress LO = InetAddress.getLoopbackAddress();

  private record Received(InetSocketAddress from, byte[] data, String thread) {}

  /** Opens a unicast transport on a free loopback port; received datagrams go to {@code into}. */
  private static UdpTransport open(EventLoopScheduler loop, BlockingQueue<Received> into)
      throws IOException {
    UdpTransport t = new UdpTransport(new InetSocketAddress(LO, 0));
    t.open(loop, receiver(into));
    return t;
  }

  private static DatagramTransport.Receiver receiver(BlockingQueue<Received> into) {
    return (from, data, off, len) -> into.add(new Received(from,
        java.util.Arrays.copyOfRange(data, off, off + len), Thread.currentThread().getName()));
  }

  private static Received next(BlockingQueue<Received> q) throws InterruptedException {
    return java.util.Objects.requireNonNull(q.poll(10, TimeUnit.SECONDS), "nothing received");
  }

  private static int freePort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, LO)) {
      return s.getLocalPort();
    }
  }

  @Test
  void datagramsArriveWholeOnTheLoopWithTheSendersAddress() throws Exception {
    int port = freePort();
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("udp-loop")) {
      UdpTransport rx = new UdpTransport(new InetSocketAddress(LO, port));
      rx.open(loop, receiver(got));
      int fromPort = freePort();
      UdpTransport tx = new UdpTransport(new InetSocketAddress(LO, fromPort));
      tx.open(loop, receiver(new LinkedBlockingQueue<>()));
      try {
        InetSocketAddress to = new InetSocketAddress(LO, port);
        tx.send(to, new byte[] {9, 9, 1, 2, 3, 4, 5, 9}, 2, 5);
        tx.send(to, new byte[] {7, 8}, 0, 2); // shorter than the one before
        Received first = next(got);
        Received second = next(got);
        assertThat(first.data()).containsExactly(1, 2, 3, 4, 5);
        assertThat(second.data()).containsExactly(7, 8);
        assertThat(first.from()).isEqualTo(new InetSocketAddress(LO, fromPort));
        assertThat(first.thread()).isEqualTo("udp-loop");
        assertThat(tx.sendErrors()).isZero();
      } finally {
        tx.close();
        rx.close();
      }
    }
  }

  @Test
  void eachPeerSentToIsReceivedApartAndStrangersStillArrive() throws Exception {
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("udp-peers")) {
      UdpTransport rx = open(loop, got);
      InetSocketAddress at = new InetSocketAddress(LO, localPort(rx));
      try (DatagramSocket p1 = new DatagramSocket(0, LO);
          DatagramSocket p2 = new DatagramSocket(0, LO);
          DatagramSocket stranger = new DatagramSocket(0, LO)) {
        InetSocketAddress a1 = new InetSocketAddress(LO, p1.getLocalPort());
        InetSocketAddress a2 = new InetSocketAddress(LO, p2.getLocalPort());
        rx.send(a1, new byte[] {1}, 0, 1); // from now on a1 and a2 have channels of their own
        rx.send(a2, new byte[] {2}, 0, 1);
        p1.receive(new DatagramPacket(new byte[8], 8));
        p2.receive(new DatagramPacket(new byte[8], 8));
        for (int i = 0; i < 10; i++) {
          p1.send(new DatagramPacket(new byte[] {1, (byte) i}, 2, at));
          p2.send(new DatagramPacket(new byte[] {2, (byte) i}, 2, at));
          stranger.send(new DatagramPacket(new byte[] {3, (byte) i}, 2, at));
        }
        InetSocketAddress a3 = new InetSocketAddress(LO, stranger.getLocalPort());
        int[] next = new int[4];
        for (int i = 0; i < 30; i++) {
          Received r = next(got);
          int who = r.data()[0];
          assertThat(r.from()).isEqualTo(who == 1 ? a1 : who == 2 ? a2 : a3);
          assertThat(r.data()[1]).as("datagrams of %s in order", r.from()).isEqualTo(
              (byte) next[who]++);
          assertThat(r.thread()).isEqualTo("udp-peers");
        }
      } finally {
        rx.close();
      }
    }
  }

  @Test
  void aPeerNotListeningYetIsHeardOnceItIs() throws Exception {
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("udp-late-peer")) {
      UdpTransport rx = open(loop, got);
      InetSocketAddress at = new InetSocketAddress(LO, localPort(rx));
      InetSocketAddress peer = new InetSocketAddress(LO, freePort());
      for (int i = 0; i < 5; i++) {
        rx.send(peer, new byte[] {1}, 0, 1); // nobody there: ICMP errors on its channel
        Thread.sleep(20);
      }
      try (DatagramSocket p = new DatagramSocket(peer)) {
        p.send(new DatagramPacket(new byte[] {5}, 1, at));
        Received r = next(got);
        assertThat(r.from()).isEqualTo(peer);
        assertThat(r.data()).containsExactly(5);
      } finally {
        rx.close();
      }
    }
  }

  @Test
  void whileTheLoopIsBusyTheRingHoldsSixtyFourDatagramsAndDropsTheRest() throws Exception {
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("udp-busy")) {
      UdpTransport rx = open(loop, got);
      InetSocketAddress at = new InetSocketAddress(LO, localPort(rx));
      CountDownLatch busy = new CountDownLatch(1);
      loop.execute(() -> {
        try {
          busy.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      try (DatagramSocket tx = new DatagramSocket(0, LO)) {
        for (int i = 0; i < 100; i++) {
          tx.send(new DatagramPacket(new byte[] {(byte) i}, 1, at));
        }
        Thread.sleep(1_500); // the receiver thread reads them all meanwhile
        busy.countDown();
        for (int i = 0; i < 64; i++) {
          assertThat(next(got).data()).containsExactly((byte) i);
        }
        assertThat(got.poll(500, TimeUnit.MILLISECONDS)).isNull();
        tx.send(new DatagramPacket(new byte[] {7}, 1, at)); // and it goes on
        assertThat(next(got).data()).containsExactly(7);
      } finally {
        rx.close();
      }
    }
  }

  private static int localPort(UdpTransport t) throws Exception {
    java.lang.reflect.Field f = UdpTransport.class.getDeclaredField("local");
    f.setAccessible(true);
    return ((InetSocketAddress) f.get(t)).getPort();
  }

  @Test
  void sendingBeforeOpenDoesNothingAndAfterCloseCountsAnError() throws Exception {
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("udp")) {
      UdpTransport t = new UdpTransport(new InetSocketAddress(LO, 0));
      t.send(new InetSocketAddress(LO, 9), new byte[] {1}, 0, 1);
      assertThat(t.sendErrors()).isZero();
      t.close(); // closing a transport never opened is harmless
      UdpTransport u = open(loop, got);
      Thread reader = readerOf(u);
      u.close();
      reader.join(10_000);
      assertThat(reader.isAlive()).isFalse(); // the receiver thread ends with the socket
      assertThat(reader.isDaemon()).isTrue();
      for (int i = 0; i < 3; i++) {
        u.send(new InetSocketAddress(LO, 9), new byte[] {1}, 0, 1);
      }
      assertThat(u.sendErrors()).isEqualTo(3);
    }
  }

  private static Thread readerOf(UdpTransport t) throws Exception {
    java.lang.reflect.Field f = UdpTransport.class.getDeclaredField("reader");
    f.setAccessible(true);
    return (Thread) f.get(t);
  }

  @Test
  void aDatagramToTheOtherIpFamilyIsCountedNotThrown() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("udp")) {
      UdpTransport t = open(loop, new LinkedBlockingQueue<>());
      try {
        // A socket bound to IPv4 cannot send to an IPv6 peer address (a peer may list both).
        t.send(new InetSocketAddress("2001:db8::1", 9), new byte[] {1}, 0, 1);
        assertThat(t.sendErrors()).isEqualTo(1);
        t.send(new InetSocketAddress(LO, freePort()), new byte[] {1}, 0, 1);
        assertThat(t.sendErrors()).isEqualTo(1);
      } finally {
        t.close();
      }
    }
  }

  @Test
  void anAddressThatIsNotLocalOrAPortInUseFailsOpenWithTheLikelyCause() throws Exception {
    Scheduler loop = new io.vipha.testing.VirtualScheduler();
    UdpTransport foreign = new UdpTransport(new InetSocketAddress("192.0.2.77", 7405));
    assertThatThrownBy(() -> foreign.open(loop, (f, d, o, l) -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot bind the heartbeat socket to 192.0.2.77:7405: ")
        .hasMessageEndingWith("(is the address configured on this host and the port free?)");
    try (DatagramSocket taken = new DatagramSocket(0, LO)) {
      UdpTransport busy = new UdpTransport(new InetSocketAddress(LO, taken.getLocalPort()));
      assertThatThrownBy(() -> busy.open(loop, (f, d, o, l) -> { }))
          .isInstanceOf(IOException.class).hasMessageContaining("cannot bind");
    }
  }

  @Test
  void anIpv6TransportSendsAndReceivesOnIpv6Loopback() throws Exception {
    InetAddress lo6 = InetAddress.getByName("::1");
    int port;
    try (DatagramSocket s = new DatagramSocket(0, lo6)) {
      port = s.getLocalPort();
    }
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("udp6")) {
      UdpTransport rx = new UdpTransport(new InetSocketAddress(lo6, port));
      rx.open(loop, receiver(got));
      try (DatagramSocket tx = new DatagramSocket(0, lo6)) {
        tx.send(new DatagramPacket(new byte[] {4, 2}, 2, new InetSocketAddress(lo6, port)));
        Received r = next(got);
        assertThat(r.data()).containsExactly(4, 2);
      } finally {
        rx.close();
      }
    }
  }

  /**
   * A peer sent to has a channel of its own also on IPv6: its datagrams are handed over with the
   * very address sent to, read without decoding (and allocating) a sender address.
   */
  @Test
  void anIpv6TransportReadsAPeerSentToOnThatPeersOwnChannel() throws Exception {
    InetAddress lo6 = InetAddress.getByName("::1");
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("udp6-peer");
        DatagramSocket peer = new DatagramSocket(0, lo6)) {
      UdpTransport t = new UdpTransport(new InetSocketAddress(lo6, 0));
      t.open(loop, receiver(got));
      try {
        InetSocketAddress there = new InetSocketAddress(lo6, peer.getLocalPort());
        t.send(there, new byte[] {1}, 0, 1);
        peer.receive(new DatagramPacket(new byte[8], 8));
        peer.send(new DatagramPacket(new byte[] {2}, 1, new InetSocketAddress(lo6,
            localPort(t))));
        Received r = next(got);
        assertThat(r.data()).containsExactly(2);
        assertThat(r.from()).isSameAs(there);
      } finally {
        t.close();
      }
    }
  }

  @Test
  void aMulticastTransportBindsTheGroupsPortOnEveryAddressAndReceivesUnicastThere()
      throws Exception {
    int port = freePort();
    InetSocketAddress group = new InetSocketAddress("239.255.86.1", port);
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("mc")) {
      UdpTransport a = UdpTransport.multicast(group, "lo");
      UdpTransport b = UdpTransport.multicast(group, "lo");
      try {
        a.open(loop, receiver(got));
        b.open(loop, receiver(got)); // the port is shared (SO_REUSEADDR): one of them gets it
        try (DatagramSocket tx = new DatagramSocket(0, LO)) {
          tx.send(new DatagramPacket(new byte[] {3}, 1, new InetSocketAddress(LO, port)));
        }
        Received r = next(got);
        assertThat(r.data()).containsExactly(3);
      } catch (IOException e) {
        // A host whose loopback cannot join groups: the failure names the group and interface.
        assertThat(e).hasMessageStartingWith("cannot join multicast group 239.255.86.1 on lo: ");
      } finally {
        a.close();
        b.close();
      }
    }
  }

  @Test
  void aUnicastTransportDoesNotShareItsPort() throws Exception {
    int port = freePort();
    try (EventLoopScheduler loop = new EventLoopScheduler("uc")) {
      UdpTransport a = new UdpTransport(new InetSocketAddress("0.0.0.0", port));
      a.open(loop, (f, d, o, l) -> { });
      try {
        UdpTransport b = new UdpTransport(new InetSocketAddress("0.0.0.0", port));
        assertThatThrownBy(() -> b.open(loop, (f, d, o, l) -> { }))
            .isInstanceOf(IOException.class);
      } finally {
        a.close();
      }
    }
  }

  @Test
  void anUnknownInterfaceIsNamedWithTheOnesThatExist() throws Exception {
    String known = NetworkInterface.networkInterfaces().map(NetworkInterface::getName).sorted()
        .collect(Collectors.joining(", "));
    assertThat(UdpTransport.interfaceNamed("lo").getName()).isEqualTo("lo");
    assertThatThrownBy(() -> UdpTransport.interfaceNamed("nosuchif0"))
        .isInstanceOf(IOException.class)
        .hasMessage("no network interface named \"nosuchif0\" to join the multicast group on;"
            + " this host has: " + known);
    UdpTransport t = UdpTransport.multicast(new InetSocketAddress("ff02::86", 7405), "nosuchif0");
    assertThatThrownBy(() -> t.open(new io.vipha.testing.VirtualScheduler(), (f, d, o, l) -> { }))
        .isInstanceOf(IOException.class).hasMessageContaining("nosuchif0");
  }

  @Test
  void aMulticastTransportWantsAGroupAddressAndAnInterfaceName() {
    assertThatThrownBy(() -> UdpTransport.multicast(new InetSocketAddress("192.0.2.1", 7405),
        "eth0")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("/192.0.2.1:7405 is not a multicast group address");
    assertThatThrownBy(() -> UdpTransport.multicast(
        InetSocketAddress.createUnresolved("239.255.86.1", 7405), "eth0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UdpTransport.multicast(new InetSocketAddress("239.255.86.1", 7405),
        "  ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs the name of the network interface");
  }
  private static long openFiles() throws IOException {
    try (java.util.stream.Stream<java.nio.file.Path> fds =
        java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void aFailedOpenLeavesNoSocketBehind() throws Exception {
    Scheduler loop = new io.vipha.testing.VirtualScheduler();
    long before = openFiles();
    for (int i = 0; i < 20; i++) {
      UdpTransport foreign = new UdpTransport(new InetSocketAddress("192.0.2.77", 7405));
      assertThatThrownBy(() -> foreign.open(loop, (f, d, o, l) -> { }))
          .isInstanceOf(IOException.class);
    }
    assertThat(openFiles()).isLessThan(before + 10);
  }

  @Test
  void aMulticastTransportReceivesWhatIsSentToItsGroup() throws Exception {
    int port = freePort();
    InetSocketAddress group = new InetSocketAddress("239.255.86.2", port);
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("mc-rx")) {
      UdpTransport rx = UdpTransport.multicast(group, "lo");
      UdpTransport tx = UdpTransport.multicast(group, "lo");
      try {
        rx.open(loop, receiver(got));
        tx.open(loop, receiver(got));
        tx.send(group, new byte[] {6, 1}, 0, 2);
        assertThat(next(got).data()).containsExactly(6, 1);
      } finally {
        tx.close();
        rx.close();
      }
    }
  }

  @Test
  void anIpv6MulticastTransportBindsTheIpv6Wildcard() throws Exception {
    int port = freePort();
    InetSocketAddress group = new InetSocketAddress("ff02::86", port);
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("mc6")) {
      UdpTransport rx = UdpTransport.multicast(group, "lo");
      try {
        rx.open(loop, receiver(got));
        try (DatagramSocket tx = new DatagramSocket(0, InetAddress.getByName("::1"))) {
          tx.send(new DatagramPacket(new byte[] {8}, 1,
              new InetSocketAddress(InetAddress.getByName("::1"), port)));
        }
        assertThat(next(got).data()).containsExactly(8);
      } finally {
        rx.close();
      }
    }
  }

  /**
   * After close nothing of the transport stays open: the port is free even for a socket without
   * {@code SO_REUSEADDR} (which the channels connected to peers set), and the selector is gone
   * (counted as the process's epoll descriptors).
   */
  @Test
  void closeLeavesTheAddressFreeAndNoSelectorOpen() throws Exception {
    long selectorsBefore = epollDescriptors();
    int port = freePort();
    InetSocketAddress here = new InetSocketAddress(LO, port);
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("udp-close");
        DatagramSocket peer = new DatagramSocket(0, LO)) {
      UdpTransport t = new UdpTransport(here);
      t.open(loop, receiver(got));
      InetSocketAddress there = new InetSocketAddress(LO, peer.getLocalPort());
      t.send(there, new byte[] {1}, 0, 1); // opens the channel connected to the peer
      peer.receive(new DatagramPacket(new byte[8], 8));
      peer.send(new DatagramPacket(new byte[] {2}, 1, here)); // read on that channel
      assertThat(next(got).from()).isEqualTo(there);
      t.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      boolean free = isFree(here);
      while (!free && System.nanoTime() < deadline) {
        Thread.sleep(10); // the receiver thread closes its channels as it ends
        free = isFree(here);
      }
      assertThat(free).as("the address is free after close").isTrue();
      while (epollDescriptors() > selectorsBefore && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(epollDescriptors()).as("the selector is closed").isEqualTo(selectorsBefore);
    }
  }

  /** Whether a socket without {@code SO_REUSEADDR} can bind {@code at}: nothing else holds it. */
  private static boolean isFree(InetSocketAddress at) throws IOException {
    try (DatagramSocket again = new DatagramSocket(null)) {
      again.setReuseAddress(false);
      again.bind(at);
      return true;
    } catch (java.net.BindException e) {
      return false;
    }
  }

  @Test
  void aSendAfterCloseLeavesNoChannelToThePeerOpen() throws Exception {
    int port = freePort();
    InetSocketAddress here = new InetSocketAddress(LO, port);
    try (EventLoopScheduler loop = new EventLoopScheduler("udp-late-send")) {
      UdpTransport t = new UdpTransport(here);
      t.open(loop, receiver(new LinkedBlockingQueue<>()));
      Thread reader = readerOf(t);
      t.close();
      reader.join(10_000);
      assertThat(reader.isAlive()).isFalse();
      assertThat(isFree(here)).as("the address is free after close").isTrue();
      // A first send to a peer after the receiver ended opens a channel connected to it, which
      // nothing would read: it is closed at once.
      t.send(new InetSocketAddress(LO, freePort()), new byte[] {1}, 0, 1);
      assertThat(isFree(here)).as("the address is free after a send to a new peer").isTrue();
      assertThat(t.sendErrors()).isEqualTo(1);
    }
  }

  @Test
  void aSelectorThatCannotBeOpenedFailsOpenAndLeavesThePortFree() throws Exception {
    InetSocketAddress here = new InetSocketAddress(LO, freePort());
    IOException noSelector = new IOException("Too many open files");
    UdpTransport t = new UdpTransport(here, new UdpTransport.Selecting() {
      @Override
      public Selector open() throws IOException {
        throw noSelector;
      }
    });
    assertThatThrownBy(() -> t.open(new io.vipha.testing.VirtualScheduler(), (f, d, o, l) -> { }))
        .isSameAs(noSelector);
    assertThat(isFree(here)).as("the address is free after the failed open").isTrue();
  }

  /** How the receiver thread ends in {@link #receiverThatEnds}, once it is held in select. */
  private interface Ending {
    /**
     * Run on the test thread while the receiver is held; returns what the receiver does once
     * let go.
     */
    Release start(UdpTransport t, EventLoopScheduler loop, DatagramSocket stranger,
        InetSocketAddress at) throws Exception;
  }

  /** What the held receiver thread does when let go, in place of its next select. */
  private interface Release {
    void run(Selector sel, java.util.function.Consumer<SelectionKey> ready) throws IOException;
  }

  /** The receiver thread's select, which holds the thread instead once {@code hold} is set. */
  private static final class HeldSelect implements UdpTransport.Selecting {
    volatile boolean hold;
    volatile @org.jspecify.annotations.Nullable Selector selector;
    volatile Release release = (sel, ready) -> { };
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch letGo = new CountDownLatch(1);

    @Override
    public void select(Selector sel, java.util.function.Consumer<SelectionKey> ready)
        throws IOException {
      if (!hold) {
        selector = sel;
        sel.select(ready);
        return;
      }
      hold = false;
      held.countDown();
      try {
        letGo.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // a close: its channel is closed
        return;
      }
      release.run(sel, ready);
    }
  }

  /**
   * However the receiver thread ends, it closes every socket of the transport (the main one, a
   * peer's channel it reads, and a peer's channel connected while it was ending, not yet taken
   * up) and its selector; whatever ended it other than a close is not swallowed. Returns what
   * ended the thread, if it was thrown out of it.
   */
  private static @org.jspecify.annotations.Nullable Throwable receiverThatEnds(Ending ending)
      throws Exception {
    long selectorsBefore = epollDescriptors();
    InetSocketAddress here = new InetSocketAddress(LO, freePort());
    BlockingQueue<Received> got = new LinkedBlockingQueue<>();
    HeldSelect select = new HeldSelect();
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("udp-end");
        DatagramSocket peer = new DatagramSocket(0, LO);
        DatagramSocket stranger = new DatagramSocket(0, LO)) {
      UdpTransport t = new UdpTransport(here, select);
      t.open(loop, receiver(got));
      Thread reader = readerOf(t);
      reader.setUncaughtExceptionHandler((th, e) -> thrown.set(e));
      try {
        InetSocketAddress there = new InetSocketAddress(LO, peer.getLocalPort());
        t.send(there, new byte[] {1}, 0, 1);
        peer.receive(new DatagramPacket(new byte[8], 8));
        peer.send(new DatagramPacket(new byte[] {2}, 1, here));
        assertThat(next(got).from()).as("read on the peer's own channel").isSameAs(there);
        select.hold = true;
        java.util.Objects.requireNonNull(select.selector).wakeup();
        assertThat(select.held.await(10, TimeUnit.SECONDS)).isTrue();
        t.send(new InetSocketAddress(LO, freePort()), new byte[] {4}, 0, 1); // not taken up
        select.release = ending.start(t, loop, stranger, here);
        select.letGo.countDown();
        reader.join(10_000);
        assertThat(reader.isAlive()).as("the receiver thread ended").isFalse();
        assertThat(isFree(here)).as("no socket left on the address").isTrue();
        // (At most: a selector of an earlier test may close meanwhile.)
        assertThat(epollDescriptors()).as("the selector is closed")
            .isLessThanOrEqualTo(selectorsBefore);
      } finally {
        t.close();
      }
    }
    return thrown.get();
  }

  @Test
  void aCloseWhileAPeersChannelIsBeingConnectedLeavesNothingOpen() throws Exception {
    Throwable thrown = receiverThatEnds((t, loop, stranger, at) -> {
      t.close();
      return (sel, ready) -> { };
    });
    assertThat(thrown).isNull();
  }

  @Test
  void aFailedSelectEndsTheReceiverAndLeavesNothingOpen() throws Exception {
    Throwable thrown = receiverThatEnds((t, loop, stranger, at) -> (sel, ready) -> {
      throw new IOException("Bad file descriptor");
    });
    assertThat(thrown).isNull(); // logged
  }

  @Test
  void aClosedEventLoopEndsTheReceiverAndLeavesNothingOpen() throws Exception {
    Throwable thrown = receiverThatEnds((t, loop, stranger, at) -> {
      loop.close();
      stranger.send(new DatagramPacket(new byte[] {5}, 1, at)); // handing it over is refused
      return Selector::select;
    });
    assertThat(thrown).isNull();
  }

  @Test
  void anyOtherFailureEndsTheReceiverThrowingAndLeavesNothingOpen() throws Exception {
    IllegalStateException failure = new IllegalStateException("a failure of the JDK");
    Throwable thrown = receiverThatEnds((t, loop, stranger, at) -> (sel, ready) -> {
      throw failure;
    });
    assertThat(thrown).isSameAs(failure);
  }

  /** The process's open epoll descriptors (a selector each on Linux); 0 without /proc. */
  private static long epollDescriptors() throws IOException {
    java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
    if (!java.nio.file.Files.isDirectory(fds)) {
      return 0;
    }
    long n = 0;
    try (java.nio.file.DirectoryStream<java.nio.file.Path> d =
        java.nio.file.Files.newDirectoryStream(fds)) {
      for (java.nio.file.Path f : d) {
        try {
          if (java.nio.file.Files.readSymbolicLink(f).toString().contains("eventpoll")) {
            n++;
          }
        } catch (IOException e) {
          // closed meanwhile (the stream's own descriptor, say)
        }
      }
    }
    return n;
  }
}
