package io.vipha.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import io.vipha.testkit.AllocationMeter;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch socket reports what {@code ip} does in the namespace, and a held VIP's steady state
 * allocates nothing. Needs root.
 */
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

  private final AddressBackend.Listener listener = new Heard(events);

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

  /** Steps per window of the allocation guard: each renews two VIPs, lists, announces both. */
  private static final int WINDOW = 200;
  /** Windows in a row that must allocate nothing ({@code -Dvipha.alloc.check}: steps). */
  private static final int CLEAN =
      Math.max(1, Integer.getInteger("vipha.alloc.check", 4_000) / WINDOW);

  /**
   * The guard of a held VIP's steady state on a real host: once warmed up, lease renewals (each a
   * real RTM_NEWADDR, whose new lifetimes the kernel reports to the watch), listings and
   * announcements allocate nothing on the calling thread (the agent's loop), and reading the
   * resulting address events nothing on the watch thread; N windows in a row, as the
   * in-process guard (benchmarks' {@code SteadyStateAllocationTest}) counts them.
   */
  @Test
  void renewalsListingsAndAnnouncementsAllocateNothingOnEitherThread() throws Exception {
    AllocationMeter meter = AllocationMeter.orSkip();
    NetlinkBackend b = java.util.Objects.requireNonNull(backend);
    Cancellable watch = b.watch(listener);
    Thread watcher = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("vipha-netlink-watch-" + ns)).findFirst().orElseThrow();
    VirtualIp v4 = VirtualIp.builder().address("192.0.2.50/24").interfaceName("v0")
        .label("v0:vip").build();
    VirtualIp v6 = VirtualIp.of("2001:db8::50/64", "v0");
    Lease lease = Lease.of(Duration.ofSeconds(5));
    Set<String> interfaces = Set.of("v0");
    b.assign(v4, lease);
    b.assign(v6, lease);
    Set<HostAddress> first = b.list(interfaces);
    assertThat(first).as("listed at once after the adds")
        .contains(HostAddress.of(v4), HostAddress.of(v6));

    long[] calling = new long[1];
    long[] watching = new long[1];
    Set<?>[] listed = new Set<?>[1];
    long[] readOverhead = {0}; // (what reading the counters allocates by itself)
    AllocationMeter.Window window = () -> {
      long callerBefore = meter.bytes();
      long watchBefore = meter.bytes(watcher);
      for (int i = 0; i < WINDOW; i++) {
        b.assign(v4, lease);
        b.assign(v6, lease);
        listed[0] = b.list(interfaces);
        b.announce(v4);
        b.announce(v6);
      }
      calling[0] = meter.bytes() - callerBefore - readOverhead[0];
      Thread.sleep(20); // (the watch thread reads what the last renewals made it hear; on
      // JDK 25 a sleep allocates on the sleeping thread, so it lies outside the caller's count)
      watching[0] = meter.bytes(watcher) - watchBefore;
      return calling[0] + watching[0];
    };
    for (int i = 0; i < 20; i++) {
      window.run(); // warm-up
    }
    // The counters' own reads in a window, measured the same way (reflection and its boxes
    // allocate): their usual cost, the median of 101, not the least, which an outlier can set.
    long[] reads = new long[101];
    for (int i = 0; i < reads.length; i++) {
      long before = meter.bytes();
      meter.bytes(watcher);
      reads[i] = meter.bytes() - before;
    }
    Arrays.sort(reads);
    readOverhead[0] = reads[reads.length / 2];
    events.clear();
    long[] callingWindows = new long[10 * CLEAN];
    long[] watchingWindows = new long[10 * CLEAN];
    int[] n = {0};
    long[] windows = AllocationMeter.untilClean(() -> {
      long bytes = window.run();
      callingWindows[n[0]] = calling[0];
      watchingWindows[n[0]] = watching[0];
      n[0]++;
      return bytes;
    }, CLEAN, 10 * CLEAN);
    assertThat(AllocationMeter.clean(windows, CLEAN)).as("%d windows of %d steps in a row"
        + " allocate nothing; bytes per window on the calling thread %s, on the watch thread"
        + " %s", CLEAN, WINDOW, Arrays.toString(Arrays.copyOf(callingWindows, n[0])),
        Arrays.toString(Arrays.copyOf(watchingWindows, n[0]))).isTrue();

    // What the steady state still does: the renewals changed no address (nothing reported),
    // the listing is the same set, and a real change is reported and listed.
    assertThat(events).as("renewals change no address")
        .noneMatch(e -> e.startsWith("addresses"));
    assertThat(listed[0]).isSameAs(b.list(interfaces)).isEqualTo(first);
    Commands.run("ip", "-n", ns, "addr", "del", "192.0.2.50/24", "dev", "v0");
    assertThat(nextMatching("addresses")).isEqualTo("addresses v0");
    assertThat(b.list(interfaces)).doesNotContain(HostAddress.of(v4))
        .contains(HostAddress.of(v6));
    watch.cancel();
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
