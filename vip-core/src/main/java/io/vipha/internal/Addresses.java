package io.vipha.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** Strict parsing of IP literals: never a DNS lookup, never a lenient form such as {@code 10.1}. */
public final class Addresses {
  private Addresses() {}

  /** Parses an IPv4 dotted quad or an IPv6 literal (no brackets, no zone), or returns null. */
  public static @Nullable InetAddress parseIp(String text) {
    if (text.isEmpty() || text.length() > 45) {
      return null;
    }
    if (text.indexOf(':') >= 0) {
      return parseIpv6(text);
    }
    return parseIpv4(text);
  }

  private static @Nullable InetAddress parseIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return null;
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        char c = p.charAt(j);
        if (c < '0' || c > '9') {
          return null;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return null;
      }
      bytes[i] = (byte) v;
    }
    return byAddress(bytes);
  }

  private static @Nullable InetAddress parseIpv6(String text) {
    if (text.charAt(0) == '.') {
      // InetAddress.getByName treats text that does not start with a hex digit or ':' as a host
      // name and resolves it (".:1" reaches DNS); no IPv6 literal starts with '.'.
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
          || c == ':' || c == '.';
      if (!ok) {
        return null;
      }
    }
    try {
      // Only hex digits, ':' and '.', starting with a hex digit or ':': parsed as a literal, never
      // resolved.
      InetAddress a = InetAddress.getByName(text);
      if (a instanceof Inet6Address) {
        return a;
      }
      // An IPv4-mapped literal such as ::ffff:192.0.2.1 comes back as IPv4: not a valid VIP form.
      return null;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static InetAddress byAddress(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Parses {@code ip}, {@code ip:port}, {@code [ipv6]} or {@code [ipv6]:port}; a missing port
   * becomes {@code defaultPort}. Returns null when the text is not such a literal.
   */
  public static @Nullable InetSocketAddress parseEndpoint(String text, int defaultPort) {
    String host;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return null;
        }
        port = rest.substring(1);
      }
      if (host.indexOf(':') < 0) {
        return null;
      }
    } else if (text.indexOf(':') != text.lastIndexOf(':')) {
      host = text; // a bare IPv6 literal, no port
    } else {
      int colon = text.indexOf(':');
      host = colon < 0 ? text : text.substring(0, colon);
      port = colon < 0 ? null : text.substring(colon + 1);
    }
    InetAddress ip = parseIp(host);
    if (ip == null) {
      return null;
    }
    int p = defaultPort;
    if (port != null) {
      if (port.isEmpty() || port.length() > 5 || !isAsciiDigits(port)) {
        return null;
      }
      p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        return null;
      }
    }
    return new InetSocketAddress(ip, p);
  }

  /**
   * {@code true} when {@code text} holds only the digits 0–9 (unlike {@link Character#isDigit},
   * which also takes other scripts' digits that {@link Integer#parseInt} then accepts).
   */
  public static boolean isAsciiDigits(String text) {
    return text.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /**
   * The endpoint as text: {@code ip:port}, or {@code [ipv6]:port} with the address in the form of
   * {@link #text(InetAddress)}; an unresolved endpoint keeps its host name.
   */
  public static String text(InetSocketAddress endpoint) {
    InetAddress a = endpoint.getAddress();
    String host = a == null ? endpoint.getHostString() : text(a);
    return (a instanceof Inet6Address ? "[" + host + "]" : host) + ":" + endpoint.getPort();
  }

  /**
   * The address as text: IPv4 dotted quad, IPv6 in the RFC 5952 form ({@code 2001:db8::10} rather
   * than the JDK's {@code 2001:db8:0:0:0:0:0:10}): lowercase, no leading zeros, the longest run of
   * two or more zero groups (the first on a tie) as {@code ::}, an IPv4-mapped address as {@code
   * ::ffff:192.0.2.1}; a zone is dropped. The one text form of an address across vipha.
   */
  public static String text(InetAddress a) {
    if (!(a instanceof Inet6Address)) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    if (isIpv4Mapped(groups)) {
      return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "."
          + (b[15] & 0xff);
    }
    // The longest run of two or more zero groups (the first on a tie) becomes "::".
    int runStart = -1;
    int runLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > runLength) {
        runStart = i;
        runLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == runStart) {
        sb.append("::");
        i += runLength - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  /** RFC 4291 section 2.5.5.2: {@code ::ffff:0:0/96}. */
  private static boolean isIpv4Mapped(int[] groups) {
    for (int i = 0; i < 5; i++) {
      if (groups[i] != 0) {
        return false;
      }
    }
    return groups[5] == 0xffff;
  }

  /** The family's bit length: 32 for IPv4, 128 for IPv6. */
  public static int bits(InetAddress a) {
    return a instanceof Inet4Address ? 32 : 128;
  }
}
