package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The reload rules of the heartbeat keys. */
class KeySetTest {
  private static final Path OLD = Path.of("/etc/vipha/web.key");
  private static final Path NEW = Path.of("/etc/vipha/web-2.key");

  private static byte[] bytes(int fill) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) fill);
    return b;
  }

  private static KeySet keys(int id, int fill, Path file, @Nullable Integer acceptId,
      int acceptFill, Path acceptFile) {
    return new KeySet(new KeySet.Key(id, bytes(fill), file), acceptId == null ? null
        : new KeySet.Key(acceptId, bytes(acceptFill), acceptFile));
  }

  @Test
  void theThreeRolloutsOfARotationAreAllowedAndEachSaysWhatChanged() {
    KeySet start = keys(1, 1, OLD, null, 0, OLD);
    KeySet accept = keys(1, 1, OLD, 2, 2, NEW);
    KeySet sign = keys(2, 2, NEW, 1, 1, OLD);
    KeySet drop = keys(2, 2, NEW, null, 0, OLD);
    assertThat(start.problemsWith(accept)).isEmpty();
    assertThat(start.changesTo(accept)).containsExactly(
        "accepted key: none -> key 2 (/etc/vipha/web-2.key)");
    assertThat(accept.problemsWith(sign)).isEmpty();
    assertThat(accept.changesTo(sign)).containsExactly(
        "signing key: key 1 (/etc/vipha/web.key) -> key 2 (/etc/vipha/web-2.key)",
        "accepted key: key 2 (/etc/vipha/web-2.key) -> key 1 (/etc/vipha/web.key)");
    assertThat(sign.problemsWith(drop)).isEmpty();
    assertThat(sign.changesTo(drop)).containsExactly(
        "accepted key: key 1 (/etc/vipha/web.key) -> none");
    assertThat(drop.changesTo(drop)).isEmpty();
    assertThat(drop.sameAs(keys(2, 2, Path.of("/elsewhere.key"), null, 0, OLD))).isTrue();
    assertThat(accept.sameAs(sign)).isFalse();
  }

  @Test
  void aKeyWhoseBytesChangedUnderItsIdIsRefusedNamingAFreeId() {
    KeySet running = keys(1, 1, OLD, 2, 2, NEW);
    assertThat(running.problemsWith(keys(1, 9, OLD, 2, 2, NEW))).containsExactly(
        "key id 1 now holds another key (/etc/vipha/web.key) than the running key 1"
            + " (/etc/vipha/web.key); peers that have the running one would reject this node's"
            + " heartbeats. Give a new key a new id (e.g. 0) and rotate in three reloads: accept"
            + " it, sign with it, drop the old one");
    // The accepted key's id given to other bytes as the signing key: refused too.
    assertThat(running.problemsWith(keys(2, 9, NEW, null, 0, OLD))).hasSize(1)
        .allSatisfy(p -> assertThat(p).startsWith("key id 2 now holds another key"));
    // An id that no running key has may hold any key.
    assertThat(running.problemsWith(keys(3, 9, NEW, 1, 1, OLD))).isEmpty();
  }

  @Test
  void aKeyFileIsReadWithEveryProblemNamed(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    List<String> problems = new ArrayList<>();
    Path good = dir.resolve("good.key");
    java.nio.file.Files.writeString(good, java.util.Base64.getEncoder()
        .encodeToString(bytes(7)) + "\n");
    Path shortKey = dir.resolve("short.key");
    java.nio.file.Files.writeString(shortKey, "AAAA\n");
    KeySet.Key k = java.util.Objects.requireNonNull(KeySet.read(5, good, "--key-file",
        problems));
    assertThat(k.id()).isEqualTo(5);
    assertThat(k.bytes()).isEqualTo(bytes(7));
    assertThat(k.toString()).doesNotContain("7,").isEqualTo("key 5 (" + good + ")");
    assertThat(KeySet.read(1, dir.resolve("missing.key"), "the daemon.acceptKey of group web",
        problems)).isNull();
    assertThat(KeySet.read(1, shortKey, "the daemon.keyFile of group web", problems)).isNull();
    assertThat(problems).containsExactly(
        "the heartbeat key file " + dir.resolve("missing.key") + " (the daemon.acceptKey of"
            + " group web) does not exist or is not a file; make one with: head -c 32"
            + " /dev/urandom | base64 > " + dir.resolve("missing.key"),
        "heartbeat key file " + shortKey + " holds 3 bytes; a key needs at least 32 random"
            + " bytes (the daemon.keyFile of group web)");
  }
}
