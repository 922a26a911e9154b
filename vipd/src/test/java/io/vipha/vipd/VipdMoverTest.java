package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daemon.movers}: vipd creates the configured movers and hands them to its agent, which
 * claims each VIP before it holds it and releases it once its address is gone.
 */
class VipdMoverTest {
  @TempDir
  Path dir;

  @Test
  void anExecMoverClaimsTheVipsOnTakeoverAndReleasesThemOnStop() throws Exception {
    Path log = dir.resolve("moves.log");
    Path script = dir.resolve("move.sh");
    Files.writeString(script, "#!/bin/sh\necho \"$VIPHA_NODE $*\" >> " + log + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    String movers = "\"movers\": [{\"type\": \"exec\", \"timeout\": \"5s\", \"command\": [\""
        + script + "\", \"--cloud\", \"test\"]}], ";
    try (LocalDaemons d = new LocalDaemons(dir, "active-passive", movers).start("n1")) {
      assertThat(LocalDaemons.await(30, () -> d.backend("n1").addresses().size() == 2
          && lines(log).size() >= 2)).isTrue();
      assertThat(lines(log)).allSatisfy(l -> assertThat(l).matches(
          "n1 --cloud test claim (192\\.0\\.2\\.10/24|2001:db8::10/64) \\d{13}"));
      assertThat(d.stop("n1")).isZero();
      assertThat(lines(log)).filteredOn(l -> l.contains(" release ")).hasSize(2);
    }
  }

  private static List<String> lines(Path p) {
    try {
      return Files.exists(p) ? Files.readAllLines(p) : List.of();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }
}
