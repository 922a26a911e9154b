package io.vipha.netlink.internal;

import io.vipha.spi.HostAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The host's addresses as rtnetlink last reported them, by interface index, address and prefix:
 * what a {@link Watcher} keeps so that listing the host's addresses needs no dump. An address
 * event is compared in place with what the table holds, so that an event that changes no
 * address (a renewal's new lifetimes, a flag) creates no object. Not thread-safe.
 */
final class AddressTable {
  private final Map<Key, Key> entries = new HashMap<>();
  /** The key of the event being read, compared in place. */
  private final Key probe = new Key();
  /** Counts the changes, so that a reader can tell that nothing changed since it looked. */
  private long version;

  /**
   * One address: its interface index, prefix length and bytes. The kernel tells IPv4 addresses
   * apart by prefix too (192.0.2.10/24 and /25 may coexist), IPv6 ones by address alone (a new
   * prefix replaces the old).
   */
  private static final class Key {
    int index;
    int prefix;
    int length;
    final byte[] bytes = new byte[16];
    /** The address (null in the probe). */
    @Nullable InetAddress address;

    /** Makes this key {@code bytes} with {@code prefix} on interface {@code index}. */
    void set(int index, int prefix, byte[] bytes) {
      this.index = index;
      this.prefix = prefix;
      this.length = bytes.length;
      System.arraycopy(bytes, 0, this.bytes, 0, bytes.length);
    }

    @Override
    public int hashCode() {
      int h = 31 * index + (length == 4 ? prefix : 0);
      for (int i = 0; i < length; i++) {
        h = 31 * h + bytes[i];
      }
      return h;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Key k && k.index == index && k.length == length
          && (length != 4 || k.prefix == prefix) && Arrays.equals(k.bytes, 0, length, bytes, 0,
          length);
    }
  }

  /** The number of changes so far. */
  long version() {
    return version;
  }

  /**
   * Applies the RTM_NEWADDR or RTM_DELADDR at {@code m} ({@code added}: new); whether the set of
   * addresses changed.
   */
  boolean apply(MessageReader m, boolean added) throws MalformedReplyException {
    read(m, probe);
    long was = version;
    if (!added) {
      if (entries.remove(probe) == null) {
        return false;
      }
      version++;
      return true;
    }
    if (present()) {
      return version != was;
    }
    byte[] bytes = Arrays.copyOf(probe.bytes, probe.length);
    try {
      return put(probe.index, InetAddress.getByAddress(bytes), bytes, probe.prefix);
    } catch (UnknownHostException e) {
      throw new MalformedReplyException("address of " + bytes.length + " bytes");
    }
  }

  /**
   * Adds {@code address} ({@code bytes}, its bytes) with {@code prefix} on interface {@code
   * index} unless present; whether it was absent.
   */
  boolean put(int index, InetAddress address, byte[] bytes, int prefix) {
    probe.set(index, prefix, bytes);
    if (present()) {
      return false;
    }
    Key k = new Key();
    k.set(index, prefix, bytes);
    k.address = address;
    entries.put(k, k);
    version++;
    return true;
  }

  /**
   * Whether the table holds the {@link #probe}'s address with its prefix; an IPv6 address held
   * with another prefix takes the probe's (a change).
   */
  private boolean present() {
    Key held = entries.get(probe);
    if (held == null) {
      return false;
    }
    if (held.prefix != probe.prefix) {
      held.prefix = probe.prefix;
      version++;
    }
    return true;
  }

  /** Replaces the table by {@code all} (a dump). */
  void reset(Iterable<Address> all) {
    entries.clear();
    for (Address a : all) {
      put(a.index(), a.address(), a.address().getAddress(), a.prefixLength());
    }
    version++;
  }

  /** The addresses on the interfaces whose index {@code names} maps to a name. */
  Set<HostAddress> list(Map<Integer, String> names) {
    Set<HostAddress> out = new HashSet<>();
    for (Key k : entries.keySet()) {
      String name = names.get(k.index);
      if (name != null) {
        out.add(new HostAddress(Objects.requireNonNull(k.address), k.prefix, name));
      }
    }
    return out;
  }

  /** Reads the address of the message at {@code m} into {@code into}, in place. */
  private static void read(MessageReader m, Key into) throws MalformedReplyException {
    int offset = Address.locate(m);
    into.index = m.i32(4);
    into.prefix = m.u8(1);
    into.length = Address.size(m.u8(0));
    m.copy(offset, into.bytes, into.length);
  }
}
