package io.vipha.vipd;

import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.config.DaemonSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The heartbeat keys a node runs with: the signing key and at most one more accepted key, read
 * from their files.
 *
 * @param sign the key that signs this node's heartbeats (and is accepted)
 * @param accept one more key that is accepted, or null
 */
record KeySet(Key sign, @Nullable Key accept) {
  /**
   * The keys of a group whose coordinator signs nothing (ZooKeeper) and that names no key file:
   * a placeholder that no heartbeat is ever signed with.
   */
  static final KeySet UNUSED = new KeySet(new Key(DaemonSettings.DEFAULT_KEY_ID, new byte[32],
      Path.of("/dev/null")), null);

  /**
   * One key.
   *
   * @param id its id, 0–255
   * @param bytes the key; never shown
   * @param file the file it was read from
   */
  record Key(int id, byte[] bytes, Path file) {
    Key {
      bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** Whether {@code other} has the same id and bytes (the file may differ). */
    boolean sameAs(@Nullable Key other) {
      return other != null && other.id == id && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && sameAs(k) && k.file.equals(file);
    }

    @Override
    public int hashCode() {
      return 31 * id + file.hashCode();
    }

    @Override
    public String toString() {
      return "key " + id + " (" + file + ")";
    }
  }

  /**
   * The key of id {@code id} from {@code file} ({@code from} says where the file was named);
   * null, with the problem added to {@code problems}, when the file is missing or holds no key.
   */
  static @Nullable Key read(int id, Path file, String from, List<String> problems) {
    if (!Files.isRegularFile(file)) {
      problems.add("the heartbeat key file " + file + " (" + from + ") does not exist or is not a"
          + " file; make one with: head -c 32 /dev/urandom | base64 > " + file);
      return null;
    }
    try {
      return new Key(id, HeartbeatCoordinator.Builder.readKey(file), file);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage() + " (" + from + ")");
      return null;
    }
  }

  /** The keys by id, the signing key first. */
  List<Key> all() {
    Key a = accept;
    return a == null ? List.of(sign) : List.of(sign, a);
  }

  /** The key of id {@code id}, if this set has one. */
  Optional<Key> byId(int id) {
    return all().stream().filter(k -> k.id() == id).findFirst();
  }

  /** Builds {@code b}'s keys from this set. */
  HeartbeatCoordinator.Builder keyed(HeartbeatCoordinator.Builder b) {
    b.key(sign.id(), sign.bytes());
    Key a = accept;
    if (a != null) {
      b.acceptAlso(a.id(), a.bytes());
    }
    return b;
  }

  /** Whether the set signs and accepts what {@code other} does (files aside). */
  boolean sameAs(KeySet other) {
    Key a = accept;
    return sign.sameAs(other.sign) && (a == null ? other.accept == null : a.sameAs(other.accept));
  }

  /**
   * The problems of running {@code next} after this set: a key id whose bytes changed. Peers
   * know a key by its id, so a key replaced under the same id would be rejected by every peer
   * that still has the old one.
   */
  List<String> problemsWith(KeySet next) {
    List<String> problems = new ArrayList<>();
    TreeSet<Integer> used = new TreeSet<>();
    all().forEach(k -> used.add(k.id()));
    next.all().forEach(k -> used.add(k.id()));
    for (Key k : next.all()) {
      Optional<Key> running = byId(k.id());
      if (running.isPresent() && !running.get().sameAs(k)) {
        int free = 0;
        while (used.contains(free)) {
          free++;
        }
        problems.add("key id " + k.id() + " now holds another key (" + k.file() + ") than the"
            + " running key " + k.id() + " (" + running.get().file() + "); peers that have the"
            + " running one would reject this node's heartbeats. Give a new key a new id (e.g. "
            + free + ") and rotate in three reloads: accept it, sign with it, drop the old one");
      }
    }
    return problems;
  }

  /** What changed from this set to {@code next}, one line each; empty when nothing did. */
  List<String> changesTo(KeySet next) {
    List<String> changes = new ArrayList<>();
    if (!sign.sameAs(next.sign)) {
      changes.add("signing key: " + sign + " -> " + next.sign);
    }
    Key a = accept;
    Key b = next.accept;
    if (a == null ? b != null : !a.sameAs(b)) {
      changes.add("accepted key: " + (a == null ? "none" : a) + " -> "
          + (b == null ? "none" : b));
    }
    return changes;
  }

  @Override
  public String toString() {
    Key a = accept;
    return "signing " + sign + (a == null ? "" : ", accepting " + a);
  }
}
