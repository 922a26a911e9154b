package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.config.VipConfig;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testing.VirtualScheduler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  @TempDir Path dir;

  @Test
  void buildsAnAgentFromAConfigurationFileAndAKeyFile() throws Exception {
    Path config = Path.of("../vip-examples/config/active-passive.json");
    VipConfig c = VipConfig.read(config);
    String group = c.groups().get(0).name();
    String node = c.groups().get(0).nodes().get(0).id();
    Path key = dir.resolve("web.key");
    Files.writeString(key, Base64.getEncoder().encodeToString(TestCluster.KEY) + "\n");
    VirtualScheduler time = new VirtualScheduler();
    VipAgent agent = VipAgent.builder().group(c.group(group)).nodeId(node)
        .backend(new InMemoryBackend(time)).scheduler(time)
        .coordinator(HeartbeatCoordinator.builder().keyFile(7, key).build()).build();
    assertThat(agent.group().name()).isEqualTo(group);
    assertThat(agent.state().phase()).isEqualTo(VipAgent.Phase.NEW);
    assertThatThrownBy(() -> VipAgent.builder().group(c.group("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no group nope").hasMessageContaining(group);
  }

  @Test
  void runsTheGroupItIsGivenFromAConfiguration() throws Exception {
    VipConfig c = VipConfig.read(Path.of("../vip-examples/config/active-passive.json"));
    VipGroup db = c.group("db");
    TestCluster cluster = new TestCluster(db);
    for (String node : List.of("db-a", "db-b")) { // the db VIP lives on eth1
      cluster.hosts.put(node, new InMemoryBackend(cluster.time, Set.of("eth1")));
    }
    cluster.startAll();
    cluster.run(Duration.ofSeconds(5));
    assertThat(cluster.agent("db-a").group()).isEqualTo(db);
    assertThat(cluster.holders(db.vips().get(0))).containsExactly("db-a");
    for (VirtualIp web : c.group("web").vips()) {
      assertThat(cluster.holders(web)).isEmpty();
    }
  }

  @Test
  void rejectsBadKeyFilesWithoutShowingTheKey() throws Exception {
    Path missing = dir.resolve("missing.key");
    assertThatThrownBy(() -> HeartbeatCoordinator.builder().keyFile(1, missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read heartbeat key file").hasMessageContaining("missing.key");
    Path text = dir.resolve("text.key");
    Files.writeString(text, "this is not base64 at all!");
    assertThatThrownBy(() -> HeartbeatCoordinator.builder().keyFile(1, text))
        .hasMessageContaining("does not hold base64 text")
        .hasMessageContaining("head -c 32 /dev/urandom | base64");
    Path shortKey = dir.resolve("short.key");
    byte[] sixteen = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    Files.writeString(shortKey, Base64.getEncoder().encodeToString(sixteen));
    assertThatThrownBy(() -> HeartbeatCoordinator.builder().keyFile(1, shortKey))
        .hasMessageContaining("holds 16 bytes; a key needs at least 32")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("0123456789abcdef"));
  }
}
