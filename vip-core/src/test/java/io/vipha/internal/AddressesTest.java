package io.vipha.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

  private static InetAddress ip(String literal) {
    return Objects.requireNonNull(Addresses.parseIp(literal), literal);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "192.0.2.1", "255.255.255.255", "10.0.0.0", "1.2.3.4"})
  void parsesDottedQuads(String text) {
    InetAddress a = ip(text);

    assertThat(a).isInstanceOf(Inet4Address.class);
    assertThat(a.getHostAddress()).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource({
      "::, 0:0:0:0:0:0:0:0",
      "::1, 0:0:0:0:0:0:0:1",
      "2001:db8::1, 2001:db8:0:0:0:0:0:1",
      "2001:DB8::A, 2001:db8:0:0:0:0:0:a",
      "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8:0:0:0:0:0:1",
      "fe80::1, fe80:0:0:0:0:0:0:1",
      "64:ff9b::192.0.2.1, 64:ff9b:0:0:0:0:c000:201",
  })
  void parsesIpv6Literals(String text, String canonical) {
    InetAddress a = ip(text);

    assertThat(a).isInstanceOf(Inet6Address.class);
    assertThat(a.getHostAddress()).isEqualTo(canonical);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", "1", "10.1", "10.0.1", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3",
      "256.0.0.1", "192.0.2.300", "01.2.3.4", "1.2.3.04", "0x1.2.3.4", "1.2.3.4a", "-1.2.3.4",
      "1.2.3.4 ", " 1.2.3.4", "1234.1.1.1", "web.example.com", "localhost", "example",
      "::ffff:192.0.2.1", "::FFFF:c000:0201", "1::2::3", "2001:db8::g", "[2001:db8::1]",
      "fe80::1%eth0", "fe80::1%1", "2001:db8::1/64", ":", ":::", "1.2.3.4:80", "::1 ", ".:",
      ".::1", "..:",
      "0000:0000:0000:0000:0000:0000:0000:0000:0000",
      "1111:2222:3333:4444:5555:6666:7777:8888:9999",
  })
  void rejectsEverythingButAStrictLiteral(String text) {
    assertThat(Addresses.parseIp(text)).isNull();
  }

  @Test
  void rejectsTooLongText() {
    assertThat(Addresses.parseIp("0".repeat(46))).isNull();
    assertThat(Addresses.parseIp("0000:0000:0000:0000:0000:ffff:255.255.255.255")).isNull();
    assertThat(Addresses.parseIp("0000:0000:0000:0000:0000:0000:255.255.255.255"))
        .isInstanceOf(Inet6Address.class);
  }

  @ParameterizedTest
  @CsvSource({
      "192.0.2.1, 192.0.2.1, 7405",
      "192.0.2.1:1, 192.0.2.1, 1",
      "192.0.2.1:65535, 192.0.2.1, 65535",
      "192.0.2.1:07000, 192.0.2.1, 7000",
      "2001:db8::1, 2001:db8::1, 7405",
      "::1, ::1, 7405",
      "[2001:db8::1], 2001:db8::1, 7405",
      "[2001:db8::1]:80, 2001:db8::1, 80",
      "[::]:80, ::, 80",
  })
  void parsesEndpoints(String text, String host, int port) {
    assertThat(Addresses.parseEndpoint(text, 7405))
        .isEqualTo(new InetSocketAddress(ip(host), port));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", ":", ":80", "192.0.2.1:", "192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:100000",
      "192.0.2.1:-1", "192.0.2.1:+80", "192.0.2.1:8 0", "192.0.2.1:x", "192.0.2.1:80:81",
      "web.example.com", "web.example.com:80", "localhost:80", "[192.0.2.1]", "[192.0.2.1]:80",
      "[2001:db8::1", "2001:db8::1]", "[2001:db8::1]80", "[2001:db8::1]:", "[2001:db8::1]:0",
      "[2001:db8::1]:65536", "[web.example.com]:80", "[]", "[]:80", "[fe80::1%eth0]:80",
      "::ffff:192.0.2.1", "[::ffff:192.0.2.1]:80", "[[::1]]:80", "192.0.2.1:\u0668\u0660",
      "[::1]:\uff18\uff10",
  })
  void rejectsEverythingButAnIpWithAnOptionalPort(String text) {
    assertThat(Addresses.parseEndpoint(text, 7405)).isNull();
  }

  @Test
  void writesEndpoints() {
    assertThat(Addresses.text(new InetSocketAddress(ip("192.0.2.1"), 7405)))
        .isEqualTo("192.0.2.1:7405");
    assertThat(Addresses.text(new InetSocketAddress(ip("2001:db8::1"), 80)))
        .isEqualTo("[2001:db8::1]:80");
    assertThat(Addresses.text(new InetSocketAddress(ip("2001:0DB8:0:0:0:0:0:1"), 7405)))
        .isEqualTo("[2001:db8::1]:7405");
    assertThat(Addresses.text(InetSocketAddress.createUnresolved("web.example.com", 80)))
        .isEqualTo("web.example.com:80");
  }

  /** RFC 5952 section 4: each rule with the RFC's own examples, and section 5 (IPv4-mapped). */
  @ParameterizedTest(name = "{0} is written {1}")
  @CsvSource({
      // 4.1: no leading zeros.
      "2001:0db8::0001, 2001:db8::1",
      "2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001, 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1",
      // 4.2.1: "::" shortens as much as possible.
      "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
      "2001:db8::0:1, 2001:db8::1",
      "2001:db8:0:0:0:0:0:10, 2001:db8::10",
      // 4.2.2: one 16-bit 0 field is not shortened.
      "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
      // 4.2.3: the longest run; the first on a tie.
      "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      // 4.3: lowercase.
      "2001:DB8::AAAA, 2001:db8::aaaa",
      "2001:DB8::1, 2001:db8::1",
      // The ends and the extremes.
      "2001:db8::, 2001:db8::",
      "::1, ::1",
      "0:0:0:0:0:0:0:0, ::",
      "64:ff9b::192.0.2.1, 64:ff9b::c000:201",
      // IPv4 is the dotted quad.
      "192.0.2.10, 192.0.2.10",
  })
  void writesAddressesInTheRfc5952Form(String literal, String text) {
    assertThat(Addresses.text(ip(literal))).isEqualTo(text);
  }

  @Test
  void writesAnIpv4MappedAddressWithItsDottedQuad() throws Exception {
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    b[12] = (byte) 192;
    b[14] = 2;
    b[15] = 1;
    // InetAddress.getByAddress turns these bytes into IPv4; only Inet6Address keeps them IPv6.
    InetAddress mapped = Inet6Address.getByAddress(null, b, -1);

    assertThat(Addresses.text(mapped)).isEqualTo("::ffff:192.0.2.1");
    b[11] = (byte) 0xfe;
    assertThat(Addresses.text(Inet6Address.getByAddress(null, b, -1)))
        .isEqualTo("::fffe:c000:201");
  }

  @Test
  void dropsTheZone() throws Exception {
    InetAddress scoped = Inet6Address.getByAddress(null, ip("fe80::1").getAddress(), 5);

    assertThat(scoped.getHostAddress()).isEqualTo("fe80:0:0:0:0:0:0:1%5");
    assertThat(Addresses.text(scoped)).isEqualTo("fe80::1");
  }

  @Test
  void textParsesBackToTheSameAddress() throws Exception {
    for (int seed = 0; seed < 2000; seed++) {
      Random r = new Random(seed);
      byte[] b = new byte[16];
      b[0] = 0x20;
      b[1] = 0x01;
      for (int i = 2; i < 16; i++) {
        // Mostly zeros, so that runs of zero groups of every length occur.
        b[i] = r.nextInt(3) == 0 ? (byte) r.nextInt(256) : 0;
      }
      InetAddress a = InetAddress.getByAddress(b);
      String s = Addresses.text(a);
      assertThat(Addresses.parseIp(s)).as("seed %d: %s", seed, s).isEqualTo(a);
      assertThat(s.indexOf("::")).as("seed %d: %s", seed, s).isEqualTo(s.lastIndexOf("::"));
    }
  }

  @Test
  void countsTheBitsOfTheFamily() {
    assertThat(Addresses.bits(ip("192.0.2.1"))).isEqualTo(32);
    assertThat(Addresses.bits(ip("2001:db8::1"))).isEqualTo(128);
  }

  /**
   * Runs {@link DnsProbe} in a JVM whose resolver answers every probed name from a hosts file,
   * so that any text handed to the resolver comes back as an address instead of null.
   */
  @Test
  void neverResolvesANameEvenWhenTheResolverWouldAnswer(@TempDir Path dir) throws Exception {
    List<String> names = List.of(".:", ".::1", "..:", ".:.", ".:1:2", "web.example.com",
        "localhost", "a.b:c");
    StringBuilder hosts = new StringBuilder();
    for (String name : names) {
      hosts.append("2001:db8::53 ").append(name).append('\n');
    }
    Path hostsFile = Files.writeString(dir.resolve("hosts"), hosts);
    String classPath = location(DnsProbe.class) + java.io.File.pathSeparator
        + location(Addresses.class);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djdk.net.hosts.file=" + hostsFile, "-cp", classPath, DnsProbe.class.getName()));
    command.addAll(names);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
    List<String> lines = List.of(new String(process.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8).split("\n"));

    assertThat(process.exitValue()).as("exit of %s", lines).isZero();
    assertThat(lines.get(0)).as("the hosts file answers").isEqualTo("control\t2001:db8:0:0:0:0:0:53");
    assertThat(lines.subList(1, lines.size())).hasSize(names.size())
        .allSatisfy(line -> assertThat(line).endsWith("\tnull\tnull\tnull"));
  }

  private static String location(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
