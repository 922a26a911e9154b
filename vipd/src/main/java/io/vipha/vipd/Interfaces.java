package io.vipha.vipd;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.config.DaemonSettings;
import io.vipha.internal.Addresses;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jspecify.annotations.Nullable;

/** The start-up check that the interfaces the configuration names exist. */
final class Interfaces {
  private Interfaces() {}

  /**
   * Fails with {@link ExitCode#NO_SUCH_INTERFACE} when an interface of the group's VIPs is not on
   * the host (as the backend sees it), or the multicast interface is not in this process's
   * network namespace (where the heartbeat socket is).
   */
  static void check(AddressBackend backend, VipGroup group, DaemonSettings daemon,
      @Nullable String namespace) throws Failure {
    Set<String> present = new ConcurrentSkipListSet<>();
    try {
      Cancellable watch = backend.watch(new AddressBackend.Listener() {
        @Override
        public void addressesChanged(String interfaceName) {}

        @Override
        public void linkChanged(String interfaceName, boolean up) {
          present.add(interfaceName);
        }
      });
      watch.cancel();
    } catch (BackendException e) {
      throw new Failure(ExitCode.of(e.kind()), String.valueOf(e.getMessage()));
    }
    String where = namespace == null ? "" : " in network namespace " + namespace;
    Map<String, List<String>> missing = new LinkedHashMap<>();
    for (VirtualIp v : group.vips()) {
      if (!present.isEmpty() && !present.contains(v.interfaceName())) {
        missing.computeIfAbsent(v.interfaceName(), k -> new ArrayList<>()).add(v.cidr());
      }
    }
    if (!missing.isEmpty()) {
      List<String> parts = new ArrayList<>();
      missing.forEach((i, vips) -> parts.add(i + " (for " + String.join(", ", vips) + ")"));
      throw new Failure(ExitCode.NO_SUCH_INTERFACE, "interface" + (parts.size() > 1 ? "s " : " ")
          + String.join(", ", parts) + (parts.size() > 1 ? " do" : " does") + " not exist"
          + where + "; the interfaces" + where + " are " + String.join(", ",
          new TreeSet<>(present)));
    }
    DaemonSettings.Multicast m = daemon.multicast();
    if (m != null) {
      try {
        if (NetworkInterface.getByName(m.interfaceName()) == null) {
          List<String> here = new ArrayList<>();
          for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            here.add(i.getName());
          }
          Collections.sort(here);
          throw new Failure(ExitCode.NO_SUCH_INTERFACE, "interface " + m.interfaceName()
              + " (for the heartbeat multicast group " + Addresses.text(m.group())
              + ") does not exist;"
              + " the interfaces are " + String.join(", ", here));
        }
      } catch (SocketException e) {
        throw new Failure(ExitCode.FAILURE, "cannot list the network interfaces: " + e);
      }
    }
  }
}
