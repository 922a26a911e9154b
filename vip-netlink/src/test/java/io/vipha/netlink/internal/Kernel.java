package io.vipha.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Well-formed rtnetlink replies, as the kernel sends them, to the requests the backend makes:
 * two links ({@code lo} index 1, {@code v0} index 5), two addresses on {@code v0}, an ACK for
 * every address change. The fuzz test mutates them.
 */
final class Kernel implements FakeChannel.Responder {
  static final byte[] MAC = {2, 0, 0, 0, 0, 5};
  /** The errno to answer address changes with (0: success). */
  int addressErrno;
  /** The address changes (RTM_NEWADDR, RTM_DELADDR) received. */
  int addressChanges;
  /** How many of the next single-address requests (RTM_GETADDR) find the address tentative. */
  int tentativeReplies;
  /** The errno to answer a single-address request with (0: the address). */
  int getAddressErrno;
  /** The single-address requests (RTM_GETADDR, not a dump) received. */
  int addressGets;

  @Override
  public List<byte[]> respond(byte[] request) {
    ByteBuffer b = ByteBuffer.allocateDirect(request.length).order(ByteOrder.nativeOrder());
    b.put(request);
    MessageReader r = new MessageReader(b).reset(request.length);
    List<byte[]> out = new ArrayList<>();
    MessageWriter acks = new MessageWriter(64 * 1024);
    try {
      while (r.next()) {
        int seq = r.seq();
        boolean dump = (r.flags() & Nl.NLM_F_DUMP) == Nl.NLM_F_DUMP;
        switch (r.type()) {
          case Nl.RTM_GETLINK -> {
            MessageWriter w = new MessageWriter(8192);
            if (dump) {
              link(w, seq, Nl.NLM_F_MULTI, 1, "lo", new byte[6]);
              link(w, seq, Nl.NLM_F_MULTI, 5, "v0", MAC);
              w.begin(Nl.NLMSG_DONE, Nl.NLM_F_MULTI, seq).i32(0).end();
            } else {
              link(w, seq, 0, 5, "v0", MAC);
              if ((r.flags() & Nl.NLM_F_ACK) != 0) {
                w.begin(Nl.NLMSG_ERROR, Nl.NLM_F_CAPPED, seq).i32(0)
                    .i32(Nl.HEADER + r.payloadLength()).i32((r.flags() << 16) | r.type())
                    .i32(seq).i32(0).end();
              }
            }
            out.add(bytes(w));
          }
          case Nl.RTM_GETADDR -> {
            MessageWriter w = new MessageWriter(8192);
            if (!dump) {
              addressGets++;
              if (getAddressErrno != 0) {
                w.begin(Nl.NLMSG_ERROR, Nl.NLM_F_CAPPED, seq).i32(-getAddressErrno)
                    .i32(Nl.HEADER + r.payloadLength()).i32((r.flags() << 16) | r.type())
                    .i32(seq).i32(0).end();
              } else {
                int flags = Nl.IFA_F_NODAD | (tentativeReplies-- > 0 ? Nl.IFA_F_TENTATIVE : 0);
                r.attributes(Nl.IFADDRMSG);
                byte[] address = new byte[0];
                while (r.nextAttribute()) {
                  if (r.attrType() == Nl.IFA_ADDRESS) {
                    address = r.attrBytes();
                  }
                }
                w.begin(Nl.RTM_NEWADDR, 0, seq).ifaddrmsg(Nl.AF_INET6, r.u8(1), flags, 0,
                    r.i32(4)).attr(Nl.IFA_ADDRESS, address).attrU32(Nl.IFA_FLAGS, flags)
                    .cacheInfo(0, Nl.INFINITY).end();
              }
              out.add(bytes(w));
              continue;
            }
            w.begin(Nl.RTM_NEWADDR, Nl.NLM_F_MULTI, seq).ifaddrmsg(Nl.AF_INET, 24, 0, 0, 5)
                .attr(Nl.IFA_ADDRESS, new byte[] {(byte) 192, 0, 2, 10})
                .attr(Nl.IFA_LOCAL, new byte[] {(byte) 192, 0, 2, 10})
                .attrString(Nl.IFA_LABEL, "v0:web").cacheInfo(30, 30).end();
            out.add(bytes(w));
            w = new MessageWriter(8192);
            byte[] v6 = new byte[16];
            v6[0] = 0x20;
            v6[1] = 0x01;
            v6[2] = 0x0d;
            v6[3] = (byte) 0xb8;
            v6[15] = 0x10;
            w.begin(Nl.RTM_NEWADDR, Nl.NLM_F_MULTI, seq).ifaddrmsg(Nl.AF_INET6, 64, 0, 0, 5)
                .attr(Nl.IFA_ADDRESS, v6).attrU32(Nl.IFA_FLAGS, Nl.IFA_F_NODAD)
                .cacheInfo(0, Nl.INFINITY).end();
            w.begin(Nl.NLMSG_DONE, Nl.NLM_F_MULTI, seq).i32(0).end();
            out.add(bytes(w));
          }
          case Nl.RTM_NEWADDR, Nl.RTM_DELADDR -> {
            addressChanges++;
            acks.begin(Nl.NLMSG_ERROR, Nl.NLM_F_CAPPED, seq).i32(-addressErrno)
                .i32(Nl.HEADER + r.payloadLength()).i32((r.flags() << 16) | r.type()).i32(seq)
                .i32(0).end();
            if (acks.size() > 4096) {
              out.add(bytes(acks));
              acks.clear();
            }
          }
          default -> throw new AssertionError("unexpected request type " + r.type());
        }
      }
    } catch (MalformedReplyException e) {
      throw new AssertionError("the backend sent a malformed request", e);
    }
    if (acks.size() > 0) {
      out.add(bytes(acks));
    }
    return out;
  }

  private static void link(MessageWriter w, int seq, int flags, int index, String name,
      byte[] mac) {
    w.begin(Nl.RTM_NEWLINK, flags, seq).ifinfomsg(0, index, Nl.IFF_UP | Nl.IFF_RUNNING)
        .attrString(Nl.IFLA_IFNAME, name).attr(Nl.IFLA_ADDRESS, mac)
        .attr(Nl.IFLA_OPERSTATE, new byte[] {6}).end();
  }

  static byte[] bytes(MessageWriter w) {
    byte[] b = new byte[w.size()];
    w.buffer().get(0, b);
    return b;
  }
}
