package io.vipha.mover.aws;

import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Movers pointed at a {@link FakeEc2}, with fake static credentials from a file. */
final class Ec2Fixture {
  /** Fake credentials, in the shape of real ones, so that a leak of them would be visible. */
  static final String KEY_ID = "AKIAFAKEFAKEFAKE1234";
  static final String SECRET = "fakeSecretKeyForTestsOnly/0123456789abcd";
  /** Short read-back pauses, so that tests stay quick. */
  static final Ec2Mover.Verify FAST =
      new Ec2Mover.Verify(4, Duration.ofMillis(20), Duration.ofMillis(100));
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Ec2Fixture() {}

  /** Writes a credentials file with the fake keys into {@code dir}. */
  static Path credentials(Path dir) throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(file, "[default]\naws_access_key_id = " + KEY_ID
        + "\naws_secret_access_key = " + SECRET + "\n");
    return file;
  }

  /** The settings of a mover against {@code fake}; {@code more} are key, value pairs. */
  static Map<String, String> settings(FakeEc2 fake, Path credentials, String... more) {
    Map<String, String> s = new HashMap<>();
    s.put("region", "us-east-1");
    s.put("endpoint", fake.endpoint().toString());
    s.put("credentialsFile", credentials.toString());
    for (int i = 0; i < more.length; i += 2) {
      s.put(more[i], more[i + 1]);
    }
    return s;
  }

  static ElasticIpMover eip(String node, Map<String, String> settings, Ec2Mover.Verify verify) {
    Ec2Settings s = Ec2Settings.parse(Ec2Settings.Kind.EIP, settings);
    return new ElasticIpMover(s, node, Ec2Clients.of(s), verify);
  }

  static SecondaryIpMover secondary(String node, Map<String, String> settings,
      Ec2Mover.Verify verify) {
    Ec2Settings s = Ec2Settings.parse(Ec2Settings.Kind.SECONDARY_IP, settings);
    return new SecondaryIpMover(s, node, Ec2Clients.of(s), verify);
  }

  static VirtualIp vip(String cidr) {
    return VirtualIp.of(cidr, "eth0");
  }

  /** Waits for {@code stage}, which must complete within the timeout and a margin. */
  static MoverResult await(CompletionStage<MoverResult> stage) {
    try {
      return stage.toCompletableFuture().get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the mover's stage did not complete", e);
    }
  }
}
