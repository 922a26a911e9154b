package io.vipha.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The privilege gate, with the privilege simulated as present or missing. */
class PrivilegedTest {
  @Test
  void passesWhenNothingIsMissing() {
    assertThatCode(() -> Privileged.gate(null, false)).doesNotThrowAnyException();
    assertThatCode(() -> Privileged.gate(null, true)).doesNotThrowAnyException();
  }

  @Test
  void skipsLoudlyWhenMissingAndNotRequired() {
    assertThatThrownBy(() -> Privileged.gate("root (simulated for this test: uid 1000)", false))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("SKIPPED, NOT RUN")
        .hasMessageContaining("root (simulated for this test: uid 1000)")
        .hasMessageContaining("VIPHA_REQUIRE_PRIVILEGED=1");
  }

  @Test
  void failsWhenMissingAndRequired() {
    assertThatThrownBy(() -> Privileged.gate("root (simulated for this test: uid 1000)", true))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("VIPHA_REQUIRE_PRIVILEGED=1 but")
        .hasMessageContaining("root (simulated for this test: uid 1000)");
  }

  @Test
  void onlyTheValueOneRequires() {
    assertThat(Privileged.required(Map.of("VIPHA_REQUIRE_PRIVILEGED", "1"))).isTrue();
    assertThat(Privileged.required(Map.of("VIPHA_REQUIRE_PRIVILEGED", "0"))).isFalse();
    assertThat(Privileged.required(Map.of())).isFalse();
  }

  @Test
  void findsAToolOnThePath(@TempDir Path dir) throws Exception {
    Path tool = Files.writeString(dir.resolve("tcpdump"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    String path = "/nonexistent" + File.pathSeparator + dir;

    assertThat(Privileged.toolMissing("tcpdump", path)).isNull();
    assertThatCode(() -> Privileged.requireTool("tcpdump", Map.of("PATH", path)))
        .doesNotThrowAnyException();
    assertThatCode(() -> Privileged.requireTool("tcpdump", Map.of("PATH", path,
        "VIPHA_REQUIRE_PRIVILEGED", "1"))).doesNotThrowAnyException();
  }

  @Test
  void aToolThatIsNotExecutableOrNotThereIsMissing(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tcpdump"), "not executable");
    Files.createDirectory(dir.resolve("nft"));

    assertThat(Privileged.toolMissing("tcpdump", dir.toString())).isEqualTo("the tool"
        + " `tcpdump`, which is not on the PATH (" + dir + "); install it (e.g. apt-get install"
        + " tcpdump)");
    assertThat(Privileged.toolMissing("nft", dir.toString())).contains("`nft`");
    assertThat(Privileged.toolMissing("setpriv", "")).contains("apt-get install util-linux");
  }

  @Test
  void skipsLoudlyWithoutTheToolUnlessRequired(@TempDir Path dir) {
    String path = dir.toString();

    assertThatThrownBy(() -> Privileged.requireTool("tcpdump", Map.of("PATH", path)))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("SKIPPED, NOT RUN: this test needs the tool `tcpdump`")
        .hasMessageContaining("VIPHA_REQUIRE_PRIVILEGED=1");
    assertThatThrownBy(() -> Privileged.requireTool("tcpdump", Map.of("PATH", path,
        "VIPHA_REQUIRE_PRIVILEGED", "1")))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("VIPHA_REQUIRE_PRIVILEGED=1 but this privileged test cannot run:"
            + " the tool `tcpdump`");
    assertThatThrownBy(() -> Privileged.requireTool("tcpdump", Map.of()))
        .isInstanceOf(TestAbortedException.class).hasMessageContaining("`tcpdump`");
  }

  @Test
  void readsTheEffectiveUid() {
    assertThat(Privileged.effectiveUid()).isGreaterThanOrEqualTo(0);
  }
}
