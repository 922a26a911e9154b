package io.vipha.mover.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverProvider;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ec2MoverProviderTest {
  @TempDir Path dir;

  static Map<String, String> of(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void serviceLoaderFindsBothTypes() {
    List<String> types = ServiceLoader.load(MoverProvider.class).stream()
        .map(p -> p.get().type()).sorted().collect(Collectors.toList());

    assertThat(types).contains("aws-eip", "aws-secondary-ip");
  }

  @Test
  void goodSettingsHaveNoProblem() throws Exception {
    Path file = Ec2Fixture.credentials(dir);

    assertThat(new ElasticIpProvider().check(of("region", "eu-west-1",
        "networkInterfaceId", "eni-0123456789abcdef0", "allocationId", "eipalloc-12345678",
        "privateIpAddress", "10.0.0.12", "credentialsFile", file.toString(), "profile", "vip",
        "endpoint", "https://ec2.eu-west-1.amazonaws.com"))).isEmpty();
    assertThat(new ElasticIpProvider().check(of("region", "us-gov-west-1",
        "instanceId", "i-0123456789abcdef0"))).isEmpty();
    assertThat(new SecondaryIpProvider().check(of("region", "ap-southeast-2",
        "networkInterfaceId", "eni-0123456789abcdef0"))).isEmpty();
  }

  @Test
  void everyProblemOfAnElasticIpMoverIsReportedAtOnce() {
    List<Problem> problems = new ElasticIpProvider().check(of(
        "region", "US East", "allocationId", "alloc-1", "networkInterfaceId", "eth0",
        "instanceId", "i-xyz", "privateIpAddress", "10.0.0.300", "endpoint", "ftp://x",
        "credentialsFile", dir.resolve("missing").toString(), "profile", "a b",
        "zone", "us-east-1a"));

    assertThat(problems).extracting(Problem::path).containsExactlyInAnyOrder("zone", "region",
        "endpoint", "credentialsFile", "profile", "networkInterfaceId", "allocationId",
        "instanceId", "instanceId", "privateIpAddress");
    assertThat(problems).filteredOn(p -> p.path().equals("zone")).first()
        .extracting(Problem::message).asString().contains("not a known field of an aws-eip mover");
  }

  @Test
  void missingRequiredSettingsAreNamed() {
    assertThat(new ElasticIpProvider().check(Map.of())).extracting(Problem::path)
        .containsExactly("region", "networkInterfaceId");
    assertThat(new SecondaryIpProvider().check(of("region", "us-east-1", "allocationId",
        "eipalloc-12345678"))).extracting(Problem::path)
        .containsExactly("allocationId", "networkInterfaceId");
  }

  @Test
  void credentialsInTheConfigAreRefusedWithoutEchoingThem() {
    List<Problem> problems = new SecondaryIpProvider().check(of("region", "us-east-1",
        "networkInterfaceId", "eni-0123456789abcdef0", "accessKeyId", Ec2Fixture.KEY_ID,
        "secretAccessKey", Ec2Fixture.SECRET, "aws_session_token", "tok"));

    assertThat(problems).extracting(Problem::path)
        .containsExactlyInAnyOrder("accessKeyId", "secretAccessKey", "aws_session_token");
    assertThat(problems).allSatisfy(p -> {
      assertThat(p.value()).isNull();
      assertThat(p.message()).contains("credentials never go in the configuration");
    });
    assertThat(problems.toString()).doesNotContain(Ec2Fixture.KEY_ID, Ec2Fixture.SECRET);
  }

  @Test
  void createRejectsBadSettingsAndBuildsAMoverFromGoodOnes() throws Exception {
    assertThatThrownBy(() -> new ElasticIpProvider().create("a", of("region", "x")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("region");

    Path file = Ec2Fixture.credentials(dir);
    try (AddressMover m = new SecondaryIpProvider().create("a", of("region", "us-east-1",
        "networkInterfaceId", "eni-0123456789abcdef0", "credentialsFile", file.toString(),
        "endpoint", "http://127.0.0.1:9"))) {
      assertThat(m).isInstanceOf(SecondaryIpMover.class);
      assertThat(m.toString()).contains("aws-secondary-ip", "eni-0123456789abcdef0")
          .doesNotContain(Ec2Fixture.KEY_ID, Ec2Fixture.SECRET);
    }
  }
}
