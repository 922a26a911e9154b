package io.vipha.vipd;

import io.vipha.spi.BackendException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Checks the process's effective capabilities before the backend needs them, so that a daemon
 * started without them stops at once with exit code 77 rather than when it first takes a VIP.
 */
final class Capabilities {
  static final int CAP_NET_ADMIN = 12;
  static final int CAP_NET_RAW = 13;
  static final int CAP_SYS_ADMIN = 21;

  private Capabilities() {}

  /** Throws a PERMISSION error when this process lacks what the backend needs. */
  static void require(boolean namespace) throws BackendException {
    String status;
    try {
      status = Files.readString(Path.of("/proc/self/status"));
    } catch (IOException e) {
      return; // not Linux, or no procfs: the backend itself says what is wrong
    }
    String missing = missing(status, namespace);
    if (missing != null) {
      throw new BackendException(BackendException.Kind.PERMISSION, missing);
    }
  }

  /** Why the process whose {@code /proc/PID/status} is {@code status} cannot run, or null. */
  static @Nullable String missing(String status, boolean namespace) {
    long effective = -1;
    for (String line : status.split("\n", -1)) {
      if (line.startsWith("CapEff:")) {
        try {
          effective = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    if (effective < 0) {
      return null;
    }
    List<String> lacking = new ArrayList<>();
    if ((effective & (1L << CAP_NET_ADMIN)) == 0) {
      lacking.add("CAP_NET_ADMIN");
    }
    if ((effective & (1L << CAP_NET_RAW)) == 0) {
      lacking.add("CAP_NET_RAW");
    }
    if (namespace && (effective & (1L << CAP_SYS_ADMIN)) == 0) {
      lacking.add("CAP_SYS_ADMIN");
    }
    if (lacking.isEmpty()) {
      return null;
    }
    return "this process lacks " + String.join(" and ", lacking) + ": vipha's Linux backend"
        + " needs CAP_NET_ADMIN to change addresses and CAP_NET_RAW to announce them"
        + (namespace ? ", and CAP_SYS_ADMIN to enter another network namespace" : "")
        + ". Run vipd as root, or as a service user with AmbientCapabilities=CAP_NET_ADMIN"
        + " CAP_NET_RAW in its systemd unit (see vipd/systemd/vipd.service), or give the java"
        + " binary the capabilities with: setcap cap_net_admin,cap_net_raw+ep $(readlink -f"
        + " $(command -v java))";
  }
}
