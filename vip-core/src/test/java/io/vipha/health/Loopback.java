package io.vipha.health;

import io.vipha.internal.Addresses;
import java.net.InetAddress;
import java.util.Objects;

/** IP literals for tests, parsed strictly and never resolved. */
final class Loopback {
  private Loopback() {}

  /** The address written as {@code literal}, e.g. {@code 127.0.0.1} or {@code ::1}. */
  static InetAddress ip(String literal) {
    return Objects.requireNonNull(Addresses.parseIp(literal), literal);
  }
}
