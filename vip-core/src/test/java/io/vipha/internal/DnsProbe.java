package io.vipha.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Run by {@link AddressesTest} in a JVM whose resolver reads a test hosts file: prints what
 * {@link Addresses} makes of each argument, after proving that the hosts file answers lookups.
 */
final class DnsProbe {
  private DnsProbe() {}

  public static void main(String[] args) throws UnknownHostException {
    // Control: the resolver of this JVM answers from the test hosts file.
    System.out.println("control\t" + InetAddress.getByName(args[0]).getHostAddress());
    for (String text : args) {
      System.out.println(text + "\t" + Addresses.parseIp(text) + "\t"
          + Addresses.parseEndpoint(text, 7405) + "\t"
          + Addresses.parseEndpoint("[" + text + "]:7405", 7405));
    }
  }
}
