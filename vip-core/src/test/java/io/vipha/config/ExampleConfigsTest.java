package io.vipha.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Exposure;
import io.vipha.Mode;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped examples must stay valid. Surefire runs in the vip-core module directory. */
class ExampleConfigsTest {
  private static final Path EXAMPLES = Path.of("..", "vip-examples", "config");

  @Test
  void activePassiveExampleIsValid() throws Exception {
    VipConfig config = VipConfig.read(EXAMPLES.resolve("active-passive.json"));

    assertThat(config.groups()).isNotEmpty().allSatisfy(g ->
        assertThat(g.mode()).isEqualTo(Mode.ACTIVE_PASSIVE));
    VipGroup web = config.groups().get(0);
    assertThat(web.vips()).anySatisfy(v -> assertThat(v.exposure()).isEqualTo(Exposure.PUBLIC));
    assertThat(web.vips()).anySatisfy(v -> assertThat(v.isIpv4()).isFalse());
    assertThat(VipConfig.parse(config.toJson())).isEqualTo(config);
  }

  @Test
  void activeActiveExampleIsValid() throws Exception {
    VipConfig config = VipConfig.read(EXAMPLES.resolve("active-active.json"));

    assertThat(config.groups()).isNotEmpty().allSatisfy(g ->
        assertThat(g.mode()).isEqualTo(Mode.ACTIVE_ACTIVE));
    assertThat(config.groups().get(0).nodes()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(config.groups().get(0).policy().quorum()).isEqualTo(Quorum.majority());
    assertThat(VipConfig.parse(config.toJson())).isEqualTo(config);
  }
}
