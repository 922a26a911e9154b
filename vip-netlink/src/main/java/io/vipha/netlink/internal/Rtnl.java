package io.vipha.netlink.internal;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.BackendException;
import io.vipha.spi.BackendException.Kind;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * rtnetlink requests over one {@link Channel}: link lookup, address dumps, and address changes,
 * one at a time with an ACK each or pipelined. Every method is synchronized: the agent's loop and
 * a watch thread may share one instance.
 *
 * <p>Replies are matched by sequence number; a reply to an earlier request that timed out is
 * skipped. Any reply the parser cannot read becomes a {@link BackendException} of kind OTHER.
 */
public final class Rtnl implements AutoCloseable {
  /** Requests in flight at most during {@link #apply}: their ACKs must fit the socket buffer. */
  static final int WINDOW = 256;
  private static final int IFLA_EXT_MASK = 29;
  private static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;
  private static final int DUMP_ATTEMPTS = 5;
  /**
   * How long {@link #add} waits at most for a new IPv6 address to become usable: short, because
   * the caller is usually the agent's event loop, which must not stall.
   */
  static final long USABLE_WAIT_NANOS = 1_000_000L;
  /** Each pause of that wait, in which the kernel's work item can run. */
  private static final long USABLE_PAUSE_NANOS = 20_000L;

  private final Channel channel;
  private final String where;
  private final MessageWriter out = new MessageWriter(64 * 1024);
  private final MessageReader in;
  private final AddressBytes addressBytes = new AddressBytes();
  /** {@link #USABLE_WAIT_NANOS}; longer in tests that count the asks. */
  long usableWaitNanos = USABLE_WAIT_NANOS;
  private int seq = (int) (System.nanoTime() & 0x3FFFFFFF);
  /** An address of each family, only ever encoded (documentation ranges). */
  private static final List<VirtualIp> REHEARSAL = List.of(
      VirtualIp.builder().address("192.0.2.1/24").interfaceName("lo").label("lo:rehearsal")
          .build(),
      VirtualIp.builder().address("2001:db8::1/64").interfaceName("lo").build());

  /**
   * @param where how to name the host in messages: empty, or e.g. " in network namespace blue"
   */
  Rtnl(Channel channel, String where) {
    this.channel = channel;
    this.where = where;
    this.in = new MessageReader(channel.receiveBuffer());
  }

  /** One address change of a batch. */
  public record Change(VirtualIp vip, boolean add) {}

  /** Opens a request socket in the calling thread's network namespace. */
  public static Rtnl open(String where) throws BackendException {
    return new Rtnl(new NetlinkSocket(0, 4 * 1024 * 1024, 5000), where);
  }

  // ------------------------------------------------------------------------------ links

  /** The link named {@code name}; NO_SUCH_INTERFACE (listing the ones that exist) if none. */
  public synchronized Link link(String name) throws BackendException {
    Link l = linkOrNull(name);
    if (l == null) {
      throw noSuchInterface(name);
    }
    return l;
  }

  /** The link named {@code name}, or null. */
  public synchronized @Nullable Link linkOrNull(String name) throws BackendException {
    int s = nextSeq();
    out.clear().begin(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST, s).ifinfomsg(0, 0)
        .attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS).attrString(Nl.IFLA_IFNAME, name).end();
    String request = "RTM_GETLINK " + name;
    try {
      int errno = answer(s, Nl.RTM_NEWLINK);
      if (errno < 0) {
        return Link.decode(in);
      }
      if (errno == Errno.ENODEV || errno == 0) {
        return null;
      }
      throw Errno.error(errno, request + where, "CAP_NET_ADMIN", extAck());
    } catch (MalformedReplyException e) {
      throw malformed(request, e);
    }
  }

  /** Every link. */
  public synchronized List<Link> links() throws BackendException {
    List<Link> links = new ArrayList<>();
    dump("RTM_GETLINK dump", (w, s) -> w.begin(Nl.RTM_GETLINK,
        Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP, s).ifinfomsg(0, 0).attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS).end(),
        Nl.RTM_NEWLINK, m -> links.add(Link.decode(m)), links::clear);
    return links;
  }

  /** The error for an interface that does not exist, listing those that do. */
  public BackendException noSuchInterface(String name) {
    String existing;
    try {
      TreeSet<String> names = new TreeSet<>();
      for (Link l : links()) {
        names.add(l.name());
      }
      existing = "the interfaces" + where + " are " + String.join(", ", names);
    } catch (BackendException e) {
      existing = "listing the interfaces failed too: " + e.getMessage();
    }
    return new BackendException(Kind.NO_SUCH_INTERFACE, "interface " + name
        + " does not exist" + where + "; " + existing);
  }

  // -------------------------------------------------------------------------- addresses

  /** Every IPv4 and IPv6 address. */
  public synchronized List<Address> addresses() throws BackendException {
    List<Address> addresses = new ArrayList<>();
    dump("RTM_GETADDR dump", (w, s) -> w.begin(Nl.RTM_GETADDR,
        Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP, s).ifaddrmsg(0, 0, 0, 0, 0).end(), Nl.RTM_NEWADDR,
        m -> addresses.add(Address.decode(m)), addresses::clear);
    return addresses;
  }

  /**
   * Adds {@code vip} on {@code link}, or replaces it when present (which refreshes its
   * lifetimes). An IPv6 address is usable when this returns: see {@link #awaitUsable}.
   *
   * @param preferredZero give an IPv6 address a preferred lifetime of 0 (never a source)
   */
  public synchronized void add(Link link, VirtualIp vip, Lease lease, boolean preferredZero)
      throws BackendException {
    int s = nextSeq();
    writeAdd(out.clear(), s, link.index(), vip, lease, preferredZero);
    one(s, Nl.RTM_NEWADDR, link, vip, Errno.EEXIST);
    if (!vip.isIpv4()) {
      awaitUsable(link, vip);
    }
  }

  /**
   * Waits, for at most {@value #USABLE_WAIT_NANOS} ns, until the IPv6 address {@code vip} is no
   * longer tentative. The kernel acknowledges a new IPv6 address while it is still tentative,
   * even without duplicate address detection: a work item ({@code addrconf_dad_work}) queued on
   * this CPU clears the flag and installs the local route, and until it runs the host drops
   * datagrams to the address. It runs only once this thread gives up the CPU, which a thread at
   * real-time priority, or a busy one, may not do for milliseconds, while it announces the
   * address and clients already send to it. So this asks for the address ({@code RTM_GETADDR},
   * no allocation) and, while it is tentative, sleeps {@value #USABLE_PAUSE_NANOS} ns between
   * asks. A renewal of a usable address costs one ask. When the address is gone, or still
   * tentative at the end (a CPU busy with other work, or duplicate address detection by another
   * party), it returns anyway: the announcement then precedes the address by a little, as it
   * would without this wait, and the announcer's repeats follow it.
   */
  private void awaitUsable(Link link, VirtualIp vip) throws BackendException {
    long deadline = 0;
    while (tentative(link, vip)) {
      long now = System.nanoTime();
      if (deadline == 0) {
        deadline = now + usableWaitNanos;
      } else if (now - deadline >= 0) {
        return;
      }
      LockSupport.parkNanos(USABLE_PAUSE_NANOS);
    }
  }

  /** Whether the IPv6 address {@code vip} on {@code link} is there and tentative. */
  private boolean tentative(Link link, VirtualIp vip) throws BackendException {
    int s = nextSeq();
    out.clear().begin(Nl.RTM_GETADDR, Nl.NLM_F_REQUEST, s)
        .ifaddrmsg(Nl.AF_INET6, vip.prefixLength(), 0, 0, link.index())
        .attr(Nl.IFA_ADDRESS, addressBytes.of(vip.address())).end();
    try {
      int errno = answer(s, Nl.RTM_NEWADDR);
      if (errno < 0) {
        in.requirePayload(Nl.IFADDRMSG, "ifaddrmsg");
        return (in.u8(2) & Nl.IFA_F_TENTATIVE) != 0;
      }
      if (errno == 0 || errno == Errno.EADDRNOTAVAIL || errno == Errno.ENODEV) {
        return false; // gone meanwhile: nothing to wait for
      }
      throw Errno.error(errno, describe(Nl.RTM_GETADDR, link, vip) + where, "CAP_NET_ADMIN",
          extAck());
    } catch (MalformedReplyException e) {
      throw malformed(describe(Nl.RTM_GETADDR, link, vip), e);
    }
  }

  /** Removes {@code vip} from {@code link}; succeeds when it is absent. */
  public synchronized void delete(Link link, VirtualIp vip) throws BackendException {
    int s = nextSeq();
    writeDelete(out.clear(), s, link.index(), vip);
    one(s, Nl.RTM_DELADDR, link, vip, Errno.EADDRNOTAVAIL);
  }

  /**
   * Applies {@code changes} pipelined: up to {@value #WINDOW} requests in flight, many per
   * datagram, the ACKs read as they come. Each change is idempotent like {@link #add} and
   * {@link #delete}; every change is attempted, and the first failure is thrown at the end with
   * the number that failed.
   *
   * @param links the link of each change's interface, by name
   */
  public synchronized void apply(List<Change> changes, java.util.Map<String, Link> links,
      Lease lease, boolean preferredZero) throws BackendException {
    int n = changes.size();
    if (n == 0) {
      return;
    }
    int base = seq + 1;
    seq += n;
    int sent = 0;
    int acked = 0;
    int failed = 0;
    BackendException first = null;
    boolean[] done = new boolean[n];
    try {
      while (acked < n) {
        if (sent < n && sent - acked < WINDOW) {
          out.clear();
          while (sent < n && sent - acked < WINDOW && out.remaining() > 512) {
            Change c = changes.get(sent);
            Link l = Objects.requireNonNull(links.get(c.vip().interfaceName()),
                c.vip().interfaceName());
            if (c.add()) {
              writeAdd(out, base + sent, l.index(), c.vip(), lease, preferredZero);
            } else {
              writeDelete(out, base + sent, l.index(), c.vip());
            }
            sent++;
          }
          channel.send(out.buffer(), out.size());
          continue;
        }
        receive();
        while (in.next()) {
          int i = in.seq() - base;
          if (i < 0 || i >= n || in.type() != Nl.NLMSG_ERROR || done[i]) {
            continue;
          }
          done[i] = true;
          acked++;
          int errno = errno();
          Change c = changes.get(i);
          if (errno != 0 && errno != (c.add() ? Errno.EEXIST : Errno.EADDRNOTAVAIL)) {
            failed++;
            if (first == null) {
              first = Errno.error(errno, (c.add() ? "RTM_NEWADDR " : "RTM_DELADDR ")
                  + c.vip().cidr() + " on " + c.vip().interfaceName() + where, "CAP_NET_ADMIN",
                  extAck());
            }
          }
        }
      }
    } catch (MalformedReplyException e) {
      throw malformed("a batch of " + n + " address changes", e);
    }
    if (first != null) {
      throw new BackendException(first.kind(), failed + " of " + n + " address changes failed;"
          + " the first: " + first.getMessage(), first);
    }
  }

  private void writeAdd(MessageWriter w, int s, int index, VirtualIp vip, Lease lease,
      boolean preferredZero) {
    byte[] a = addressBytes.of(vip.address());
    boolean v4 = vip.isIpv4();
    int flags = v4 ? 0 : Nl.IFA_F_NODAD;
    int valid = lease.isForever() ? Nl.INFINITY
        : (int) Objects.requireNonNull(lease.duration()).getSeconds();
    int preferred = !v4 && preferredZero ? 0 : valid;
    w.begin(Nl.RTM_NEWADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE
        | Nl.NLM_F_REPLACE, s)
        .ifaddrmsg(v4 ? Nl.AF_INET : Nl.AF_INET6, vip.prefixLength(), flags,
            Nl.RT_SCOPE_UNIVERSE, index)
        .attr(Nl.IFA_LOCAL, a).attr(Nl.IFA_ADDRESS, a);
    String label = vip.label();
    if (v4 && label != null) {
      w.attrString(Nl.IFA_LABEL, label);
    }
    w.attrU32(Nl.IFA_FLAGS, flags).cacheInfo(preferred, valid).end();
  }

  private void writeDelete(MessageWriter w, int s, int index, VirtualIp vip) {
    boolean v4 = vip.isIpv4();
    w.begin(Nl.RTM_DELADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK, s)
        .ifaddrmsg(v4 ? Nl.AF_INET : Nl.AF_INET6, vip.prefixLength(), 0, 0, index)
        .attr(v4 ? Nl.IFA_LOCAL : Nl.IFA_ADDRESS, addressBytes.of(vip.address())).end();
  }

  // ------------------------------------------------------------------------------ plumbing

  private int nextSeq() {
    return ++seq;
  }

  private void receive() throws BackendException {
    in.reset(channel.receive());
  }

  /**
   * Sends the one address change ({@code type} RTM_NEWADDR or RTM_DELADDR of {@code vip} on
   * {@code link}) in {@link #out} and waits for its ACK; errno {@code accepted} counts as done.
   * The request's description is built only for an error, so that a change that works allocates
   * no text.
   */
  private void one(int s, int type, Link link, VirtualIp vip, int accepted)
      throws BackendException {
    try {
      int errno = ack(s);
      if (errno != 0 && errno != accepted) {
        throw Errno.error(errno, describe(type, link, vip) + where, "CAP_NET_ADMIN", extAck());
      }
    } catch (MalformedReplyException e) {
      throw malformed(describe(type, link, vip), e); // (malformed names the host itself)
    }
  }

  /** The request {@code type} (RTM_NEWADDR, RTM_DELADDR or RTM_GETADDR) for messages. */
  private static String describe(int type, Link link, VirtualIp vip) {
    String name = switch (type) {
      case Nl.RTM_NEWADDR -> "RTM_NEWADDR ";
      case Nl.RTM_DELADDR -> "RTM_DELADDR ";
      default -> "RTM_GETADDR ";
    };
    return name + vip.cidr() + " on " + link.name();
  }

  /**
   * Sends the request in {@link #out}, which asks for an ACK, and returns the errno of the
   * NLMSG_ERROR answering sequence number {@code s} (0: done); the reader stays at it.
   */
  private int ack(int s) throws BackendException, MalformedReplyException {
    return answer(s, Nl.NLMSG_ERROR);
  }

  /**
   * Sends the request in {@link #out}, sequence number {@code s}, and reads until its answer: -1
   * when the reader is at its message of {@code type}, else the positive errno of the
   * NLMSG_ERROR answering it (0 for an ACK); the reader stays at it. Replies to other requests
   * are skipped.
   */
  private int answer(int s, int type) throws BackendException, MalformedReplyException {
    channel.send(out.buffer(), out.size());
    while (true) {
      receive();
      while (in.next()) {
        if (in.seq() == s) {
          if (in.type() == Nl.NLMSG_ERROR) {
            return errno();
          }
          if (in.type() == type) {
            return -1;
          }
        }
      }
    }
  }

  /**
   * Runs the code of an address change once without changing anything, so that a process's
   * first change (at a failover) runs code that has run before: encodes an RTM_NEWADDR of each
   * address family for {@code link} into a scratch buffer (never sent), and sends a read-only
   * request with an ACK (RTM_GETLINK of {@code link}) through the path that waits for a change's
   * ACK.
   */
  public synchronized void rehearse(Link link) throws BackendException {
    MessageWriter scratch = new MessageWriter(512);
    for (VirtualIp v : REHEARSAL) {
      writeAdd(scratch.clear(), 0, link.index(), v, Lease.forever(), false);
      writeAdd(scratch.clear(), 0, link.index(), v, Lease.of(Duration.ofSeconds(10)), true);
      writeDelete(scratch.clear(), 0, link.index(), v);
    }
    int s = nextSeq();
    out.clear().begin(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK, s).ifinfomsg(0,
        link.index()).attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS).end();
    String request = "RTM_GETLINK " + link.name() + where;
    try {
      int errno = ack(s);
      if (errno != 0) {
        throw Errno.error(errno, request, "CAP_NET_ADMIN", extAck());
      }
    } catch (MalformedReplyException e) {
      throw malformed(request, e);
    }
  }

  /**
   * Runs the path of {@link #add} of {@code vip} without adding it: the request is encoded into
   * the add's own buffer for interface index 0, which no interface has, and the kernel refuses it
   * ({@code ENODEV}) before it looks at the address. For warm-ups just before a take-over, so
   * that the kernel's path of a request is warm too. The kernel handles the request under its
   * RTNL lock, as it does the add: while another process holds that lock, this waits as the add
   * would. Returns the kernel's error number (19), or -1 when the request could not be made.
   */
  public synchronized int warmAdd(VirtualIp vip, boolean preferredZero) {
    int s = nextSeq();
    writeAdd(out.clear(), s, 0, vip, Lease.forever(), preferredZero);
    try {
      return ack(s);
    } catch (BackendException | MalformedReplyException e) {
      return -1;
    }
  }

  /** The positive errno of the NLMSG_ERROR message at the reader (0 for an ACK). */
  private int errno() throws MalformedReplyException {
    in.requirePayload(4, "nlmsgerr");
    int error = in.i32(0);
    if (error > 0 || error < -4095) {
      throw new MalformedReplyException("nlmsgerr error " + error + " is not a negative errno");
    }
    return -error;
  }

  /** The kernel's explanation attached to the NLMSG_ERROR at the reader, or empty. */
  private String extAck() throws MalformedReplyException {
    if ((in.flags() & Nl.NLM_F_ACK_TLVS) == 0) {
      return "";
    }
    int offset = 4 + Nl.HEADER;
    if ((in.flags() & Nl.NLM_F_CAPPED) == 0) {
      in.requirePayload(4 + Nl.HEADER, "nlmsgerr");
      offset = 4 + Nl.align(in.i32(4));
    }
    in.attributes(offset);
    while (in.nextAttribute()) {
      if (in.attrType() == Nl.NLMSGERR_ATTR_MSG) {
        return in.attrString();
      }
    }
    return "";
  }

  private interface Request {
    void write(MessageWriter w, int seq);
  }

  private interface Handler {
    void handle(MessageReader m) throws MalformedReplyException;
  }

  /**
   * Runs a dump, again from the start (after {@code restart}) when the kernel flags it
   * interrupted ({@code NLM_F_DUMP_INTR}: the table changed meanwhile), at most {@value
   * #DUMP_ATTEMPTS} times; the last attempt's result stands even if it was interrupted.
   */
  private void dump(String request, Request write, int type, Handler handler, Runnable restart)
      throws BackendException {
    try {
      for (int attempt = 0; attempt < DUMP_ATTEMPTS; attempt++) {
        int s = nextSeq();
        write.write(out.clear(), s);
        channel.send(out.buffer(), out.size());
        boolean interrupted = false;
        boolean finished = false;
        while (!finished) {
          receive();
          while (in.next()) {
            if (in.seq() != s) {
              continue;
            }
            interrupted |= (in.flags() & Nl.NLM_F_DUMP_INTR) != 0;
            if (in.type() == Nl.NLMSG_DONE) {
              finished = true;
              break;
            }
            if (in.type() == Nl.NLMSG_ERROR) {
              int errno = errno();
              throw Errno.error(errno == 0 ? Errno.EINVAL : errno, request + where,
                  "CAP_NET_ADMIN", extAck());
            }
            if (in.type() == type) {
              handler.handle(in);
            }
          }
        }
        if (!interrupted || attempt == DUMP_ATTEMPTS - 1) {
          // After the last attempt the (possibly inconsistent) result stands: the kernel may
          // keep changing addresses for seconds (thousands of new IPv6 addresses completing),
          // and every caller compares again later (the agent reconciles periodically).
          return;
        }
        restart.run();
      }
    } catch (MalformedReplyException e) {
      throw malformed(request, e);
    }
  }

  private BackendException malformed(String request, MalformedReplyException e) {
    return new BackendException(Kind.OTHER, "rtnetlink sent a reply to " + request + where
        + " that vipha cannot read: " + e.getMessage(), e);
  }

  /** The buffer the next request is written to (for tests). */
  ByteBuffer requestBuffer() {
    return out.buffer();
  }

  @Override
  public void close() {
    channel.close();
  }
}
