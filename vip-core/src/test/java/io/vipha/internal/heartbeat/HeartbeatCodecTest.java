package io.vipha.internal.heartbeat;

import static io.vipha.internal.heartbeat.TestPackets.GROUP;
import static io.vipha.internal.heartbeat.TestPackets.KEY_A;
import static io.vipha.internal.heartbeat.TestPackets.decoder;
import static io.vipha.internal.heartbeat.TestPackets.encoder;
import static io.vipha.internal.heartbeat.TestPackets.packet;
import static io.vipha.internal.heartbeat.TestPackets.resign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class HeartbeatCodecTest {

  @Test
  void layoutMatchesTheDocumentedTable() {
    byte[] bitmap = {(byte) 0b1000_0001, 0x00, 0x40};
    byte[] p = packet(encoder("n2").type(MessageType.LEAVING)
        .flags(HeartbeatCodec.FLAG_ELIGIBLE | HeartbeatCodec.FLAG_SUSPENDED)
        .incarnation(0x0102030405060708L).sequence(0x1112131415161718L).priority(-2)
        .configDigest(0xA1A2A3A4A5A6A7A8L).owned(bitmap, 0, bitmap.length));

    ByteBuffer b = ByteBuffer.wrap(p); // big-endian
    assertThat(p).hasSize(40 + 3 + 2 + 3 + 2 + 32);
    assertThat(b.getShort(0)).isEqualTo((short) 0x5648);
    assertThat(new String(p, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("VH");
    assertThat(p[2]).isEqualTo((byte) 2);
    assertThat(p[3]).isEqualTo((byte) 2);
    assertThat(p[4]).isEqualTo((byte) 1);
    assertThat(p[5]).isEqualTo((byte) 0b1001);
    assertThat(p[6]).isEqualTo((byte) 3);
    assertThat(p[7]).isEqualTo((byte) 2);
    assertThat(b.getLong(8)).isEqualTo(0x0102030405060708L);
    assertThat(b.getLong(16)).isEqualTo(0x1112131415161718L);
    assertThat(b.getInt(24)).isEqualTo(-2);
    assertThat(b.getShort(28)).isZero();
    assertThat(b.getShort(30)).isEqualTo((short) 3);
    assertThat(b.getLong(32)).isEqualTo(0xA1A2A3A4A5A6A7A8L);
    assertThat(new String(p, 40, 3, StandardCharsets.UTF_8)).isEqualTo("web");
    assertThat(new String(p, 43, 2, StandardCharsets.UTF_8)).isEqualTo("n2");
    assertThat(Arrays.copyOfRange(p, 45, 48)).containsExactly(bitmap);
    assertThat(b.getShort(48)).as("no suspensions").isZero();
    assertThat(Arrays.copyOfRange(p, 50, 82))
        .containsExactly(TestPackets.jdkMac(KEY_A, p, 0, 50));
  }

  @Test
  void suspensionsFollowTheHeardBitmapAndRoundTrip() {
    byte[] heard = {0b101};
    byte[] entries = new byte[3 * HeartbeatCodec.SUSPENSION_LENGTH];
    HeartbeatCodec.setSuspension(entries, 0, 1, 299_000);
    HeartbeatCodec.setSuspension(entries, 1, 0, HeartbeatCodec.UNTIL_CLEARED);
    HeartbeatCodec.setSuspension(entries, 2, 7, Long.MAX_VALUE); // capped: until cleared
    byte[] p = packet(encoder("n2").sequence(1).heard(heard, 1).suspensions(entries, 3));
    ByteBuffer b = ByteBuffer.wrap(p);
    assertThat(p).hasSize(40 + 3 + 2 + 1 + 2 + 15 + 32);
    assertThat(p[45]).isEqualTo((byte) 0b101);
    assertThat(b.getShort(46)).isEqualTo((short) 3);
    assertThat(p[48]).isEqualTo((byte) 1);
    assertThat(b.getInt(49)).isEqualTo(299_000);
    assertThat(p[53]).isZero();
    assertThat(b.getInt(54)).isEqualTo(-1);
    assertThat(Arrays.copyOfRange(p, 63, 95)).containsExactly(TestPackets.jdkMac(KEY_A, p, 0, 63));
    HeartbeatView v = (HeartbeatView) decoder().decode(p, 0, p.length, GROUP);
    assertThat(v.suspensionCount()).isEqualTo(3);
    assertThat(v.suspensionNode(0)).isEqualTo(1);
    assertThat(v.suspensionMillis(0)).isEqualTo(299_000);
    assertThat(v.suspensionMillis(1)).isEqualTo(HeartbeatCodec.UNTIL_CLEARED);
    assertThat(v.suspensionNode(2)).isEqualTo(7);
    assertThat(v.suspensionMillis(2)).isEqualTo(HeartbeatCodec.UNTIL_CLEARED);
    assertThat(v.hears(0)).isTrue();
    assertThat(v.hears(1)).isFalse();
    assertThat(v.toString()).contains("suspensions=3");
    assertThatThrownBy(() -> v.suspensionNode(3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> encoder("n1").suspensions(new byte[4], 1))
        .hasMessageContaining("1 suspensions do not fit 0..256 or an array of 4 bytes");
    assertThatThrownBy(() -> encoder("n1").suspensions(new byte[2000], 257))
        .hasMessageContaining("257 suspensions");
  }

  @Test
  void roundTripsEveryFieldForBothTypesAndEveryFlagCombination() {
    HeartbeatDecoder dec = decoder();
    HeartbeatEncoder enc = encoder("n1");
    byte[] buf = new byte[HeartbeatCodec.MAX_LENGTH];
    long seq = 0;
    for (MessageType type : MessageType.values()) {
      for (int flags = 0; flags <= HeartbeatCodec.FLAGS_MASK; flags++) {
        int len = enc.type(type).flags(flags).sequence(++seq).priority(flags - 8)
            .configDigest(~seq).encode(buf, 0);
        DecodeResult r = dec.decode(buf, 0, len, GROUP);
        assertThat(r).isInstanceOf(HeartbeatView.class);
        HeartbeatView v = (HeartbeatView) r;
        assertThat(v.accepted()).isTrue();
        assertThat(v.type()).isEqualTo(type);
        assertThat(v.flags()).isEqualTo(flags);
        assertThat(v.eligible()).isEqualTo((flags & 1) != 0);
        assertThat(v.draining()).isEqualTo((flags & 2) != 0);
        assertThat(v.hasQuorum()).isEqualTo((flags & 4) != 0);
        assertThat(v.suspended()).isEqualTo((flags & 8) != 0);
        assertThat(v.keyId()).isEqualTo(1);
        assertThat(v.incarnation()).isEqualTo(1000);
        assertThat(v.sequence()).isEqualTo(seq);
        assertThat(v.priority()).isEqualTo(flags - 8);
        assertThat(v.configDigest()).isEqualTo(~seq);
        assertThat(v.nodeId()).isEqualTo("n1");
        assertThat(v.peerIndex()).isZero();
        assertThat(v.bitmapLength()).isZero();
        assertThat(v.ownedCount()).isZero();
        assertThat(v.owns(0)).isFalse();
        assertThat(v.length()).isEqualTo(len);
      }
    }
    assertThat(dec.accepted()).isEqualTo(32);
    assertThat(dec.rejectedTotal()).isZero();
  }

  @Test
  void roundTripsExtremeNumbersAsUnsigned() {
    HeartbeatDecoder dec = decoder();
    byte[] p = packet(encoder("n3").incarnation(-1L).sequence(-1L).priority(Integer.MIN_VALUE)
        .configDigest(Long.MIN_VALUE));
    HeartbeatView v = (HeartbeatView) dec.decode(p, 0, p.length, GROUP);
    assertThat(Long.toUnsignedString(v.incarnation())).isEqualTo("18446744073709551615");
    assertThat(Long.toUnsignedString(v.sequence())).isEqualTo("18446744073709551615");
    assertThat(v.priority()).isEqualTo(Integer.MIN_VALUE);
    assertThat(v.configDigest()).isEqualTo(Long.MIN_VALUE);
    assertThat(v.peerIndex()).isEqualTo(2);
    assertThat(v.toString()).contains("node=n3", "sequence=18446744073709551615");
  }

  @Test
  void theHeardBitmapIsReadAfterThePinsAndOwnedBitmap() {
    byte[] owned = {(byte) 0xFF, 0x01};
    byte[] pins = new byte[HeartbeatCodec.PIN_LENGTH];
    HeartbeatCodec.setPin(pins, 0, 3, 1, 7L);
    byte[] heard = {0b0000_0001, 0b0000_0010}; // nodes 0 and 9
    byte[] p = packet(encoder("n1").sequence(1).owned(owned, 0, 2).pins(pins, 1).heard(heard, 2));
    HeartbeatView v = (HeartbeatView) decoder().decode(p, 0, p.length, GROUP);
    assertThat(v.heardLength()).isEqualTo(2);
    assertThat(v.ownedCount()).isEqualTo(9);
    boolean[] hears = new boolean[16];
    for (int i = 0; i < 16; i++) {
      hears[i] = v.hears(i);
    }
    boolean[] expected = new boolean[16];
    expected[0] = true;
    expected[9] = true;
    assertThat(hears).containsExactly(expected);
    assertThat(v.hears(16)).as("past the bitmap").isFalse();
    assertThat(v.hears(-1)).isFalse();

    byte[] silent = packet(encoder("n1").sequence(2).owned(owned, 0, 2));
    HeartbeatView s = (HeartbeatView) decoder().decode(silent, 0, silent.length, GROUP);
    assertThat(s.heardLength()).isZero();
    assertThat(s.hears(5)).as("no heard bitmap: hears everyone").isTrue();
  }

  @Test
  void theLargestFieldsTheFormatAllowsAreAccepted() {
    byte[] pins = new byte[HeartbeatCodec.MAX_PINS * HeartbeatCodec.PIN_LENGTH];
    byte[] heard = new byte[HeartbeatCodec.MAX_HEARD_LENGTH];
    heard[HeartbeatCodec.MAX_HEARD_LENGTH - 1] = (byte) 0x80;
    byte[] p = packet(encoder("n1").sequence(1).pins(pins, HeartbeatCodec.MAX_PINS)
        .heard(heard, HeartbeatCodec.MAX_HEARD_LENGTH));
    HeartbeatView v = (HeartbeatView) decoder().decode(p, 0, p.length, GROUP);
    assertThat(v.pinCount()).isEqualTo(HeartbeatCodec.MAX_PINS);
    assertThat(v.heardLength()).isEqualTo(HeartbeatCodec.MAX_HEARD_LENGTH);
    assertThat(v.hears(8 * HeartbeatCodec.MAX_HEARD_LENGTH - 1)).isTrue();
    HeartbeatEncoder none = encoder("n1").pins(pins, 0).heard(heard, 0);
    assertThat(none.encodedLength()).isEqualTo(encoder("n1").encodedLength());

    // A node id of the longest length passes the length checks; this decoder does not know it.
    String longest = "n".repeat(HeartbeatCodec.MAX_NAME_LENGTH);
    byte[] named = packet(encoder(longest).sequence(1));
    assertThat(decoder().decode(named, 0, named.length, GROUP)).isEqualTo(Rejection.UNKNOWN_NODE);
  }

  @Test
  void roundTripsSwitchoverPinsAfterTheBitmap() {
    HeartbeatDecoder dec = decoder();
    byte[] bitmap = {0b101};
    byte[] pins = new byte[3 * HeartbeatCodec.PIN_LENGTH];
    HeartbeatCodec.setPin(pins, 0, HeartbeatCodec.PIN_GROUP, 1, 1_767_225_600_000L);
    HeartbeatCodec.setPin(pins, 1, 7, HeartbeatCodec.PIN_CLEARED, 5L);
    HeartbeatCodec.setPin(pins, 2, 65_534, 2, -1L);
    byte[] p = packet(encoder("n1").sequence(1).owned(bitmap, 0, 1).pins(pins, 3));
    assertThat(p.length).isEqualTo(HeartbeatCodec.packetLength(3, 2, 1, 3));
    HeartbeatView v = (HeartbeatView) dec.decode(p, 0, p.length, GROUP);
    assertThat(v.ownedCount()).isEqualTo(2);
    assertThat(v.pinCount()).isEqualTo(3);
    assertThat(v.pinVip(0)).isEqualTo(HeartbeatCodec.PIN_GROUP);
    assertThat(v.pinTarget(0)).isEqualTo(1);
    assertThat(v.pinEpoch(0)).isEqualTo(1_767_225_600_000L);
    assertThat(v.pinVip(1)).isEqualTo(7);
    assertThat(v.pinTarget(1)).isEqualTo(HeartbeatCodec.PIN_CLEARED);
    assertThat(v.pinEpoch(1)).isEqualTo(5L);
    assertThat(v.pinVip(2)).isEqualTo(65_534);
    assertThat(v.pinEpoch(2)).isEqualTo(-1L);
    assertThatThrownBy(() -> v.pinVip(3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> encoder("n1").pins(pins, 65))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void roundTripsEmptySparseAndFullBitmaps() {
    HeartbeatDecoder dec = decoder();
    HeartbeatEncoder enc = encoder("n1");
    byte[] buf = new byte[HeartbeatCodec.MAX_LENGTH + 100];

    byte[] full = new byte[HeartbeatCodec.MAX_BITMAP_LENGTH];
    Arrays.fill(full, (byte) 0xFF);
    int len = enc.sequence(1).owned(full, 0, full.length).encode(buf, 100);
    assertThat(len).isEqualTo(HeartbeatCodec.packetLength(3, 2, 8192));
    HeartbeatView v = (HeartbeatView) dec.decode(buf, 100, len, GROUP);
    assertThat(v.bitmapLength()).isEqualTo(8192);
    assertThat(v.ownedCount()).isEqualTo(65_536);
    assertThat(v.owns(0)).isTrue();
    assertThat(v.owns(65_535)).isTrue();
    assertThat(v.owns(65_536)).isFalse();
    assertThat(v.owns(-1)).isFalse();
    assertThat(v.offset()).isEqualTo(100);

    Random rnd = new Random(7);
    byte[] sparse = new byte[HeartbeatCodec.bitmapLength(4_097)];
    Set<Integer> owned = new java.util.TreeSet<>();
    for (int k = 0; k < 300; k++) {
      int i = rnd.nextInt(4_097);
      owned.add(i);
      HeartbeatCodec.setOwned(sparse, i);
    }
    HeartbeatCodec.setOwned(sparse, 4_096);
    owned.add(4_096);
    int first = owned.iterator().next();
    HeartbeatCodec.clearOwned(sparse, first);
    owned.remove(first);
    len = enc.sequence(2).owned(sparse, 0, sparse.length).encode(buf, 0);
    v = (HeartbeatView) dec.decode(buf, 0, len, GROUP);
    assertThat(v.bitmapLength()).isEqualTo(513);
    assertThat(v.ownedCount()).isEqualTo(owned.size());
    for (int i = 0; i < 513 * 8; i++) {
      assertThat(v.owns(i)).as("vip %d", i).isEqualTo(owned.contains(i));
      assertThat(HeartbeatCodec.isOwned(sparse, i)).isEqualTo(owned.contains(i));
    }

    len = enc.sequence(3).owned(new byte[0], 0, 0).encode(buf, 0);
    v = (HeartbeatView) dec.decode(buf, 0, len, GROUP);
    assertThat(v.bitmapLength()).isZero();
    assertThat(v.ownedCount()).isZero();
  }

  @Test
  void roundTrips64ByteNonAsciiNames() {
    String group = "é".repeat(32); // 2 bytes each
    String node = "😀".repeat(15) + "ab€"; // 4 * 15 + 2 + 3 bytes, surrogate pairs in UTF-16
    assertThat(group.getBytes(StandardCharsets.UTF_8)).hasSize(64);
    assertThat(node.getBytes(StandardCharsets.UTF_8)).hasSize(65);
    node = "😀".repeat(15) + "a€"; // 64 bytes
    assertThat(node.getBytes(StandardCharsets.UTF_8)).hasSize(64);

    HeartbeatKeys keys = HeartbeatKeys.of(1, KEY_A);
    HeartbeatDecoder dec = new HeartbeatDecoder(keys, ReplayGuard.forNodes(List.of("x", node)));
    byte[] p = packet(new HeartbeatEncoder(keys, group, node).sequence(1));
    assertThat(p).hasSize(40 + 64 + 64 + 2 + 32);
    HeartbeatView v = (HeartbeatView) dec.decode(p, 0, p.length, group);
    assertThat(v.nodeId()).isEqualTo(node);
    assertThat(v.nodeIdLength()).isEqualTo(64);
    assertThat(v.nodeIdEquals(node)).isTrue();
    assertThat(v.nodeIdEquals(node + "x")).isFalse();
    assertThat(v.nodeIdEquals(node.substring(0, node.length() - 1))).isFalse();
    assertThat(v.nodeIdEquals("😀".repeat(15) + "a$")).isFalse();
    assertThat(v.nodeIdEquals("x")).isFalse();
    assertThat(v.peerIndex()).isEqualTo(1);
    assertThat(dec.decode(p, 0, p.length, "é".repeat(31) + "e")).isEqualTo(Rejection.WRONG_GROUP);
  }

  @Test
  void encoderRefusesWhatTheWireCannotCarry() {
    HeartbeatKeys keys = HeartbeatKeys.of(1, KEY_A);
    assertThatThrownBy(() -> new HeartbeatEncoder(keys, "", "n1"))
        .hasMessageContaining("group name \"\" is 0 UTF-8 bytes");
    assertThatThrownBy(() -> new HeartbeatEncoder(keys, "g", "é".repeat(33)))
        .hasMessageContaining("is 66 UTF-8 bytes; a heartbeat carries 1..64");
    assertThatThrownBy(() -> new HeartbeatEncoder(keys, "g", "a\uD800b"))
        .hasMessageContaining("unpaired surrogate");
    HeartbeatEncoder enc = new HeartbeatEncoder(keys, "g", "n1");
    assertThatThrownBy(() -> enc.encode(new byte[200], 0))
        .hasMessageContaining("set the sequence");
    assertThatThrownBy(() -> enc.sequence(0)).hasMessageContaining("start at 1");
    assertThatThrownBy(() -> enc.flags(0x10)).hasMessageContaining("undefined bits");
    assertThatThrownBy(() -> enc.owned(new byte[9000], 0, 8193))
        .hasMessageContaining("8193 is not 0..8192");
    assertThatThrownBy(() -> enc.owned(new byte[10], 5, 6)).hasMessageContaining("outside");
    enc.sequence(1);
    assertThat(enc.encodedLength()).isEqualTo(77);
    assertThatThrownBy(() -> enc.encode(new byte[77], 1))
        .hasMessageContaining("a 77-byte packet does not fit at offset 1 of a 77-byte buffer");
    assertThatThrownBy(() -> enc.encode(new byte[77], -1)).hasMessageContaining("does not fit");
    assertThat(enc.encode(new byte[78], 1)).isEqualTo(77);
  }

  @Test
  void everySectionIsReadAtItsOwnOffsetWhenAllArePresent() {
    byte[] owned = {0x01, (byte) 0x80, 0x00};
    byte[] pins = new byte[2 * HeartbeatCodec.PIN_LENGTH];
    HeartbeatCodec.setPin(pins, 0, 2, 1, 11L);
    HeartbeatCodec.setPin(pins, 1, HeartbeatCodec.PIN_GROUP, 0, 12L);
    byte[] heard = {0b0000_0011};
    byte[] entries = new byte[2 * HeartbeatCodec.SUSPENSION_LENGTH];
    HeartbeatCodec.setSuspension(entries, 0, 2, 4_000);
    HeartbeatCodec.setSuspension(entries, 1, 1, 5_000);
    byte[] buf = new byte[200];
    int len = encoder("n1").owned(owned, 0, 3).pins(pins, 2).heard(heard, 1)
        .suspensions(entries, 2).encode(buf, 9);
    HeartbeatView v = (HeartbeatView) decoder().decode(buf, 9, len, GROUP);
    assertThat(v.bitmapOffset()).isEqualTo(9 + 40 + 3 + 2);
    assertThat(Arrays.copyOfRange(v.buffer(), v.bitmapOffset(), v.bitmapOffset() + 3))
        .containsExactly(owned);
    assertThat(v.owns(0)).isTrue();
    assertThat(v.owns(15)).isTrue();
    assertThat(v.ownedCount()).isEqualTo(2);
    assertThat(v.pinVip(1)).isEqualTo(HeartbeatCodec.PIN_GROUP);
    assertThat(v.pinEpoch(1)).isEqualTo(12L);
    assertThat(v.hears(1)).isTrue();
    assertThat(v.hears(2)).isFalse();
    assertThat(v.suspensionCount()).isEqualTo(2);
    assertThat(v.suspensionNode(0)).isEqualTo(2);
    assertThat(v.suspensionMillis(0)).isEqualTo(4_000);
    assertThat(v.suspensionNode(1)).isEqualTo(1);
    assertThat(v.suspensionMillis(1)).isEqualTo(5_000);
  }

  @Test
  void nothingPastTheOwnedOrHeardBitmapIsReadAsABit() {
    // The byte after the owned bitmap is the heard bitmap, with bit 0 set: owns(8) is past the
    // owned bitmap all the same.
    byte[] p = packet(encoder("n1").owned(new byte[] {0x01}, 0, 1).heard(new byte[] {0x01}, 1));
    HeartbeatView v = (HeartbeatView) decoder().decode(p, 0, p.length, GROUP);
    assertThat(v.owns(0)).isTrue();
    assertThat(v.owns(8)).isFalse();
    assertThat(v.hears(0)).isTrue();
    // 256 suspensions: the byte after the heard bitmap (the count's high byte) is 0x01.
    byte[] entries = new byte[HeartbeatCodec.MAX_SUSPENSIONS * HeartbeatCodec.SUSPENSION_LENGTH];
    byte[] q = packet(encoder("n1").sequence(2).heard(new byte[] {0x01}, 1)
        .suspensions(entries, HeartbeatCodec.MAX_SUSPENSIONS));
    HeartbeatView w = (HeartbeatView) decoder().decode(q, 0, q.length, GROUP);
    assertThat(w.suspensionCount()).isEqualTo(256);
    assertThat(w.hears(0)).isTrue();
    assertThat(w.hears(8)).isFalse();
  }

  @Test
  void declaredLengthsPastTheEndOfAnExactBufferAreBadLengthNotAnException() {
    byte[] good = packet(encoder("n1"));
    // Every owned-bitmap length that puts the suspension count at or beyond the packet's end,
    // in a buffer that ends where the packet does.
    for (int bitmap = 1; bitmap <= 64; bitmap++) {
      byte[] p = good.clone();
      ByteBuffer.wrap(p).putShort(30, (short) bitmap);
      assertThat(decoder().decode(p, 0, p.length, GROUP)).as("bitmap %d", bitmap)
          .isEqualTo(Rejection.BAD_LENGTH);
    }
  }

  @Test
  void theShortestPacketIsAcceptedAndNoSuspensionsIsAValidList() {
    HeartbeatKeys keys = HeartbeatKeys.of(1, KEY_A);
    byte[] p = packet(new HeartbeatEncoder(keys, "g", "x").sequence(1)
        .suspensions(new byte[0], 0));
    assertThat(p).hasSize(HeartbeatCodec.MIN_LENGTH);
    HeartbeatDecoder dec = new HeartbeatDecoder(keys, ReplayGuard.forNodes(List.of("x")));
    HeartbeatView v = (HeartbeatView) dec.decode(p, 0, p.length, "g");
    assertThat(v.nodeId()).isEqualTo("x");
    assertThat(v.suspensionCount()).isZero();
  }

  @Test
  void clearOwnedClearsExactlyItsBitAtEveryIndex() {
    for (int i = 0; i < 24; i++) {
      byte[] bitmap = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
      HeartbeatCodec.clearOwned(bitmap, i);
      for (int k = 0; k < 24; k++) {
        assertThat(HeartbeatCodec.isOwned(bitmap, k)).as("clear %d, bit %d", i, k)
            .isEqualTo(k != i);
      }
      HeartbeatCodec.setOwned(bitmap, i);
      assertThat(bitmap).containsOnly((byte) 0xFF);
    }
  }

  @Test
  void pinsMustFitTheirArray() {
    int pinLength = HeartbeatCodec.PIN_LENGTH;
    assertThatThrownBy(() -> encoder("n1").pins(new byte[pinLength - 1], 1))
        .hasMessageContaining("1 pins do not fit 0..64 or an array of 10 bytes");
    assertThatThrownBy(() -> encoder("n1").pins(new byte[2 * pinLength - 1], 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(encoder("n1").pins(new byte[pinLength], 1).encodedLength())
        .isEqualTo(encoder("n1").encodedLength() + pinLength);
  }

  @Test
  void utf8EqualsAtTheLimitsOfEachEncodedLength() {
    String[] limits = {"\u0000", "\u007F", "\u0080", "\u07FF", "\u0800", "\uFFFF",
        new String(Character.toChars(0x10000)), new String(Character.toChars(0x10FFFF))};
    for (String c : limits) {
      byte[] b = ("a" + c).getBytes(StandardCharsets.UTF_8);
      assertThat(HeartbeatCodec.utf8Equals(b, 0, b.length, "a" + c)).as("%s", c).isTrue();
      assertThat(HeartbeatCodec.utf8Equals(b, 0, b.length, "a")).as("%s cut", c).isFalse();
      assertThat(HeartbeatCodec.utf8Equals(b, 0, b.length, "a" + c + "b")).isFalse();
      if (c.length() == 2) { // the string ends in the first half of the pair the bytes hold
        assertThat(HeartbeatCodec.utf8Equals(b, 0, b.length, "a" + c.charAt(0))).isFalse();
      }
    }
    byte[] emoji = "\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
    assertThat(HeartbeatCodec.utf8Equals(emoji, 0, emoji.length, "")).isFalse();
    assertThat(HeartbeatCodec.utf8Equals(emoji, 0, emoji.length, "\uD83D")).isFalse();
    assertThat(HeartbeatCodec.utf8Equals(emoji, 0, emoji.length, "\uD83D\uDE00")).isTrue();
  }

  /** One crafted packet per rejection kind; each is counted once under its kind. */
  @Test
  void everyRejectionKindHasACraftedPacket() {
    Map<String, Case> cases = new LinkedHashMap<>();
    byte[] good = packet(encoder("n1").sequence(5).owned(new byte[] {1, 2}, 0, 2));
    cases.put("empty", new Case(new byte[0], Rejection.TOO_SHORT));
    cases.put("73 bytes", new Case(Arrays.copyOf(good, 73), Rejection.TOO_SHORT));
    cases.put("magic", edit(good, p -> set(p, 0, 0x48), Rejection.BAD_MAGIC));
    cases.put("version 1", edit(good, p -> set(p, 2, 1), Rejection.BAD_VERSION));
    cases.put("version 3", edit(good, p -> set(p, 2, 3), Rejection.BAD_VERSION));
    cases.put("version 0", edit(good, p -> set(p, 2, 0), Rejection.BAD_VERSION));
    cases.put("type 0", edit(good, p -> set(p, 3, 0), Rejection.BAD_TYPE));
    cases.put("type 3", edit(good, p -> set(p, 3, 3), Rejection.BAD_TYPE));
    cases.put("flag bit 4", edit(good, p -> set(p, 5, 0x11), Rejection.BAD_FLAGS));
    cases.put("flag bit 7", edit(good, p -> set(p, 5, 0x81), Rejection.BAD_FLAGS));
    cases.put("group length 0", edit(good, p -> set(p, 6, 0), Rejection.BAD_LENGTH));
    cases.put("node length 0", edit(good, p -> set(p, 7, 0), Rejection.BAD_LENGTH));
    cases.put("group length 4", edit(good, p -> set(p, 6, 4), Rejection.BAD_LENGTH));
    cases.put("pin count without pins", edit(good, p -> set(p, 29, 1), Rejection.BAD_LENGTH));
    cases.put("too many pins", edit(good, p -> set(p, 29, 65), Rejection.BAD_LENGTH));
    cases.put("bitmap length 1", edit(good, p -> set(p, 31, 1), Rejection.BAD_LENGTH));
    cases.put("suspension count without entries", edit(good, p -> set(p, 48, 1),
        Rejection.BAD_LENGTH));
    cases.put("too many suspensions", new Case(resign(KEY_A, withSuspensions(good, 257)),
        Rejection.BAD_LENGTH));
    cases.put("trailing byte", new Case(Arrays.copyOf(good, good.length + 1),
        Rejection.BAD_LENGTH));
    cases.put("missing byte", new Case(Arrays.copyOf(good, good.length - 1),
        Rejection.BAD_LENGTH));
    // Lengths that add up but exceed the limits: 65-byte group, 8193-byte bitmap.
    cases.put("group length 65", new Case(resign(KEY_A, withLengths(65, 2, 0)),
        Rejection.BAD_LENGTH));
    cases.put("bitmap length 8193", new Case(resign(KEY_A, withLengths(3, 2, 8193)),
        Rejection.BAD_LENGTH));
    cases.put("key 7", edit(good, p -> set(p, 4, 7), Rejection.UNKNOWN_KEY));
    cases.put("mac bit", edit(good, p -> flip(p, p.length - 1), Rejection.BAD_MAC));
    cases.put("bitmap bit", edit(good, p -> flip(p, 45), Rejection.BAD_MAC));
    cases.put("sequence bit", edit(good, p -> flip(p, 23), Rejection.BAD_MAC));
    cases.put("wrong key, same id", new Case(resign(TestPackets.KEY_B, good.clone()),
        Rejection.BAD_MAC));
    cases.put("bad utf-8, unsigned", edit(good, p -> set(p, 43, 0xC0), Rejection.BAD_MAC));
    cases.put("overlong in group", signed(good, p -> set(p, 40, 0xC0), Rejection.BAD_UTF8));
    cases.put("continuation in node", signed(good, p -> set(p, 43, 0x80), Rejection.BAD_UTF8));
    cases.put("truncated sequence", signed(good, p -> set(p, 44, 0xE2), Rejection.BAD_UTF8));
    cases.put("surrogate", new Case(resign(KEY_A, withNames("w", "n1", 0xED, 0xA0, 0x80)),
        Rejection.BAD_UTF8));
    cases.put("other group", new Case(packet(new HeartbeatEncoder(HeartbeatKeys.of(1, KEY_A),
        "db", "n1").sequence(6)), Rejection.WRONG_GROUP));
    cases.put("other node", new Case(packet(encoder("n9").sequence(6)), Rejection.UNKNOWN_NODE));
    cases.put("sequence 0", signed(good, p -> set(p, 23, 0), Rejection.REPLAYED));
    cases.put("stale", new Case(packet(encoder("n1").incarnation(999).sequence(9)),
        Rejection.STALE_INCARNATION));
    cases.put("replay", new Case(good.clone(), Rejection.REPLAYED));
    cases.put("behind window", signed(good, p -> setLong(p, 16, 36), Rejection.REPLAYED));

    HeartbeatDecoder dec = decoder();
    // n1 at incarnation 1000: accept sequences 5 and 100, so 36 is beyond the window.
    assertThat(dec.decode(good, 0, good.length, GROUP).accepted()).isTrue();
    byte[] far = packet(encoder("n1").sequence(100));
    assertThat(dec.decode(far, 0, far.length, GROUP).accepted()).isTrue();
    Set<Rejection> seen = EnumSet.noneOf(Rejection.class);
    Map<Rejection, Long> expected = new EnumMap<>(Rejection.class);
    for (Rejection r : Rejection.values()) {
      expected.put(r, 0L);
    }
    for (Map.Entry<String, Case> e : cases.entrySet()) {
      Case c = e.getValue();
      byte[] copy = c.packet.clone();
      assertThat(dec.decode(copy, 0, copy.length, GROUP)).as(e.getKey()).isEqualTo(c.expected);
      assertThat(copy).as("decode leaves the buffer alone").isEqualTo(c.packet);
      seen.add(c.expected);
      expected.merge(c.expected, 1L, Long::sum);
    }
    byte[] buf = new byte[100];
    assertThat(dec.decode(buf, 50, 51, GROUP)).isEqualTo(Rejection.BAD_LENGTH);
    assertThat(dec.decode(buf, -1, 80, GROUP)).isEqualTo(Rejection.BAD_LENGTH);
    assertThat(dec.decode(buf, 0, -1, GROUP)).isEqualTo(Rejection.BAD_LENGTH);
    assertThat(dec.decode(buf, Integer.MAX_VALUE, Integer.MAX_VALUE, GROUP))
        .isEqualTo(Rejection.BAD_LENGTH);
    expected.merge(Rejection.BAD_LENGTH, 4L, Long::sum);

    assertThat(seen).isEqualTo(EnumSet.allOf(Rejection.class));
    // rejectedCounts() is indexed by ordinal, i.e. in declaration order like the map.
    assertThat(dec.rejectedCounts()).containsExactly(
        expected.values().stream().mapToLong(Long::longValue).toArray());
    for (Rejection r : Rejection.values()) {
      assertThat(dec.rejected(r)).isEqualTo(expected.get(r));
      assertThat(r.accepted()).isFalse();
    }
    assertThat(dec.accepted()).isEqualTo(2);
    assertThat(dec.guard().highestSequence(0)).isEqualTo(100);
  }

  @Test
  void utf8ValidationAgreesWithTheJdkDecoder() {
    Random rnd = new Random(42);
    byte[] interesting = {0, 0x41, 0x7F, (byte) 0x80, (byte) 0x8F, (byte) 0x90, (byte) 0x9F,
        (byte) 0xA0, (byte) 0xBF, (byte) 0xC0, (byte) 0xC1, (byte) 0xC2, (byte) 0xDF, (byte) 0xE0,
        (byte) 0xE1, (byte) 0xEC, (byte) 0xED, (byte) 0xEE, (byte) 0xEF, (byte) 0xF0, (byte) 0xF1,
        (byte) 0xF3, (byte) 0xF4, (byte) 0xF5, (byte) 0xFF};
    int valid = 0;
    for (int n = 0; n < 100_000; n++) {
      byte[] b = new byte[1 + rnd.nextInt(6)];
      for (int i = 0; i < b.length; i++) {
        b[i] = interesting[rnd.nextInt(interesting.length)];
      }
      String jdk = strictDecode(b);
      if (HeartbeatCodec.isWellFormedUtf8(b, 0, b.length) != (jdk != null)) {
        throw new AssertionError("disagree on " + Arrays.toString(b));
      }
      if (jdk != null) {
        valid++;
        if (!HeartbeatCodec.utf8Equals(b, 0, b.length, jdk)
            || HeartbeatCodec.utf8Equals(b, 0, b.length, jdk + "x")
            || HeartbeatCodec.utf8Equals(b, 0, b.length, jdk.substring(1))) {
          throw new AssertionError("utf8Equals wrong on " + Arrays.toString(b));
        }
      }
    }
    assertThat(valid).as("both outcomes are exercised").isBetween(1_000, 99_000);
  }

  private static @Nullable String strictDecode(byte[] b) {
    try {
      CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return cb.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static final class Case {
    final byte[] packet;
    final Rejection expected;

    Case(byte[] packet, Rejection expected) {
      this.packet = packet;
      this.expected = expected;
    }
  }

  private static Case edit(byte[] good, UnaryOperator<byte[]> change, Rejection expected) {
    return new Case(change.apply(good.clone()), expected);
  }

  private static Case signed(byte[] good, UnaryOperator<byte[]> change, Rejection expected) {
    return new Case(resign(KEY_A, change.apply(good.clone())), expected);
  }

  private static byte[] set(byte[] p, int i, int v) {
    p[i] = (byte) v;
    return p;
  }

  private static byte[] flip(byte[] p, int i) {
    p[i] ^= 1;
    return p;
  }

  private static byte[] setLong(byte[] p, int i, long v) {
    ByteBuffer.wrap(p).putLong(i, v);
    return p;
  }

  /** A packet of group "web…" and node "n1…" with consistent (possibly illegal) lengths. */
  private static byte[] withLengths(int g, int n, int b) {
    byte[] p = new byte[40 + g + n + b + 2 + 32];
    ByteBuffer bb = ByteBuffer.wrap(p);
    bb.putShort(0, (short) 0x5648).put(2, (byte) 2).put(3, (byte) 1).put(4, (byte) 1)
        .put(6, (byte) g).put(7, (byte) n).putLong(8, 1000).putLong(16, 50)
        .putShort(30, (short) b);
    Arrays.fill(p, 40, 40 + g + n, (byte) 'a');
    return p;
  }

  /** {@code good} (no pins, no heard bitmap) claiming {@code count} suspensions, all present. */
  private static byte[] withSuspensions(byte[] good, int count) {
    int at = good.length - 32 - 2;
    byte[] p = Arrays.copyOf(good, at + 2 + count * 5 + 32);
    ByteBuffer.wrap(p).putShort(at, (short) count);
    return p;
  }

  /** A packet of node {@code node} whose group name is {@code group} followed by raw bytes. */
  private static byte[] withNames(String group, String node, int... extra) {
    byte[] gb = group.getBytes(StandardCharsets.UTF_8);
    byte[] nb = node.getBytes(StandardCharsets.UTF_8);
    List<Byte> name = new ArrayList<>();
    for (byte x : gb) {
      name.add(x);
    }
    for (int x : extra) {
      name.add((byte) x);
    }
    byte[] p = withLengths(name.size(), nb.length, 0);
    for (int i = 0; i < name.size(); i++) {
      p[40 + i] = name.get(i);
    }
    System.arraycopy(nb, 0, p, 40 + name.size(), nb.length);
    return p;
  }
}
