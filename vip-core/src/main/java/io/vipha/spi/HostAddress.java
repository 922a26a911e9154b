package io.vipha.spi;

import io.vipha.VirtualIp;
import io.vipha.internal.Addresses;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An address as the host holds it.
 *
 * @param address the address
 * @param prefixLength its prefix length
 * @param interfaceName the interface that carries it
 */
public record HostAddress(InetAddress address, int prefixLength, String interfaceName) {
  /** Checks the fields. */
  public HostAddress {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(interfaceName, "interfaceName");
  }

  /** The host form of {@code vip}. */
  public static HostAddress of(VirtualIp vip) {
    return new HostAddress(vip.address(), vip.prefixLength(), vip.interfaceName());
  }

  /** Whether this is {@code vip}'s address on {@code vip}'s interface (any prefix). */
  public boolean matches(VirtualIp vip) {
    return address.equals(vip.address()) && interfaceName.equals(vip.interfaceName());
  }

  @Override
  public String toString() {
    return Addresses.text(address) + "/" + prefixLength + " on " + interfaceName;
  }
}
