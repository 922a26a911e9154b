package io.vipha.netlink;

import io.vipha.spi.AddressBackend;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A watch listener that records what it hears, in order, as {@code "addresses IFACE"} and {@code
 * "link IFACE up"} or {@code "link IFACE down"}; from any thread.
 */
public final class Heard implements AddressBackend.Listener {
  /** What was heard so far. */
  public final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public void addressesChanged(String interfaceName) {
    events.add("addresses " + interfaceName);
  }

  @Override
  public void linkChanged(String interfaceName, boolean up) {
    events.add("link " + interfaceName + (up ? " up" : " down"));
  }
}
