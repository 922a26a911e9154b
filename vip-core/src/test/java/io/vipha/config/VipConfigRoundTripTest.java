package io.vipha.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Exposure;
import io.vipha.FailoverPolicy;
import io.vipha.Mode;
import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VipConfigRoundTripTest {
  private static final int SEEDS = 500;

  @Test
  void writingThenReadingGivesAnEqualConfig() {
    for (int seed = 0; seed < SEEDS; seed++) {
      VipConfig config = RandomConfigs.config(new Random(seed));
      String json = config.toJson();
      VipConfig back;
      try {
        back = VipConfig.parse(json);
      } catch (ValidationException e) {
        throw new AssertionError("seed " + seed + ": the written document does not read back:\n"
            + e.getMessage() + "\n" + json, e);
      }
      assertThat(back).as("seed %d, document:%n%s", seed, json).isEqualTo(config);
      assertThat(back.toJson()).as("seed %d: writing is stable", seed).isEqualTo(json);
    }
  }

  /** Guards the generator: a round trip over narrow inputs would prove little. */
  @Test
  void theGeneratorCoversTheFormat() {
    Set<Mode> modes = EnumSet.noneOf(Mode.class);
    Set<Exposure> exposures = EnumSet.noneOf(Exposure.class);
    boolean ipv4 = false;
    boolean ipv6 = false;
    boolean label = false;
    boolean defaultPolicy = false;
    boolean isoDuration = false;
    for (int seed = 0; seed < SEEDS; seed++) {
      VipConfig config = RandomConfigs.config(new Random(seed));
      for (VipGroup g : config.groups()) {
        modes.add(g.mode());
        defaultPolicy |= g.policy().equals(FailoverPolicy.defaults());
        for (VirtualIp v : g.vips()) {
          exposures.add(v.exposure());
          ipv4 |= v.isIpv4();
          ipv6 |= !v.isIpv4();
          label |= v.label() != null;
        }
      }
      isoDuration |= config.toJson().contains("\"PT");
    }
    assertThat(modes).containsExactlyInAnyOrder(Mode.values());
    assertThat(exposures).containsExactlyInAnyOrder(Exposure.values());
    assertThat(ipv4).isTrue();
    assertThat(ipv6).isTrue();
    assertThat(label).isTrue();
    assertThat(defaultPolicy).isTrue();
    assertThat(isoDuration).isTrue();
  }
}
