package io.vipha.netlink.internal;

import io.vipha.spi.BackendException;
import io.vipha.spi.BackendException.Kind;

/**
 * Linux errno values (the generic table used by x86-64, arm64 and most architectures), their
 * names, and what each means for the caller.
 */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EINTR = 4;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int ENODEV = 19;
  public static final int EINVAL = 22;
  public static final int EMSGSIZE = 90;
  public static final int EPROTONOSUPPORT = 93;
  public static final int EOPNOTSUPP = 95;
  public static final int EAFNOSUPPORT = 97;
  public static final int EADDRNOTAVAIL = 99;
  public static final int ENETDOWN = 100;
  public static final int ENOBUFS = 105;
  public static final int ETIMEDOUT = 110;

  /** How to grant the capabilities, for permission errors. */
  static final String GRANT = "Run as root, or grant the capabilities to the JVM: in a systemd"
      + " unit `AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW` (with the same"
      + " CapabilityBoundingSet), or `setcap cap_net_admin,cap_net_raw+ep` on a dedicated java"
      + " binary.";

  private Errno() {}

  /** The symbolic name of {@code errno}, e.g. {@code ENOBUFS}; {@code errno 123} if unknown. */
  public static String name(int errno) {
    return switch (errno) {
      case EPERM -> "EPERM";
      case ENOENT -> "ENOENT";
      case 3 -> "ESRCH";
      case EINTR -> "EINTR";
      case 5 -> "EIO";
      case 6 -> "ENXIO";
      case 9 -> "EBADF";
      case EAGAIN -> "EAGAIN";
      case ENOMEM -> "ENOMEM";
      case EACCES -> "EACCES";
      case 14 -> "EFAULT";
      case EBUSY -> "EBUSY";
      case EEXIST -> "EEXIST";
      case ENODEV -> "ENODEV";
      case EINVAL -> "EINVAL";
      case 23 -> "ENFILE";
      case 24 -> "EMFILE";
      case 28 -> "ENOSPC";
      case 34 -> "ERANGE";
      case 38 -> "ENOSYS";
      case EMSGSIZE -> "EMSGSIZE";
      case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
      case EOPNOTSUPP -> "EOPNOTSUPP";
      case EAFNOSUPPORT -> "EAFNOSUPPORT";
      case 98 -> "EADDRINUSE";
      case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
      case ENETDOWN -> "ENETDOWN";
      case 101 -> "ENETUNREACH";
      case ENOBUFS -> "ENOBUFS";
      case ETIMEDOUT -> "ETIMEDOUT";
      default -> "errno " + errno;
    };
  }

  /** What an errno means for retrying. */
  public static Kind kind(int errno) {
    return switch (errno) {
      case EPERM, EACCES -> Kind.PERMISSION;
      case ENODEV -> Kind.NO_SUCH_INTERFACE;
      case EAGAIN, EINTR, ENOMEM, EBUSY, ENOBUFS, ETIMEDOUT, ENETDOWN -> Kind.TRANSIENT;
      case EAFNOSUPPORT, EPROTONOSUPPORT, EOPNOTSUPP -> Kind.UNSUPPORTED;
      default -> Kind.OTHER;
    };
  }

  /**
   * The error for {@code errno} from {@code request}: names the errno and the request, and for a
   * permission error says which capability is missing and how to grant it.
   *
   * @param capability the capability the request needs, e.g. {@code CAP_NET_ADMIN}
   * @param detail the kernel's own explanation (extended ACK), or empty
   */
  static BackendException error(int errno, String request, String capability, String detail) {
    Kind kind = kind(errno);
    String why = detail.isEmpty() ? "" : " (" + detail + ")";
    if (kind == Kind.PERMISSION) {
      return new BackendException(kind, request + " was refused with " + name(errno) + why
          + ": vipha's Linux backend needs CAP_NET_ADMIN to change addresses and CAP_NET_RAW to"
          + " announce them; this needs " + capability + ". " + GRANT);
    }
    return new BackendException(kind, request + " failed with " + name(errno) + why);
  }
}
