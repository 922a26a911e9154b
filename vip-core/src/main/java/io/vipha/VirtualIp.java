package io.vipha;

import io.vipha.internal.Problems;
import io.vipha.internal.Addresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A Virtual IP: an IPv4 or IPv6 address with its prefix length, on a named interface.
 *
 * <p>Build one with {@link #builder()} or {@link #of(String, String)}:
 *
 * <pre>{@code
 * VirtualIp vip = VirtualIp.builder().address("192.0.2.10/24").interfaceName("eth0").build();
 * }</pre>
 *
 * @param address the address; never the unspecified, a multicast or the broadcast address
 * @param prefixLength 1–32 for IPv4, 1–128 for IPv6
 * @param interfaceName the Linux interface that carries the address (1–15 characters)
 * @param exposure {@link Exposure#PRIVATE} or {@link Exposure#PUBLIC}
 * @param label an IPv4 address label as Linux shows it ({@code eth0:web}), or null; it must start
 *     with the interface name
 */
public record VirtualIp(
    InetAddress address,
    int prefixLength,
    String interfaceName,
    Exposure exposure,
    @Nullable String label) {

  static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@:-]{1,15}");

  /** Validates every field; throws {@link ValidationException} naming all problems. */
  public VirtualIp {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(interfaceName, "interfaceName");
    Objects.requireNonNull(exposure, "exposure");
    Problems p = new Problems();
    check(p, address, prefixLength, interfaceName, label);
    p.throwIfAny();
  }

  /** A private VIP from {@code "192.0.2.10/24"} (or without prefix: /32, /128) on {@code iface}. */
  public static VirtualIp of(String cidr, String iface) {
    return builder().address(cidr).interfaceName(iface).build();
  }

  /** A new builder; {@code exposure} defaults to {@link Exposure#PRIVATE}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this VIP's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.address = address;
    b.prefixLength = prefixLength;
    b.interfaceName = interfaceName;
    b.exposure = exposure;
    b.label = label;
    return b;
  }

  /** {@code true} for an IPv4 address. */
  public boolean isIpv4() {
    return address instanceof Inet4Address;
  }

  /** The address in CIDR form, e.g. {@code 192.0.2.10/24}. */
  public String cidr() {
    return Addresses.text(address) + "/" + prefixLength;
  }

  @Override
  public String toString() {
    return cidr() + " on " + interfaceName + (exposure == Exposure.PUBLIC ? " (public)" : "");
  }

  private static void check(Problems p, @Nullable InetAddress address, int prefixLength,
      @Nullable String interfaceName, @Nullable String label) {
    if (address != null) {
      if (address.isAnyLocalAddress()) {
        p.add("address", Addresses.text(address),
            "is the unspecified address; use the service address clients connect to");
      } else if (address.isMulticastAddress()) {
        p.add("address", Addresses.text(address),
            "is a multicast address; a VIP must be a unicast address");
      } else if (address instanceof Inet4Address
          && Addresses.text(address).equals("255.255.255.255")) {
        p.add("address", Addresses.text(address),
            "is the broadcast address; a VIP must be a unicast address");
      }
      int bits = Addresses.bits(address);
      if (prefixLength < 1 || prefixLength > bits) {
        p.add("prefixLength", prefixLength, "is not a valid prefix for "
            + (bits == 32 ? "IPv4" : "IPv6") + "; use 1–" + bits + " (e.g. /" + (bits == 32 ? 24
            : 64) + ")");
      }
    }
    if (interfaceName == null) {
      p.add("interface", null, "is required; name the interface that carries the VIP, e.g. eth0");
    } else if (!INTERFACE.matcher(interfaceName).matches()) {
      p.add("interface", interfaceName,
          "is not a Linux interface name; use 1–15 letters, digits or . _ - @ :");
    }
    if (label != null) {
      if (address != null && !(address instanceof Inet4Address)) {
        p.add("label", label, "is set on an IPv6 VIP; Linux keeps labels for IPv4 only: remove it");
      } else if (label.length() > 15 || (interfaceName != null
          && !label.startsWith(interfaceName))) {
        p.add("label", label, "must start with the interface name and be at most 15 characters,"
            + " e.g. " + (interfaceName == null ? "eth0" : interfaceName) + ":vip");
      }
    }
  }

  /** Builds a {@link VirtualIp}; {@link #build()} reports every problem at once. */
  public static final class Builder {
    private @Nullable InetAddress address;
    private int prefixLength = -1;
    private @Nullable String interfaceName;
    private Exposure exposure = Exposure.PRIVATE;
    private @Nullable String label;
    private Problems parseProblems = new Problems(); // of the address last set

    private Builder() {}

    /**
     * The address, in CIDR form ({@code 192.0.2.10/24}, {@code 2001:db8::10/64}) or alone (then
     * /32 or /128).
     */
    public Builder address(String cidr) {
      parseProblems = new Problems();
      String text = cidr.trim();
      int slash = text.indexOf('/');
      String ip = slash < 0 ? text : text.substring(0, slash);
      InetAddress parsed = Addresses.parseIp(ip);
      if (parsed == null) {
        parseProblems.add("address", cidr, "is not an IPv4 or IPv6 address; write e.g. "
            + "192.0.2.10/24 or 2001:db8::10/64");
        this.address = null;
        return this;
      }
      this.address = parsed;
      if (slash < 0) {
        this.prefixLength = Addresses.bits(parsed);
      } else {
        String prefix = text.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 3 || !Addresses.isAsciiDigits(prefix)) {
          parseProblems.add("address", cidr, "has a prefix length that is not a number; write e.g."
              + " /24");
          this.prefixLength = Addresses.bits(parsed);
        } else {
          this.prefixLength = Integer.parseInt(prefix);
        }
      }
      return this;
    }

    /** The address and its prefix length. */
    public Builder address(InetAddress address, int prefixLength) {
      parseProblems = new Problems();
      this.address = address;
      this.prefixLength = prefixLength;
      return this;
    }

    /** The interface that carries the VIP, e.g. {@code eth0}. */
    public Builder interfaceName(String interfaceName) {
      this.interfaceName = interfaceName;
      return this;
    }

    /** {@link Exposure#PRIVATE} (default) or {@link Exposure#PUBLIC}. */
    public Builder exposure(Exposure exposure) {
      this.exposure = exposure;
      return this;
    }

    /** An IPv4 address label starting with the interface name, e.g. {@code eth0:web}. */
    public Builder label(@Nullable String label) {
      this.label = label;
      return this;
    }

    List<ValidationException.Problem> problems() {
      Problems p = new Problems();
      p.addAll("", parseProblems.list());
      if (address == null && parseProblems.isEmpty()) {
        p.add("address", null, "is required; write e.g. 192.0.2.10/24");
      }
      check(p, address, address == null ? 1 : prefixLength, interfaceName, label);
      return p.list();
    }

    /** The VIP; throws {@link ValidationException} listing every problem. */
    public VirtualIp build() {
      List<ValidationException.Problem> problems = problems();
      if (!problems.isEmpty()) {
        throw new ValidationException(problems);
      }
      return new VirtualIp(Objects.requireNonNull(address), prefixLength,
          Objects.requireNonNull(interfaceName), exposure, label);
    }
  }
}
