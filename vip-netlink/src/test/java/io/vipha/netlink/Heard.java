package io.vipha.netlink;

import io.vipha.spi.AddressBackend;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A watch listener that records what it hears, in order, as {@code "addresses IFACE"} and {@code
 * "link IFACE up"} or {@code "link IFACE down"}; from any thread.
 */
public final class Heard implements AddressBackend.Listener {
  /** What was heard so far, unless given a collection of its own. */
  public final List<String> events = new CopyOnWriteArrayList<>();
  private final Collection<String> into;

  /** Records into {@link #events}. */
  public Heard() {
    into = events;
  }

  /** Records into {@code into} (a thread-safe collection: a queue to wait on, say). */
  public Heard(Collection<String> into) {
    this.into = into;
  }

  @Override
  public void addressesChanged(String interfaceName) {
    into.add("addresses " + interfaceName);
  }

  @Override
  public void linkChanged(String interfaceName, boolean up) {
    into.add("link " + interfaceName + (up ? " up" : " down"));
  }
}
