package io.vipha.netlink;

import io.vipha.FailoverPolicy;
import io.vipha.ValidationException.Problem;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.config.DaemonSettings;
import io.vipha.internal.AcquireTrace;
import io.vipha.internal.Addresses;
import io.vipha.internal.Rehearsals;
import io.vipha.internal.ShadowLoop;
import io.vipha.netlink.internal.Address;
import io.vipha.netlink.internal.Link;
import io.vipha.netlink.internal.Namespaces;
import io.vipha.netlink.internal.Rtnl;
import io.vipha.netlink.internal.VrrpAdvert;
import io.vipha.netlink.internal.VrrpCodec;
import io.vipha.netlink.internal.VrrpDecoder;
import io.vipha.netlink.internal.VrrpEncoder;
import io.vipha.netlink.internal.VrrpMailbox;
import io.vipha.netlink.internal.VrrpRejection;
import io.vipha.netlink.internal.VrrpRouter;
import io.vipha.netlink.internal.VrrpSocket;
import io.vipha.plan.Eligibility;
import io.vipha.spi.BackendException;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Scheduler;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator that makes the group one VRRP version 3 virtual router (RFC 5798, RFC 9568), so
 * that its node joins keepalived nodes and routers of the same VRID. The node holds the VIPs
 * while it is the router's master: {@link #fence} grants them then and revokes them otherwise,
 * and the agent adds, announces and removes them as the state machine changes state. Peers are
 * known only by their advertisements, so no peer state is reported to the agent.
 *
 * <p>The group gives the router: its VIPs (all IPv4 or all IPv6) are the addresses, the node's
 * priority (255 for an {@linkplain DaemonSettings.Vrrp#addressOwner() address owner}; 0 while the
 * node may not own VIPs) the priority, the heartbeat interval the advertisement interval, the
 * policy's preemption and its delay those of VRRP. A graceful stop or a drain advertises priority
 * 0, so that a backup takes over within its skew time.
 *
 * <p>Advertisements go out through a raw socket of protocol 112 bound to the interface, TTL or
 * hop limit 255, to 224.0.0.18 or ff02::12 or the unicast peers: over IPv4 from the interface's
 * first address that is no VIP, over IPv6 from its link-local address (RFC 5798 §5.1.2.1). A
 * thread receives and checks them and hands each accepted one to the agent's loop. Needs
 * CAP_NET_RAW.
 */
public final class VrrpCoordinator implements Coordinator {
  private static final Logger LOG = LoggerFactory.getLogger(VrrpCoordinator.class);
  /** Advertisements that may wait for the loop; 64 intervals of one master, or of several. */
  private static final int MAILBOX = 64;
  /** Take-overs the start-up rehearsal runs, and the most wall time it takes for them. */
  static final int REHEARSALS = 1_000;
  static final long REHEARSAL_BUDGET_NANOS = 100_000_000L;
  private static final List<String> STATES = List.of(VrrpRouter.State.INITIALIZE.name(),
      VrrpRouter.State.BACKUP.name(), VrrpRouter.State.MASTER.name());

  private final DaemonSettings.Vrrp settings;
  private final @Nullable String namespace;
  private final ThreadFactory receiverThreads;
  private @Nullable Context ctx;
  private @Nullable VrrpRouter router;
  private @Nullable VrrpSocket socket;
  private @Nullable VrrpEncoder encoder;
  private @Nullable VrrpDecoder decoder;
  private @Nullable Thread receiver;
  private @Nullable Thread rehearsal;
  private @Nullable VrrpMailbox mailbox;
  private Scheduler.@Nullable Timer tick;
  private long tickNanos;
  private byte[] local = new byte[4];
  private List<byte[]> destinations = List.of();
  private int ipId;
  private volatile boolean closed;
  private volatile String stateName = VrrpRouter.State.INITIALIZE.name();
  private volatile int localPriority;
  private volatile String localText = "";
  /** The master heard last while backup: its address and priority (loop-written). */
  private final byte[] masterSource = new byte[16];
  private volatile String masterText = "";
  private volatile int masterPriority;
  private volatile long sent;
  private volatile long received;
  private volatile long ignored;
  private volatile boolean otherFormLogged;
  private volatile boolean otherAddressesLogged;

  private VrrpCoordinator(DaemonSettings.Vrrp settings, @Nullable String namespace,
      ThreadFactory receiverThreads) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.namespace = namespace;
    this.receiverThreads = Objects.requireNonNull(receiverThreads, "receiverThreads");
  }

  /**
   * A coordinator for the virtual router {@code settings}, on the interface in network namespace
   * {@code namespace} (null: this process's).
   */
  public static VrrpCoordinator create(DaemonSettings.Vrrp settings,
      @Nullable String namespace) {
    return new VrrpCoordinator(settings, namespace, Thread::new);
  }

  /**
   * {@link #create(DaemonSettings.Vrrp, String)}, its one thread, the receive thread ({@code
   * vipha-vrrp-GROUP}, a daemon thread), made by {@code receiverThreads}: e.g. {@link
   * Realtime#threadFactory} to run it at a real-time priority.
   */
  public static VrrpCoordinator create(DaemonSettings.Vrrp settings,
      @Nullable String namespace, ThreadFactory receiverThreads) {
    return new VrrpCoordinator(settings, namespace, receiverThreads);
  }

  /** The router's state: INITIALIZE before the start and after the stop, BACKUP or MASTER. */
  public String state() {
    VrrpRouter r = router;
    return r == null ? VrrpRouter.State.INITIALIZE.name() : r.state().name();
  }

  /** Advertisements accepted since the start, of this router and others on the link. */
  public long accepted() {
    VrrpDecoder d = decoder;
    return d == null ? 0 : d.accepted();
  }

  /**
   * Packets dropped since the start whose IPv4 checksum was of the other form: the sender's
   * {@code ipv4Checksum} differs from this group's.
   */
  public long otherChecksumForm() {
    VrrpDecoder d = decoder;
    return d == null ? 0 : d.rejected(VrrpRejection.OTHER_CHECKSUM_FORM);
  }

  /**
   * Packets dropped since the start, per reason, every reason in the order the decoder checks
   * them: {@code TRUNCATED}, {@code BAD_IP_HEADER}, {@code WRONG_PROTOCOL}, {@code WRONG_TTL}
   * (a TTL or hop limit other than 255), {@code WRONG_VERSION}, {@code WRONG_TYPE}, {@code
   * WRONG_ADDRESS_COUNT}, {@code ZERO_INTERVAL}, {@code OTHER_CHECKSUM_FORM}, {@code
   * BAD_CHECKSUM}.
   */
  public Map<String, Long> dropped() {
    VrrpDecoder d = decoder;
    Map<String, Long> m = new LinkedHashMap<>();
    for (VrrpRejection r : VrrpRejection.values()) {
      m.put(r.name(), d == null ? 0 : d.rejected(r));
    }
    return Collections.unmodifiableMap(m);
  }

  /** Packets dropped since the start, for any reason. */
  public long rejected() {
    VrrpDecoder d = decoder;
    return d == null ? 0 : d.rejectedTotal();
  }

  /**
   * The router's state for {@code vipctl status} and the metrics: kind {@code vrrp}; state
   * {@code INITIALIZE}, {@code BACKUP} or {@code MASTER}; values {@code vrid}, {@code priority}
   * (what this node advertises, or would as master), {@code masterPriority} (0 when no master is
   * known); text {@code masterAddress} (this node's own as master, the sender of the last
   * advertisement followed as backup); counters {@code advertisementsSent}, {@code
   * advertisementsReceived} (of this router), {@code advertisementsIgnored} (of another VRID, or
   * other addresses), {@code advertisementsLost} (received while 64 waited for the loop); {@link
   * #dropped()}.
   */
  @Override
  public Optional<Status> status() {
    String state = stateName;
    boolean master = state.equals(VrrpRouter.State.MASTER.name());
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("vrid", (long) settings.vrid());
    values.put("priority", (long) localPriority);
    values.put("masterPriority", (long) (master ? localPriority : masterPriority));
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.put("advertisementsSent", sent);
    counters.put("advertisementsReceived", received);
    counters.put("advertisementsIgnored", ignored);
    VrrpMailbox m = mailbox;
    counters.put("advertisementsLost", m == null ? 0 : m.lost());
    return Optional.of(new Status("vrrp", state, STATES, values,
        Map.of("masterAddress", master ? localText : masterText), counters, dropped()));
  }

  @Override
  public void start(Context context) throws IOException {
    ctx = context;
    VipGroup g = context.group();
    List<InetAddress> addresses = new ArrayList<>();
    String iface = settings.interfaceName();
    boolean ipv6 = !g.vips().get(0).isIpv4();
    for (VirtualIp v : g.vips()) {
      if (v.isIpv4() == ipv6) {
        throw new IOException("VRRP group " + g.name() + " mixes IPv4 and IPv6 VIPs, which one"
            + " advertisement cannot carry; put each family in a group of its own");
      }
      addresses.add(v.address());
      if (iface == null) {
        iface = v.interfaceName();
      } else if (settings.interfaceName() == null && !iface.equals(v.interfaceName())) {
        throw new IOException("the VIPs of VRRP group " + g.name() + " are on more than one"
            + " interface; name the one for advertisements in daemon.coordinator.vrrp.interface");
      }
    }
    String name = Objects.requireNonNull(iface, "a group has a VIP");
    FailoverPolicy p = g.policy();
    long ms = p.heartbeatInterval().toMillis();
    if (ms % 10 != 0) {
      throw new IOException("VRRP group " + g.name() + ": the heartbeat interval " + ms + " ms is"
          + " not whole centiseconds, which VRRP advertises");
    }
    int interval = (int) Math.min(Integer.MAX_VALUE, ms / 10);
    boolean pseudo = settings.ipv4Checksum() == DaemonSettings.Vrrp.Ipv4Checksum.PSEUDO_HEADER;
    try {
      encoder = new VrrpEncoder(settings.vrid(), interval, addresses, pseudo);
    } catch (IllegalArgumentException e) {
      throw new IOException("VRRP group " + g.name() + ": " + e.getMessage(), e);
    }
    decoder = new VrrpDecoder(pseudo, settings.unicastPeers().isEmpty());
    List<byte[]> to = new ArrayList<>();
    for (InetAddress peer : settings.unicastPeers()) {
      if (peer.getAddress().length != addresses.get(0).getAddress().length) {
        throw new IOException("VRRP group " + g.name() + " has unicast peer "
            + peer.getHostAddress() + " of the other family than its VIPs");
      }
      to.add(peer.getAddress());
    }
    destinations = to.isEmpty() ? List.of(VrrpCodec.group(ipv6)) : to;
    String where = namespace == null ? "" : " in network namespace " + namespace;
    try {
      socket = Namespaces.open(namespace, () -> {
        try (Rtnl rtnl = Rtnl.open(where)) {
          Link link = rtnl.link(name);
          local = source(rtnl.addresses(), link, addresses, ipv6, name + where);
          return ipv6 ? VrrpSocket.ipv6(link, local) : VrrpSocket.ipv4(link);
        }
      });
    } catch (BackendException e) {
      throw new IOException(e.getMessage(), e);
    }
    localText = Addresses.text(InetAddress.getByAddress(local));
    localPriority = priority();
    VrrpRouter r = new VrrpRouter(context.loop(), new Actions(), interval, localPriority,
        p.preempt(), p.preemptDelay().toNanos());
    router = r;
    mailbox = new VrrpMailbox(context.loop(), MAILBOX, this::advertisement);
    // The agent's stall guard takes a loop that asked for the local state less often than the
    // detection time for one that stalled: ask every interval, as a heartbeat tick does.
    tickNanos = interval * 10_000_000L;
    Scheduler.Timer k = context.loop().timer(this::tick);
    tick = k;
    k.arm(tickNanos);
    Thread t = receiverThreads.newThread(this::receive);
    t.setName("vipha-vrrp-" + g.name());
    t.setDaemon(true);
    receiver = t;
    t.start();
    r.start();
    int shadowPriority = localPriority > 0 ? localPriority : 100; // (0 while warming up)
    List<byte[]> to2 = destinations;
    byte[] from = local.clone();
    rehearsal = Rehearsals.start("vipha-vrrp-rehearsal-" + g.name(), () -> rehearse(
        new VrrpEncoder(settings.vrid(), interval, addresses, pseudo), from, to2, interval,
        shadowPriority, REHEARSALS, REHEARSAL_BUDGET_NANOS));
  }

  /** The start-up rehearsal's thread; null before the start. */
  @Nullable Thread rehearsal() {
    return rehearsal;
  }

  /**
   * The router's side of the take-over rehearsal at start: a backup runs the Master_Down_Timer,
   * the entry into MASTER and its first advertisement's encoding for the first time at its first
   * failover. A shadow router of this group's interval and priority, on a {@link ShadowLoop},
   * goes to MASTER by its timer and back to BACKUP on a higher priority's advertisement, up to
   * {@code rounds} times within {@code budgetNanos}; it encodes each advertisement with {@code
   * encoder} (its own, not the coordinator's) into a buffer of its own and sends none. The
   * agent's part of the take-over is rehearsed by the agent. Returns the entries into MASTER.
   */
  static int rehearse(VrrpEncoder encoder, byte[] source, List<byte[]> to, int interval,
      int priority, int rounds, long budgetNanos) {
    ShadowLoop loop = new ShadowLoop();
    ByteBuffer out = ByteBuffer.allocateDirect(encoder.packetLength());
    int[] masters = new int[1];
    VrrpRouter r = new VrrpRouter(loop, new VrrpRouter.Actions() {
      private int id;

      @Override
      public void advertise(int p) {
        for (int i = 0; i < to.size(); i++) {
          id = id == 0xFFFF ? 1 : id + 1;
          out.clear();
          encoder.encode(out, source, to.get(i), p, id);
        }
      }

      @Override
      public void entered(VrrpRouter.State state) {
        if (state == VrrpRouter.State.MASTER) {
          masters[0]++;
        }
      }
    }, interval, priority, true, 0);
    r.start();
    long deadline = System.nanoTime() + budgetNanos;
    for (int i = 0; i < rounds && System.nanoTime() - deadline < 0; i++) {
      loop.advance(r.masterDownInterval()); // the master fell silent: MASTER
      loop.advance(interval * 10_000_000L); // one advertisement as master
      r.received(255, interval, 1); // a master of higher priority (or equal, higher address)
    }
    r.stop();
    return masters[0];
  }

  /**
   * The source of advertisements: for IPv4 the first address of {@code link} that is no VIP, for
   * IPv6 its first link-local address (RFC 5798 §5.1.2.1).
   */
  private static byte[] source(List<Address> all, Link link, List<InetAddress> vips,
      boolean ipv6, String where) throws BackendException {
    for (Address a : all) {
      InetAddress ip = a.address();
      if (a.index() == link.index() && (ipv6 ? ip instanceof Inet6Address
          && ip.isLinkLocalAddress() : ip instanceof Inet4Address && !vips.contains(ip))) {
        return ip.getAddress();
      }
    }
    throw new BackendException(BackendException.Kind.OTHER, "interface " + where + (ipv6
        ? " has no IPv6 link-local address to send VRRP advertisements from; enable IPv6 on it"
        : " has no IPv4 address besides the VIPs to send VRRP advertisements from; add one"));
  }

  /** The priority to advertise: 0 while the node may not own VIPs. */
  private int priority() {
    LocalState s = Objects.requireNonNull(ctx).local();
    if (s.eligibility() != Eligibility.ELIGIBLE) {
      return 0;
    }
    return settings.addressOwner() ? 255 : Math.max(1, Math.min(254, s.effectivePriority()));
  }

  /** The receiving thread: checks each packet and hands this router's to the loop. */
  private void receive() {
    VrrpSocket s = Objects.requireNonNull(socket);
    VrrpDecoder d = Objects.requireNonNull(decoder);
    VrrpMailbox m = Objects.requireNonNull(mailbox);
    byte[] ours = Objects.requireNonNull(encoder).addresses();
    Context c = Objects.requireNonNull(ctx);
    while (!closed) {
      int n;
      try {
        n = s.receive();
      } catch (BackendException e) {
        if (!closed) {
          LOG.warn("VRRP group {}: {}", c.group().name(), e.getMessage());
        }
        return;
      }
      if (n <= 0) {
        continue;
      }
      ByteBuffer b = s.receiveBuffer();
      b.limit(n).position(0);
      VrrpAdvert a = d.decode(b);
      if (a == null) {
        if (d.lastRejection() == VrrpRejection.OTHER_CHECKSUM_FORM && !otherFormLogged) {
          otherFormLogged = true;
          LOG.warn("VRRP group {}: an advertisement came with the IPv4 checksum form other than"
              + " this group's \"{}\"; every router of a group must use one form: set"
              + " daemon.coordinator.vrrp.ipv4Checksum to \"{}\" or change the sender's"
              + " (keepalived: v3_checksum_as_v2)", c.group().name(),
              settings.ipv4Checksum().text(),
              settings.ipv4Checksum() == DaemonSettings.Vrrp.Ipv4Checksum.PSEUDO_HEADER
                  ? "message-only" : "pseudo-header");
        }
        continue;
      }
      if (a.vrid() != settings.vrid()) {
        ignored++;
        continue;
      }
      if (!a.carriesExactly(ours)) {
        ignored++;
        if (!otherAddressesLogged) {
          otherAddressesLogged = true;
          LOG.warn("VRRP group {}: a router of VRID {} advertises other addresses than this"
              + " group's VIPs; its advertisements are ignored", c.group().name(), a.vrid());
        }
        continue;
      }
      received++;
      m.post(a, local);
    }
  }

  /** Every interval, on the loop: tells the agent its loop runs. */
  private void tick() {
    Scheduler.Timer k = tick;
    if (k != null && !closed) {
      Objects.requireNonNull(ctx).local();
      k.arm(tickNanos);
    }
  }

  /**
   * On the loop, each accepted advertisement of this router: the state machine takes it, its
   * timers running from the advertisement's receipt, and the sender of one a backup follows is
   * noted as the master.
   */
  private void advertisement(int priority, int interval, int versus, byte[] source, int length,
      long receivedAt) {
    VrrpRouter r = router;
    if (r == null || closed) {
      return;
    }
    r.received(priority, interval, versus, receivedAt);
    if (r.state() != VrrpRouter.State.BACKUP || priority == 0) {
      return;
    }
    if (masterText.isEmpty() || !Arrays.equals(masterSource, 0, length, source, 0, length)) {
      System.arraycopy(source, 0, masterSource, 0, length);
      try {
        masterText = Addresses.text(InetAddress.getByAddress(Arrays.copyOf(source, length)));
      } catch (UnknownHostException e) {
        throw new IllegalStateException("an address of " + length + " bytes", e);
      }
    }
    masterPriority = priority;
  }

  @Override
  public Fence fence(VirtualIp vip) {
    VrrpRouter r = router;
    return r != null && r.state() == VrrpRouter.State.MASTER ? Fence.UNFENCED : Fence.REVOKE;
  }

  /** The old master removes the VIPs at once; the new one adds them on its own. */
  @Override
  public boolean makeBeforeBreak() {
    return false;
  }

  @Override
  public List<Problem> reconfigureProblems(VipGroup group) {
    Context c = Objects.requireNonNull(ctx);
    VipGroup now = c.group();
    String node = c.nodeId();
    if (!group.vips().equals(now.vips())
        || !group.policy().heartbeatInterval().equals(now.policy().heartbeatInterval())
        || group.policy().preempt() != now.policy().preempt()
        || !group.policy().preemptDelay().equals(now.policy().preemptDelay())
        || !group.node(node).equals(now.node(node))) {
      return List.of(new Problem("daemon.coordinator.vrrp", null, "takes the VIPs, the"
          + " interval, preemption and this node's priority at its start; restart to change"
          + " them"));
    }
    return List.of();
  }

  @Override
  public void publishNow() {
    VrrpRouter r = router;
    if (r != null) {
      int p = priority();
      localPriority = p;
      r.priority(p);
    }
  }

  @Override
  public void leave() {
    Scheduler.Timer k = tick;
    if (k != null) {
      k.cancel();
    }
    VrrpRouter r = router;
    if (r != null) {
      r.stop();
    }
  }

  @Override
  public void close() {
    closed = true;
    Thread t = receiver;
    if (t != null) {
      try {
        t.join(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    VrrpSocket s = socket;
    if (s != null) {
      s.close();
    }
  }

  /** What the state machine does: send, and tell the agent when the fence changes. */
  private final class Actions implements VrrpRouter.Actions {
    @Override
    public void advertise(int priority) {
      VrrpSocket s = socket;
      VrrpEncoder e = encoder;
      if (s == null || e == null || closed) {
        return;
      }
      for (byte[] to : destinations) {
        ipId = ipId == 0xFFFF ? 1 : ipId + 1; // the kernel would choose its own for 0
        ByteBuffer out = s.sendBuffer();
        out.clear();
        int n = e.encode(out, local, to, priority, ipId);
        try {
          s.send(n, to);
          sent++;
        } catch (BackendException x) {
          LOG.warn("VRRP group {}: {}", Objects.requireNonNull(ctx).group().name(),
              x.getMessage());
        }
      }
    }

    @Override
    public void entered(VrrpRouter.State state) {
      Context c = Objects.requireNonNull(ctx);
      stateName = state.name();
      if (state != VrrpRouter.State.MASTER) {
        masterText = "";
        masterPriority = 0;
      }
      AcquireTrace.mark(AcquireTrace.ENTERED);
      c.fenceChanged(); // a new master's VIPs added and announced before the line is logged
      LOG.info("VRRP group {}: VRID {} {}", c.group().name(), settings.vrid(), state);
    }

    @Override
    public void warmMaster() {
      Context c = ctx;
      if (c != null && !closed) {
        c.warmTake();
      }
    }
  }
}
