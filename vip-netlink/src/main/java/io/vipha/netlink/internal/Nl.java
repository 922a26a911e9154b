package io.vipha.netlink.internal;

/** Constants of the Linux netlink, rtnetlink and socket ABI that the backend uses. */
final class Nl {
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int AF_NETLINK = 16;
  static final int AF_PACKET = 17;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_RAW = 3;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int NETLINK_ROUTE = 0;

  static final int SOL_SOCKET = 1;
  static final int SO_BINDTODEVICE = 25;
  static final int IPPROTO_IP = 0;
  static final int IP_HDRINCL = 3;
  static final int IP_MULTICAST_IF = 32;
  static final int IP_MULTICAST_LOOP = 34;
  static final int IP_ADD_MEMBERSHIP = 35;
  static final int IPPROTO_IPV6 = 41;
  static final int IPV6_CHECKSUM = 7;
  static final int IPV6_UNICAST_HOPS = 16;
  static final int IPV6_MULTICAST_IF = 17;
  static final int IPV6_MULTICAST_HOPS = 18;
  static final int IPV6_MULTICAST_LOOP = 19;
  static final int IPV6_ADD_MEMBERSHIP = 20;
  static final int IPV6_RECVPKTINFO = 49;
  static final int IPV6_PKTINFO = 50;
  static final int IPV6_RECVHOPLIMIT = 51;
  static final int IPV6_HOPLIMIT = 52;
  static final int SO_SNDBUF = 7;
  static final int SO_RCVBUF = 8;
  static final int SO_RCVTIMEO = 20;
  static final int MSG_PEEK = 0x2;
  static final int MSG_DONTWAIT = 0x40;
  static final int SO_RCVBUFFORCE = 33;
  static final int SOL_NETLINK = 270;
  static final int NETLINK_CAP_ACK = 10;
  static final int NETLINK_EXT_ACK = 11;

  static final int O_RDONLY = 0;
  static final int O_CLOEXEC = 0x80000;
  static final int CLONE_NEWNET = 0x40000000;

  static final int HEADER = 16;
  static final int NLMSG_NOOP = 1;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLMSG_OVERRUN = 4;

  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_MULTI = 0x2;
  static final int NLM_F_ACK = 0x4;
  static final int NLM_F_DUMP_INTR = 0x10;
  static final int NLM_F_DUMP = 0x300;
  static final int NLM_F_REPLACE = 0x100;
  static final int NLM_F_CREATE = 0x400;
  static final int NLM_F_CAPPED = 0x100;
  static final int NLM_F_ACK_TLVS = 0x200;
  static final int NLMSGERR_ATTR_MSG = 1;

  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int RTM_GETLINK = 18;
  static final int RTM_NEWADDR = 20;
  static final int RTM_DELADDR = 21;
  static final int RTM_GETADDR = 22;

  static final int IFINFOMSG = 16;
  static final int IFLA_ADDRESS = 1;
  static final int IFLA_IFNAME = 3;
  static final int IFLA_OPERSTATE = 16;
  static final int IFF_UP = 0x1;
  static final int IFF_RUNNING = 0x40;

  static final int IFADDRMSG = 8;
  static final int IFA_ADDRESS = 1;
  static final int IFA_LOCAL = 2;
  static final int IFA_LABEL = 3;
  static final int IFA_CACHEINFO = 6;
  static final int IFA_FLAGS = 8;
  static final int IFA_F_NODAD = 0x02;
  static final int IFA_F_TENTATIVE = 0x40;
  static final int RT_SCOPE_UNIVERSE = 0;
  /** A lifetime that never runs out. */
  static final int INFINITY = 0xFFFFFFFF;

  static final int RTMGRP_LINK = 0x1;
  static final int RTMGRP_IPV4_IFADDR = 0x10;
  static final int RTMGRP_IPV6_IFADDR = 0x100;

  static final int ETH_P_ARP = 0x0806;
  static final int ETH_P_IPV6 = 0x86DD;

  private Nl() {}

  /** {@code n} rounded up to netlink's 4-byte alignment. */
  static int align(int n) {
    return (n + 3) & ~3;
  }
}
