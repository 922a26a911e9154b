package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.BackendException;
import io.vipha.spi.BackendException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request/reply logic against a scripted kernel: no root needed. */
class RtnlTest {
  private final Kernel kernel = new Kernel();
  private final FakeChannel channel = new FakeChannel(kernel);
  private final Rtnl rtnl = new Rtnl(channel, " in network namespace t");

  @Test
  void readsALinkAndAMultiPartAddressDump() throws Exception {
    Link v0 = rtnl.link("v0");
    assertThat(v0.index()).isEqualTo(5);
    assertThat(v0.mac()).isEqualTo(Kernel.MAC);
    assertThat(v0.up()).isTrue();
    assertThat(v0.operState()).isEqualTo(6);
    assertThat(rtnl.links()).extracting(Link::name).containsExactly("lo", "v0");
    List<Address> a = rtnl.addresses();
    assertThat(a).hasSize(2);
    assertThat(a.get(0).address().getHostAddress()).isEqualTo("192.0.2.10");
    assertThat(a.get(0).label()).isEqualTo("v0:web");
    assertThat(a.get(0).valid()).isEqualTo(30);
    assertThat(a.get(1).address().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:10");
    assertThat(a.get(1).flags()).isEqualTo(Nl.IFA_F_NODAD);
    assertThat(a.get(1).preferred()).isZero();
    assertThat(a.get(1).valid()).as("infinite").isEqualTo(-1);
  }

  @Test
  void aRehearsalSendsOneReadOnlyRequestAndChangesNoAddress() throws Exception {
    Link v0 = rtnl.link("v0");
    int before = channel.sent;
    rtnl.rehearse(v0);
    assertThat(channel.sent - before).as("one RTM_GETLINK with an ACK").isEqualTo(1);
    assertThat(kernel.addressChanges).isZero();
    // the request socket still pairs requests and replies afterwards
    rtnl.add(v0, VirtualIp.of("192.0.2.10/24", "v0"), Lease.forever(), false);
    assertThat(kernel.addressChanges).isEqualTo(1);
  }

  @Test
  void anIpv6AddReturnsOnceTheAddressIsNoLongerTentative() throws Exception {
    Link v0 = rtnl.link("v0");
    rtnl.usableWaitNanos = 60_000_000_000L; // (a slow machine's pauses must not end the wait)
    kernel.tentativeReplies = 3;
    rtnl.add(v0, VirtualIp.of("2001:db8::10/64", "v0"), Lease.forever(), false);
    assertThat(kernel.addressGets).as("asked until the fourth answer").isEqualTo(4);
    assertThat(kernel.tentativeReplies).isEqualTo(-1);
    // a renewal of a usable address asks once; an IPv4 address never
    rtnl.add(v0, VirtualIp.of("2001:db8::10/64", "v0"), Lease.forever(), false);
    assertThat(kernel.addressGets).isEqualTo(5);
    rtnl.add(v0, VirtualIp.of("192.0.2.10/24", "v0"), Lease.forever(), false);
    assertThat(kernel.addressGets).isEqualTo(5);
    assertThat(kernel.addressChanges).isEqualTo(3);
  }

  @Test
  void anIpv6AddThatStaysTentativeReturnsAfterTheBoundAndAGoneOneAtOnce() throws Exception {
    Link v0 = rtnl.link("v0");
    VirtualIp vip = VirtualIp.of("2001:db8::10/64", "v0");
    kernel.tentativeReplies = Integer.MAX_VALUE;
    long start = System.nanoTime();
    rtnl.add(v0, vip, Lease.forever(), false);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Rtnl.USABLE_WAIT_NANOS);
    assertThat(kernel.addressGets).isGreaterThan(1);
    kernel.addressGets = 0;
    kernel.getAddressErrno = Errno.EADDRNOTAVAIL; // removed meanwhile: nothing to wait for
    rtnl.add(v0, vip, Lease.forever(), false);
    assertThat(kernel.addressGets).isEqualTo(1);
    kernel.getAddressErrno = Errno.EPERM;
    assertThatThrownBy(() -> rtnl.add(v0, vip, Lease.forever(), false))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.kind())
            .isEqualTo(Kind.PERMISSION))
        .hasMessageStartingWith("RTM_GETADDR 2001:db8::10/64 on v0 in network namespace t"
            + " was refused with EPERM");
  }

  @Test
  void anUnreadableAnswerToAChangeNamesTheRequestAndTheHostOnce() throws Exception {
    FakeChannel.Responder truncatedAcks = request -> {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(request)
          .order(java.nio.ByteOrder.nativeOrder());
      if (b.getShort(4) != Nl.RTM_NEWADDR) {
        return kernel.respond(request);
      }
      MessageWriter w = new MessageWriter(64);
      w.begin(Nl.NLMSG_ERROR, 0, b.getInt(8)).end(); // no nlmsgerr in it
      return List.of(Kernel.bytes(w));
    };
    Rtnl broken = new Rtnl(new FakeChannel(truncatedAcks), " in network namespace t");
    Link v0 = broken.link("v0");
    assertThatThrownBy(() -> broken.add(v0, VirtualIp.of("192.0.2.10/24", "v0"),
        Lease.forever(), false))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.kind())
            .isEqualTo(Kind.OTHER))
        .hasMessageStartingWith("rtnetlink sent a reply to RTM_NEWADDR 192.0.2.10/24 on v0 in"
            + " network namespace t that vipha cannot read: ");
  }

  @Test
  void existingOnAddAndAbsentOnDeleteCountAsDone() throws Exception {
    Link v0 = rtnl.link("v0");
    VirtualIp vip = VirtualIp.of("192.0.2.10/24", "v0");
    kernel.addressErrno = Errno.EEXIST;
    rtnl.add(v0, vip, Lease.forever(), false);
    kernel.addressErrno = Errno.EADDRNOTAVAIL;
    rtnl.delete(v0, vip);
    assertThatThrownBy(() -> rtnl.add(v0, vip, Lease.forever(), false))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.kind())
            .isEqualTo(Kind.OTHER))
        .hasMessage("RTM_NEWADDR 192.0.2.10/24 on v0 in network namespace t failed with"
            + " EADDRNOTAVAIL");
  }

  @Test
  void errorsNameTheErrnoAndTheRequestAndPermissionSaysHowToGrantIt() throws Exception {
    Link v0 = rtnl.link("v0");
    VirtualIp vip = VirtualIp.of("2001:db8::10/64", "v0");
    kernel.addressErrno = Errno.ENOBUFS;
    assertThatThrownBy(() -> rtnl.add(v0, vip, Lease.forever(), false))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessage("RTM_NEWADDR 2001:db8::10/64 on v0 in network namespace t failed with"
            + " ENOBUFS");
    kernel.addressErrno = Errno.EPERM;
    assertThatThrownBy(() -> rtnl.delete(v0, vip))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.kind())
            .isEqualTo(Kind.PERMISSION))
        .hasMessageStartingWith("RTM_DELADDR 2001:db8::10/64 on v0 in network namespace t was"
            + " refused with EPERM: vipha's Linux backend needs CAP_NET_ADMIN")
        .hasMessageContaining("AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW");
  }

  @Test
  void theKernelsExtendedAckTextIsPartOfTheMessage() throws Exception {
    FakeChannel c = new FakeChannel(request -> {
      MessageReader r = reader(request);
      MessageWriter w = new MessageWriter(1024);
      w.begin(Nl.NLMSG_ERROR, Nl.NLM_F_CAPPED | Nl.NLM_F_ACK_TLVS, r.seq()).i32(-Errno.EINVAL)
          .i32(16).i32(r.type()).i32(r.seq()).i32(0)
          .attrString(Nl.NLMSGERR_ATTR_MSG, "Invalid prefix length").end();
      return List.of(Kernel.bytes(w));
    });
    Rtnl r = new Rtnl(c, "");
    Link l = new Link(5, "v0", Kernel.MAC, 0, 6);
    assertThatThrownBy(() -> r.add(l, VirtualIp.of("192.0.2.1/24", "v0"), Lease.forever(),
        false)).hasMessage("RTM_NEWADDR 192.0.2.1/24 on v0 failed with EINVAL (Invalid prefix"
        + " length)");
  }

  @Test
  void aReplyToAnEarlierRequestIsSkipped() throws Exception {
    FakeChannel c = new FakeChannel(request -> {
      MessageReader r = reader(request);
      MessageWriter stale = new MessageWriter(1024);
      stale.begin(Nl.NLMSG_ERROR, Nl.NLM_F_CAPPED, r.seq() - 1).i32(-Errno.EPERM).i32(16)
          .i32(0).i32(0).i32(0).end();
      MessageWriter ack = new MessageWriter(1024);
      ack.begin(Nl.NLMSG_ERROR, Nl.NLM_F_CAPPED, r.seq()).i32(0).i32(16).i32(0).i32(0).i32(0)
          .end();
      return List.of(Kernel.bytes(stale), Kernel.bytes(ack));
    });
    new Rtnl(c, "").delete(new Link(5, "v0", Kernel.MAC, 0, 6),
        VirtualIp.of("192.0.2.1/24", "v0"));
    assertThat(c.sent).isEqualTo(1);
  }

  @Test
  void anInterruptedDumpIsRestartedAndItsPartialResultDropped() throws Exception {
    Kernel k = new Kernel();
    int[] calls = {0};
    FakeChannel c = new FakeChannel(request -> {
      List<byte[]> replies = k.respond(request);
      if (calls[0]++ == 0) {
        byte[] first = replies.get(0);
        first[6] |= Nl.NLM_F_DUMP_INTR; // flags, low byte (little-endian)
      }
      return replies;
    });
    assertThat(new Rtnl(c, "").addresses()).hasSize(2);
    assertThat(c.sent).isEqualTo(2);
  }

  @Test
  void aDumpInterruptedEveryTimeReturnsItsLastResultAfterFiveAttempts() throws Exception {
    Kernel k = new Kernel();
    FakeChannel c = new FakeChannel(request -> {
      List<byte[]> replies = k.respond(request);
      replies.get(0)[6] |= Nl.NLM_F_DUMP_INTR;
      return replies;
    });
    assertThat(new Rtnl(c, "").addresses()).hasSize(2);
    assertThat(c.sent).isEqualTo(5);
  }

  @Test
  void pipelinedChangesAreAllAckedAndFailuresCounted() throws Exception {
    List<Rtnl.Change> changes = new ArrayList<>();
    for (int i = 1; i <= 1000; i++) {
      changes.add(new Rtnl.Change(VirtualIp.of("198.51.100." + (i % 250 + 1) + "/32", "v0"),
          i % 2 == 0));
    }
    Map<String, Link> links = Map.of("v0", new Link(5, "v0", Kernel.MAC, 0, 6));
    rtnl.apply(changes, links, Lease.of(Duration.ofSeconds(10)), false);
    assertThat(channel.sent).as("datagrams for 1,000 requests").isBetween(4, 40);
    kernel.addressErrno = Errno.EBUSY;
    assertThatThrownBy(() -> rtnl.apply(changes, links, Lease.forever(), false))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.kind())
            .isEqualTo(Kind.TRANSIENT))
        .hasMessageStartingWith("1000 of 1000 address changes failed; the first:");
  }

  @Test
  void anUnknownInterfaceListsTheOnesThatExist() {
    FakeChannel c = new FakeChannel(request -> {
      MessageReader r = reader(request);
      if ((r.flags() & Nl.NLM_F_DUMP) != 0) {
        return new Kernel().respond(request);
      }
      MessageWriter w = new MessageWriter(1024);
      w.begin(Nl.NLMSG_ERROR, Nl.NLM_F_CAPPED, r.seq()).i32(-Errno.ENODEV).i32(16).i32(0)
          .i32(0).i32(0).end();
      return List.of(Kernel.bytes(w));
    });
    assertThatThrownBy(() -> new Rtnl(c, "").link("eth9"))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.kind())
            .isEqualTo(Kind.NO_SUCH_INTERFACE))
        .hasMessage("interface eth9 does not exist; the interfaces are lo, v0");
  }

  static MessageReader reader(byte[] datagram) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(datagram.length)
        .order(java.nio.ByteOrder.nativeOrder());
    b.put(datagram);
    MessageReader r = new MessageReader(b).reset(datagram.length);
    try {
      if (!r.next()) {
        throw new AssertionError("empty request");
      }
    } catch (MalformedReplyException e) {
      throw new AssertionError(e);
    }
    return r;
  }
}
