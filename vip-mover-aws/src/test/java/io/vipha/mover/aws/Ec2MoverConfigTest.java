package io.vipha.mover.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vipha.ValidationException;
import io.vipha.config.DaemonSettings.Mover;
import io.vipha.config.VipConfig;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The EC2 movers in a configuration file's {@code daemon.movers}, as vipd reads them. */
class Ec2MoverConfigTest {
  @TempDir Path dir;

  static String config(String movers) {
    return """
        {
          "groups": [
            {
              "name": "edge", "mode": "ACTIVE_PASSIVE",
              "vips": [{"address": "203.0.113.10/32", "interface": "eth0",
                        "exposure": "PUBLIC"},
                       {"address": "10.0.1.100/24", "interface": "eth0"}],
              "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1:7405"]},
                        {"id": "n2", "heartbeat": ["198.51.100.2:7405"]}],
              "daemon": {"movers": %s}
            }
          ]
        }
        """.formatted(movers);
  }

  @Test
  void bothTypesAreReadAndCreateMovers() throws Exception {
    Path file = Ec2Fixture.credentials(dir);
    VipConfig c = VipConfig.parse(config("[{\"type\": \"aws-eip\", \"vips\": [\"203.0.113.10\"],"
        + " \"timeout\": \"15s\", \"region\": \"eu-west-1\", \"allocationId\":"
        + " \"eipalloc-0123456789abcdef0\", \"instanceId\": \"i-0123456789abcdef0\","
        + " \"credentialsFile\": \"" + file + "\"},"
        + " {\"type\": \"aws-secondary-ip\", \"vips\": [\"10.0.1.100\"], \"region\":"
        + " \"eu-west-1\", \"networkInterfaceId\": \"eni-0123456789abcdef0\"}]"));

    List<Mover> movers = c.daemon("edge").movers();
    assertThat(movers).extracting(Mover::type).containsExactly("aws-eip", "aws-secondary-ip");
    assertThat(movers.get(0).settings()).containsEntry("allocationId",
        "eipalloc-0123456789abcdef0").doesNotContainKeys("type", "vips", "timeout");
    for (Mover m : movers) {
      MoverProvider p = Objects.requireNonNull(MoverProvider.installed().get(m.type()));
      try (AddressMover made = p.create("n1", m.settings())) {
        assertThat(made).isInstanceOf(Ec2Mover.class);
      }
    }
    assertThat(VipConfig.parse(c.toJson())).isEqualTo(c);
  }

  @Test
  void everyProblemOfEachMoverIsReportedUnderItsPath() {
    ValidationException e = catchThrowableOfType(ValidationException.class,
        () -> VipConfig.parse(config("[{\"type\": \"aws-eip\", \"vips\": [\"203.0.113.10\"],"
            + " \"region\": \"Ireland\", \"secretAccessKey\": \"" + Ec2Fixture.SECRET + "\"},"
            + " {\"type\": \"aws-secondary-ip\", \"vips\": [\"10.0.1.100\"],"
            + " \"networkInterfaceId\": \"eth0\", \"zone\": \"a\"}]")));

    assertThat(e).isNotNull();
    assertThat(e.problems()).extracting(ValidationException.Problem::path).contains(
        "groups[0].daemon.movers[0].region", "groups[0].daemon.movers[0].networkInterfaceId",
        "groups[0].daemon.movers[0].secretAccessKey", "groups[0].daemon.movers[1].region",
        "groups[0].daemon.movers[1].networkInterfaceId", "groups[0].daemon.movers[1].zone");
    assertThat(e.getMessage()).doesNotContain(Ec2Fixture.SECRET);
  }
}
