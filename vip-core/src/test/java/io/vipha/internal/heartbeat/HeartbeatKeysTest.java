package io.vipha.internal.heartbeat;

import static io.vipha.internal.heartbeat.TestPackets.GROUP;
import static io.vipha.internal.heartbeat.TestPackets.KEY_A;
import static io.vipha.internal.heartbeat.TestPackets.KEY_B;
import static io.vipha.internal.heartbeat.TestPackets.KEY_C;
import static io.vipha.internal.heartbeat.TestPackets.NODES;
import static io.vipha.internal.heartbeat.TestPackets.packet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeartbeatKeysTest {

  @Test
  void validatesWithMessagesThatSayWhatToDo() {
    assertThatThrownBy(() -> HeartbeatKeys.of(1, new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 1 is 31 bytes; an HMAC-SHA256 key needs at least 32 random bytes");
    assertThatThrownBy(() -> HeartbeatKeys.of(2, KEY_A, 1, new byte[16]))
        .hasMessage("previous key 1 is 16 bytes; an HMAC-SHA256 key needs at least 32 random"
            + " bytes");
    assertThatThrownBy(() -> HeartbeatKeys.of(3, KEY_A, 3, KEY_B))
        .hasMessageStartingWith("the previous key has the same id 3 as the current key;");
    assertThatThrownBy(() -> HeartbeatKeys.of(256, KEY_A))
        .hasMessage("key id 256 is out of range; use 0..255");
    assertThatThrownBy(() -> HeartbeatKeys.of(0, KEY_A, -1, KEY_B))
        .hasMessage("previous key id -1 is out of range; use 0..255");
    assertThat(HeartbeatKeys.of(0, KEY_A).currentId()).isZero();
    assertThat(HeartbeatKeys.of(255, new byte[100]).currentId()).isEqualTo(255);
  }

  @Test
  void toStringNeverShowsTheKeys() {
    HeartbeatKeys one = HeartbeatKeys.of(7, KEY_A);
    HeartbeatKeys two = HeartbeatKeys.of(8, KEY_B, 7, KEY_A);
    assertThat(one).hasToString("HeartbeatKeys[current=7]");
    assertThat(two).hasToString("HeartbeatKeys[current=8, previous=7]");
    for (byte[] k : new byte[][] {KEY_A, KEY_B}) {
      String[] forms = {HexFormat.of().formatHex(k), Base64.getEncoder().encodeToString(k),
          Arrays.toString(k), new String(k, StandardCharsets.ISO_8859_1)};
      for (String form : forms) {
        assertThat(two.toString()).doesNotContain(form);
      }
    }
    assertThat(one.hasPrevious()).isFalse();
    assertThat(one.previousId()).isEqualTo(-1);
    assertThat(two.hasPrevious()).isTrue();
    assertThat(two.previousId()).isEqualTo(7);
  }

  @Test
  void copiesTheKeyBytes() {
    byte[] key = KEY_A.clone();
    HeartbeatKeys keys = HeartbeatKeys.of(1, key);
    Arrays.fill(key, (byte) 0);
    HeartbeatDecoder dec = new HeartbeatDecoder(HeartbeatKeys.of(1, KEY_A),
        ReplayGuard.forNodes(NODES));
    byte[] p = packet(new HeartbeatEncoder(keys, GROUP, "n1").sequence(1));
    assertThat(dec.decode(p, 0, p.length, GROUP).accepted()).isTrue();
  }

  @Test
  void rotationAcceptsBothKeysSignsWithTheCurrentAndRejectsOthers() {
    HeartbeatKeys rotating = HeartbeatKeys.of(2, KEY_B, 1, KEY_A);
    HeartbeatDecoder dec = new HeartbeatDecoder(rotating, ReplayGuard.forNodes(NODES));

    byte[] current = packet(new HeartbeatEncoder(rotating, GROUP, "n1").sequence(1));
    assertThat(current[HeartbeatCodec.KEY_ID_OFFSET]).as("encodes with the current key")
        .isEqualTo((byte) 2);
    assertThat(Arrays.copyOfRange(current, current.length - 32, current.length))
        .isEqualTo(TestPackets.jdkMac(KEY_B, current, 0, current.length - 32));
    assertThat(dec.decode(current, 0, current.length, GROUP).accepted()).isTrue();

    byte[] previous = packet(new HeartbeatEncoder(HeartbeatKeys.of(1, KEY_A), GROUP, "n2")
        .sequence(1));
    HeartbeatView v = (HeartbeatView) dec.decode(previous, 0, previous.length, GROUP);
    assertThat(v.keyId()).isEqualTo(1);

    byte[] unknown = packet(new HeartbeatEncoder(HeartbeatKeys.of(3, KEY_C), GROUP, "n3")
        .sequence(1));
    assertThat(dec.decode(unknown, 0, unknown.length, GROUP)).isEqualTo(Rejection.UNKNOWN_KEY);
    byte[] wrongBytes = packet(new HeartbeatEncoder(HeartbeatKeys.of(1, KEY_C), GROUP, "n3")
        .sequence(1));
    assertThat(dec.decode(wrongBytes, 0, wrongBytes.length, GROUP)).isEqualTo(Rejection.BAD_MAC);

    // After the rotation finishes, key 1 is unknown.
    dec.keys(HeartbeatKeys.of(2, KEY_B));
    byte[] late = packet(new HeartbeatEncoder(HeartbeatKeys.of(1, KEY_A), GROUP, "n2")
        .sequence(2));
    assertThat(dec.decode(late, 0, late.length, GROUP)).isEqualTo(Rejection.UNKNOWN_KEY);
    assertThat(dec.rejected(Rejection.UNKNOWN_KEY)).isEqualTo(2);
    assertThat(dec.rejected(Rejection.BAD_MAC)).isEqualTo(1);
  }

  /** The three rollouts of the class comment: no step has a pair of nodes rejecting each other. */
  @Test
  void threeStepRotationNeverSplitsTheGroup() {
    HeartbeatKeys[] steps = {
      HeartbeatKeys.of(1, KEY_A),
      HeartbeatKeys.of(1, KEY_A, 2, KEY_B),
      HeartbeatKeys.of(2, KEY_B, 1, KEY_A),
      HeartbeatKeys.of(2, KEY_B),
    };
    long seq = 0;
    // Within a rollout, nodes are at step s or s+1: every sender must be accepted by both.
    for (int s = 0; s + 1 < steps.length; s++) {
      for (HeartbeatKeys sender : new HeartbeatKeys[] {steps[s], steps[s + 1]}) {
        for (HeartbeatKeys receiver : new HeartbeatKeys[] {steps[s], steps[s + 1]}) {
          HeartbeatDecoder dec = new HeartbeatDecoder(receiver, ReplayGuard.forNodes(NODES));
          byte[] p = packet(new HeartbeatEncoder(sender, GROUP, "n1").sequence(++seq));
          assertThat(dec.decode(p, 0, p.length, GROUP).accepted())
              .as("%s -> %s", sender, receiver).isTrue();
        }
      }
    }
    // Skipping the middle step would split it: a node on (2, 1) is not understood by (1).
    HeartbeatDecoder old = new HeartbeatDecoder(steps[0], ReplayGuard.forNodes(NODES));
    byte[] p = packet(new HeartbeatEncoder(steps[2], GROUP, "n1").sequence(1));
    assertThat(old.decode(p, 0, p.length, GROUP)).isEqualTo(Rejection.UNKNOWN_KEY);
  }

  @Test
  void hmacMatchesRfc4231AndTheJdk() {
    // RFC 4231 test cases 2 (short key), 6 and 7 (131-byte keys, hashed first).
    check(hex("4a656665"), ascii("what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    byte[] aa = new byte[131];
    Arrays.fill(aa, (byte) 0xaa);
    check(aa, ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    check(aa, ascii("This is a test using a larger than block-size key and a larger than"
        + " block-size data. The key needs to be hashed before being used by the HMAC"
        + " algorithm."), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");

    Random rnd = new Random(1);
    for (int n = 0; n < 2_000; n++) {
      byte[] key = new byte[1 + rnd.nextInt(200)];
      byte[] msg = new byte[rnd.nextInt(600)];
      rnd.nextBytes(key);
      rnd.nextBytes(msg);
      int off = msg.length == 0 ? 0 : rnd.nextInt(msg.length);
      int len = msg.length - off == 0 ? 0 : rnd.nextInt(msg.length - off);
      HmacSha256 h = new HmacSha256(key);
      byte[] out = new byte[40];
      for (int rep = 0; rep < 2; rep++) { // reuse gives the same answer
        h.mac(msg, off, len, out, 8);
        assertThat(Arrays.copyOfRange(out, 8, 40))
            .isEqualTo(TestPackets.jdkMac(key, msg, off, len));
      }
    }
  }

  private static void check(byte[] key, byte[] msg, String expected) {
    byte[] out = new byte[32];
    new HmacSha256(key).mac(msg, 0, msg.length, out, 0);
    assertThat(HexFormat.of().formatHex(out)).isEqualTo(expected);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }
}
