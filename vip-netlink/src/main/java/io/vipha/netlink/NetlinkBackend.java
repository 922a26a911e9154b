package io.vipha.netlink;

import com.sun.jna.Native;
import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.internal.AcquireTrace;
import io.vipha.internal.Rehearsals;
import io.vipha.netlink.internal.Address;
import io.vipha.netlink.internal.Errno;
import io.vipha.netlink.internal.Link;
import io.vipha.netlink.internal.Namespaces;
import io.vipha.netlink.internal.PacketSocket;
import io.vipha.netlink.internal.Rtnl;
import io.vipha.netlink.internal.Watcher;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.BackendException.Kind;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The Linux {@link AddressBackend}: rtnetlink for addresses and links, AF_PACKET for
 * announcements, through JNA, with no subprocess.
 *
 * <pre>{@code
 * try (NetlinkBackend backend = NetlinkBackend.builder().build()) {
 *   VipAgent agent = VipAgent.builder().backend(backend)...build();
 * }
 * }</pre>
 *
 * <p>Changing addresses needs CAP_NET_ADMIN, announcing them CAP_NET_RAW, and opening sockets in
 * another network namespace CAP_SYS_ADMIN; a missing one fails with {@link Kind#PERMISSION} and a
 * message that says how to grant it. Addresses are added with the lease as their kernel valid
 * lifetime, so the kernel removes a VIP whose agent stopped renewing it. IPv6 VIPs are added
 * without duplicate address detection ({@code nodad}), and with {@link
 * Builder#preferredLifetimeZero} never chosen as a source address.
 *
 * <p>All methods are thread-safe. {@link #close()} releases the sockets and never removes
 * addresses.
 */
public final class NetlinkBackend implements AddressBackend {
  /** See {@link #leaseOverrun()}. */
  private static final Duration OVERRUN = Duration.ofMillis(1250);

  private final @Nullable String namespace;
  private final String where;
  private final boolean preferredZero;
  private final ThreadFactory watchThreads;
  private final Rtnl rtnl;
  /** The running watches (replaced, never changed: read without an iterator). */
  private volatile Watcher[] watchers = new Watcher[0];
  private @Nullable PacketSocket packets;
  private volatile boolean closed;
  private volatile @Nullable Thread rehearsal;

  /** Rounds of the watch's start-up rehearsal, and the most wall time they take. */
  static final int REHEARSALS = 1_000;
  private static final long REHEARSAL_BUDGET_NANOS = 50_000_000L;
  /** An address of each family for {@link #rehearseWarmTake}, only ever refused. */
  private static final List<VirtualIp> WARM_REHEARSAL = List.of(
      VirtualIp.builder().address("192.0.2.1/24").interfaceName("lo").build(),
      VirtualIp.builder().address("2001:db8::1/64").interfaceName("lo").build());

  private NetlinkBackend(Builder b, Rtnl rtnl, String where) {
    this.namespace = b.namespace;
    this.preferredZero = b.preferredLifetimeZero;
    this.watchThreads = b.watchThreads;
    this.rtnl = rtnl;
    this.where = where;
  }

  /** A new builder: the current network namespace, IPv6 VIPs preferred as usual. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void assign(VirtualIp vip, Lease lease) throws BackendException {
    AcquireTrace.mark(AcquireTrace.ASSIGN);
    open();
    Link link = link(vip.interfaceName());
    rtnl.add(link, vip, lease, preferredZero);
    AcquireTrace.mark(AcquireTrace.ASSIGNED);
    if (vip.isIpv4()) {
      // The kernel queued its report of the address to every watch before the ACK, and a
      // listing reads what is queued first: no need to wait here for the watch thread, which is
      // reading that report right now.
      return;
    }
    Watcher[] running = watchers;
    for (int i = 0; i < running.length; i++) {
      running[i].added(link.index(), vip); // (listed at once, whenever the kernel reports it)
    }
  }

  /**
   * Adds an IPv4 {@code vip} and sends its gratuitous ARP with the link read once, holding the
   * watch's reading from before the add until the frames are out: the announcement waits neither
   * for the watch thread, which the add's report wakes, nor for a second lookup, and its hardware
   * address is never older than the interface's at the call. IPv6 VIPs, whose add waits for the
   * watch to hear of it, take the two calls.
   */
  @Override
  public @Nullable BackendException assignAndAnnounce(VirtualIp vip, Lease lease, long epoch)
      throws BackendException {
    if (!vip.isIpv4()) {
      return AddressBackend.super.assignAndAnnounce(vip, lease, epoch);
    }
    AcquireTrace.mark(AcquireTrace.ASSIGN);
    open();
    Watcher[] running = watchers;
    for (int i = 0; i < running.length; i++) {
      Link l = running[i].lockLink(vip.interfaceName());
      if (l != null) {
        try {
          return addAndAnnounce(l, vip, lease);
        } finally {
          running[i].unlockLink();
        }
      }
    }
    return addAndAnnounce(rtnl.link(vip.interfaceName()), vip, lease);
  }

  private @Nullable BackendException addAndAnnounce(Link link, VirtualIp vip, Lease lease)
      throws BackendException {
    rtnl.add(link, vip, lease, preferredZero);
    AcquireTrace.mark(AcquireTrace.ASSIGNED);
    AcquireTrace.mark(AcquireTrace.ANNOUNCE);
    try {
      announce(link, vip);
      return null;
    } catch (BackendException e) {
      return e;
    }
  }

  /**
   * {@inheritDoc} Under the watch's lock, as a take holds it: the link's lookup, the add's
   * request for interface index 0, which no interface has, so the kernel refuses it (see {@link
   * Rtnl#warmAdd}), and the first announcement frame handed to the kernel for index 0, refused
   * too. Without a running watch that knows the interface it does nothing.
   */
  @Override
  public void warmTake(VirtualIp vip) {
    if (closed) {
      return;
    }
    Watcher[] running = watchers;
    for (int i = 0; i < running.length; i++) {
      Link l = running[i].lockLink(vip.interfaceName());
      if (l != null) {
        try {
          rtnl.warmAdd(vip, preferredZero);
          byte[] mac = l.mac();
          if (mac.length == 6) {
            packets().warm(vip, mac);
          }
        } catch (BackendException e) {
          // no packet socket (CAP_NET_RAW): the take will report it
        } finally {
          running[i].unlockLink();
        }
        return;
      }
    }
  }

  /**
   * The link named {@code name}: as a running {@link #watch} last heard of it (once it has read
   * every change the kernel reported so far, so never older than the last change, such as a new
   * hardware address), else as the kernel tells now ({@code RTM_GETLINK}).
   */
  private Link link(String name) throws BackendException {
    Watcher[] running = watchers;
    for (int i = 0; i < running.length; i++) {
      Link l = running[i].link(name);
      if (l != null) {
        return l;
      }
    }
    return rtnl.link(name);
  }

  /**
   * 1250 ms: Linux removes an expired address late. IPv4's {@code check_lifetime}
   * (net/ipv4/devinet.c) removes what has expired when it runs, and runs again no sooner than
   * {@code ADDRCONF_TIMER_FUZZ_MAX} (one second) after its last run, rounding the next run up by
   * up to {@code ADDRCONF_TIMER_FUZZ} (a quarter second); IPv6's {@code addrconf_verify}
   * (net/ipv6/addrconf.c) is alike. So an address outlives its valid lifetime by up to a second
   * and the work queue's latency. Measured in a network namespace: an address added with a 1 s
   * valid lifetime was gone 1.02 to 1.04 s after the add, and 1.62 to 1.63 s after it when
   * another address on the host changed 0.6 s after the add.
   */
  @Override
  public Duration leaseOverrun() {
    return OVERRUN;
  }

  @Override
  public void release(VirtualIp vip) throws BackendException {
    open();
    Link link = rtnl.linkOrNull(vip.interfaceName());
    if (link != null) {
      rtnl.delete(link, vip);
    }
  }

  /**
   * Adds or renews every VIP in {@code vips}, pipelined (many requests in flight, a few
   * system calls for thousands of VIPs); like {@link #assign} for each. Every VIP is attempted;
   * the first failure is thrown at the end with the number that failed.
   */
  public void assignAll(Collection<VirtualIp> vips, Lease lease) throws BackendException {
    batch(vips, true, lease);
  }

  /** Removes every VIP in {@code vips}, pipelined; like {@link #release} for each. */
  public void releaseAll(Collection<VirtualIp> vips) throws BackendException {
    batch(vips, false, Lease.forever());
  }

  private void batch(Collection<VirtualIp> vips, boolean add, Lease lease)
      throws BackendException {
    open();
    Map<String, Link> links = new HashMap<>();
    List<Rtnl.Change> changes = new ArrayList<>(vips.size());
    for (VirtualIp v : vips) {
      String name = v.interfaceName();
      if (!links.containsKey(name)) {
        Link l = add ? rtnl.link(name) : rtnl.linkOrNull(name);
        if (l == null) {
          continue;
        }
        links.put(name, l);
      }
      changes.add(new Rtnl.Change(v, add));
    }
    rtnl.apply(changes, links, lease, preferredZero);
  }

  /**
   * Sends one gratuitous ARP in both forms (a request, then a reply: some switches and hosts
   * heed only one) for an IPv4 VIP, or one unsolicited neighbour advertisement to ff02::1 for an
   * IPv6 VIP, from the interface's own hardware address (the one it has now: a running
   * {@link #watch} keeps the interfaces' addresses, and has read every change before this
   * uses them).
   */
  @Override
  public void announce(VirtualIp vip) throws BackendException {
    AcquireTrace.mark(AcquireTrace.ANNOUNCE);
    open();
    announce(link(vip.interfaceName()), vip);
  }

  private void announce(Link link, VirtualIp vip) throws BackendException {
    byte[] mac = link.mac();
    if (mac.length != 6) {
      throw new BackendException(Kind.UNSUPPORTED, "interface " + link.name() + where
          + " has no Ethernet address (" + mac.length + "-byte hardware address), so "
          + vip.cidr() + " cannot be announced with ARP or neighbour discovery");
    }
    packets().announce(link, vip, mac, where);
    AcquireTrace.mark(AcquireTrace.ANNOUNCED);
  }

  private synchronized PacketSocket packets() throws BackendException {
    PacketSocket p = packets;
    if (p == null) {
      p = Namespaces.open(namespace, PacketSocket::new);
      packets = p;
    }
    return p;
  }

  /**
   * The addresses on {@code interfaces}: as a running {@link #watch} last heard of them (once it
   * has read every change the kernel reported so far), the same unmodifiable set while nothing
   * changed; else as the kernel tells now (an address dump).
   */
  @Override
  public Set<HostAddress> list(Set<String> interfaces) throws BackendException {
    open();
    Watcher[] running = watchers;
    for (int i = 0; i < running.length; i++) {
      Set<HostAddress> known = running[i].addresses(interfaces);
      if (known != null) {
        return known;
      }
    }
    Map<Integer, String> names = new HashMap<>();
    for (Link l : rtnl.links()) {
      if (interfaces.contains(l.name())) {
        names.put(l.index(), l.name());
      }
    }
    Set<HostAddress> out = new HashSet<>();
    if (names.isEmpty()) {
      return out;
    }
    for (Address a : rtnl.addresses()) {
      String name = names.get(a.index());
      if (name != null) {
        out.add(new HostAddress(a.address(), a.prefixLength(), name));
      }
    }
    return out;
  }

  /**
   * Reports the state of every link at once, then link and address changes as rtnetlink
   * announces them, until cancelled: from a daemon thread, or from a thread in {@link #assign}
   * or {@link #announce}, which first read the changes that thread has not (one at a time, in
   * order). The links it hears of (their index and hardware address) serve those two calls,
   * which then need no request to the kernel. An agent watches from its start, so
   * this also opens the socket that announcements go through and builds (without sending) one
   * frame of each kind, so that the first announcement of a failover pays for neither; without
   * CAP_NET_RAW that is left to the first announcement, which reports it. And it rehearses an
   * address change without making one (see {@link Rtnl#rehearse}): a failover's first add then
   * runs code that has run, rather than loading and linking it. On a thread of its own it
   * rehearses the watch's part of a take-over on a shadow watch (see {@link Watcher#rehearse}):
   * reading a link as an assign and an announcement do, and handling made-up address reports
   * (up to {@value #REHEARSALS} rounds within 50 ms), then the {@linkplain #warmTake warm
   * take}'s requests and frames on sockets of its own ({@link #rehearseWarmTake}, as many), at
   * the backend's first watch only.
   */
  @Override
  public Cancellable watch(Listener listener) throws BackendException {
    open();
    Watcher w = Watcher.start(Namespaces.open(namespace, Watcher::subscribe), rtnl, listener,
        namespace == null ? "" : "-" + namespace, watchThreads);
    changeWatchers(w, true);
    try {
      packets().prepare();
    } catch (BackendException e) {
      // no CAP_NET_RAW (or no AF_PACKET): the first announcement reports it
    }
    try {
      Link lo = rtnl.linkOrNull("lo");
      if (lo != null) {
        rtnl.rehearse(lo);
      }
    } catch (BackendException e) {
      // the first address change reports whatever fails here
    }
    startRehearsal();
    return () -> {
      w.cancel();
      changeWatchers(w, false);
    };
  }

  /**
   * Starts the watch's rehearsal unless this backend started it before: vipd watches once to
   * check the interfaces and again for the agent, and the code it warms is the process's.
   */
  private synchronized void startRehearsal() {
    if (rehearsal == null) {
      rehearsal = Rehearsals.start("vipha-netlink-rehearsal" + (namespace == null ? ""
          : "-" + namespace), () -> {
            Watcher.rehearse(rtnl, REHEARSALS, REHEARSAL_BUDGET_NANOS);
            rehearseWarmTake(namespace, where, preferredZero, REHEARSALS,
                REHEARSAL_BUDGET_NANOS);
          });
    }
  }

  /**
   * The {@linkplain #warmTake warm take}'s part of the start-up rehearsal, on sockets of its own
   * (opened in {@code namespace} and closed at the end), so that a take on the agent's loop never
   * waits for a lock the rehearsal holds: up to {@code rounds} times within {@code budgetNanos},
   * the add's request of an IPv4 and of an IPv6 address for interface index 0 ({@link
   * Rtnl#warmAdd}, refused) and their first announcement frames for index 0 ({@link
   * PacketSocket#warm}, refused; skipped without CAP_NET_RAW). Returns the rounds in which the
   * kernel refused both requests as it refuses a warm take's ({@code ENODEV}); 0 when the
   * request socket cannot be opened.
   */
  static int rehearseWarmTake(@Nullable String namespace, String where, boolean preferredZero,
      int rounds, long budgetNanos) {
    Rtnl own;
    try {
      own = Namespaces.open(namespace, () -> Rtnl.open(where));
    } catch (BackendException e) {
      return 0;
    }
    PacketSocket frames = null;
    try {
      frames = Namespaces.open(namespace, PacketSocket::new);
    } catch (BackendException e) {
      // no CAP_NET_RAW: the requests alone
    }
    try {
      byte[] mac = new byte[6];
      int refused = 0;
      long deadline = System.nanoTime() + budgetNanos;
      for (int i = 0; i < rounds && System.nanoTime() - deadline < 0; i++) {
        int both = 0;
        for (int k = 0; k < WARM_REHEARSAL.size(); k++) {
          VirtualIp v = WARM_REHEARSAL.get(k);
          both += own.warmAdd(v, preferredZero) == Errno.ENODEV ? 1 : 0;
          if (frames != null) {
            frames.warm(v, mac);
          }
        }
        refused += both == WARM_REHEARSAL.size() ? 1 : 0;
      }
      return refused;
    } finally {
      own.close();
      if (frames != null) {
        frames.close();
      }
    }
  }

  /** The watch's start-up rehearsal thread (one per backend); null before the first watch. */
  @Nullable Thread rehearsal() {
    return rehearsal;
  }

  private synchronized void changeWatchers(Watcher w, boolean add) {
    List<Watcher> now = new ArrayList<>(List.of(watchers));
    if (add) {
      now.add(w);
    } else {
      now.remove(w);
    }
    watchers = now.toArray(new Watcher[0]);
  }

  private void open() throws BackendException {
    if (closed) {
      throw new BackendException(Kind.OTHER, "this NetlinkBackend" + where + " is closed");
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    Watcher[] running;
    synchronized (this) {
      running = watchers;
      watchers = new Watcher[0];
    }
    for (Watcher w : running) {
      w.cancel();
    }
    rtnl.close();
    PacketSocket p;
    synchronized (this) {
      p = packets;
      packets = null;
    }
    if (p != null) {
      p.close();
    }
  }

  @Override
  public String toString() {
    return "NetlinkBackend" + where;
  }

  /** Builds a {@link NetlinkBackend}; {@link #build()} opens its rtnetlink socket. */
  public static final class Builder {
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.-]{1,255}");

    private @Nullable String namespace;
    private boolean preferredLifetimeZero;
    private ThreadFactory watchThreads = Thread::new;

    private Builder() {}

    /**
     * Manage the addresses of network namespace {@code name} (as {@code ip netns} names it, or an
     * absolute path such as {@code /proc/1234/ns/net}) instead of the process's own. Needs
     * CAP_SYS_ADMIN.
     */
    public Builder namespace(String name) {
      if (!(name.startsWith("/") || NAMESPACE.matcher(name).matches())) {
        throw new IllegalArgumentException("namespace " + name + " is neither an `ip netns` name"
            + " (letters, digits, . _ -) nor an absolute path such as /proc/PID/ns/net");
      }
      this.namespace = name;
      return this;
    }

    /**
     * Give IPv6 VIPs a preferred lifetime of 0 (default false): the kernel then never picks a
     * VIP as the source of outgoing connections, which keep using the node's own address.
     */
    public Builder preferredLifetimeZero(boolean zero) {
      this.preferredLifetimeZero = zero;
      return this;
    }

    /**
     * What makes the thread of each {@link NetlinkBackend#watch watch} (default: a plain thread),
     * e.g. {@link Realtime#threadFactory} to run it at a real-time priority; the backend names
     * it {@code vipha-netlink-watch} and makes it a daemon thread. The backend makes no other
     * thread.
     */
    public Builder watchThreads(ThreadFactory threads) {
      this.watchThreads = Objects.requireNonNull(threads, "threads");
      return this;
    }

    /**
     * Opens the backend.
     *
     * @throws BackendException of kind UNSUPPORTED when this is not 64-bit Linux; PERMISSION when
     *     the namespace cannot be entered; OTHER when it does not exist
     */
    public NetlinkBackend build() throws BackendException {
      String unsupported = unsupported(System.getProperty("os.name", "unknown"),
          System.getProperty("os.arch", "unknown"), Native.LONG_SIZE);
      if (unsupported != null) {
        throw new BackendException(Kind.UNSUPPORTED, unsupported);
      }
      String where = namespace == null ? "" : " in network namespace " + namespace;
      Rtnl rtnl = Namespaces.open(namespace, () -> Rtnl.open(where));
      return new NetlinkBackend(this, rtnl, where);
    }
  }

  /** Why the backend cannot run on this platform, or null when it can. */
  static @Nullable String unsupported(String osName, String arch, int longSize) {
    if (!osName.startsWith("Linux")) {
      return "vipha's netlink backend needs Linux (rtnetlink and AF_PACKET); this is " + osName
          + ". Use another AddressBackend here, e.g. io.vipha.testing.InMemoryBackend for tests";
    }
    if (longSize != 8) {
      return "vipha's netlink backend needs a 64-bit JVM; this one is " + arch + " with "
          + (8 * longSize) + "-bit longs";
    }
    return null;
  }
}
