package io.vipha.vipd;

import io.vipha.Node;
import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.config.DaemonSettings;
import io.vipha.config.VipConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What vipd runs, read from the configuration and the key files before anything is opened: the
 * node's group, its daemon settings, the keys and the heartbeat coordinator's builder.
 *
 * @param group the group that the node belongs to
 * @param daemon the group's daemon settings
 * @param keys the heartbeat keys: the signing key from {@code --key-file} or {@code
 *     daemon.keyFile} with id {@code daemon.keyId}, and {@code daemon.acceptKey}
 * @param coordinator the heartbeat coordinator, keyed and with the multicast group if any
 * @param stateFile the node's state file: {@code daemon.stateFile}, or the default template,
 *     filled in
 */
record Setup(VipGroup group, DaemonSettings daemon, KeySet keys,
    HeartbeatCoordinator.Builder coordinator, Path stateFile) {

  /**
   * Reads and checks the configuration and the keys; nothing is opened yet. {@code
   * defaultStateFile} is the state file template when the configuration sets none. Every
   * problem of the keys is in the one failure.
   */
  static Setup read(Options o, String defaultStateFile) throws Failure {
    Path file = Objects.requireNonNull(o.config());
    String node = Objects.requireNonNull(o.node());
    VipConfig config = config(file);
    VipGroup group = group(config, file, o.group(), node);
    DaemonSettings daemon = config.daemon(group.name());
    KeySet keys = keys(o, group.name(), daemon);
    HeartbeatCoordinator.Builder coordinator = keys.keyed(HeartbeatCoordinator.builder());
    try {
      DaemonSettings.Multicast m = daemon.multicast();
      if (m != null) {
        coordinator.multicast(m.group(), m.interfaceName());
      }
    } catch (IllegalArgumentException e) {
      throw new Failure(ExitCode.CONFIG, String.valueOf(e.getMessage()));
    }
    DaemonSettings withState = daemon.stateFile() != null ? daemon
        : daemon.withStateFile(defaultStateFile);
    return new Setup(group, daemon, keys, coordinator, withState.stateFile(group.name(), node));
  }

  /** The keys of group {@code name}: every problem of them in one failure. */
  private static KeySet keys(Options o, String name, DaemonSettings daemon) throws Failure {
    Path keyFile = o.keyFile() != null ? o.keyFile() : daemon.keyFile();
    if (keyFile == null && (daemon.zookeeper() != null || daemon.vrrp() != null)) {
      return KeySet.UNUSED; // ZooKeeper or VRRP decides: no heartbeats to sign
    }
    if (keyFile == null) {
      throw new Failure(ExitCode.CONFIG, "no heartbeat key: give --key-file FILE or set"
          + " \"daemon\": {\"keyFile\": \"/etc/vipha/" + name + ".key\"} in group "
          + name + "; make a key with: head -c 32 /dev/urandom | base64 > " + name + ".key");
    }
    List<String> problems = new ArrayList<>();
    KeySet.Key sign = KeySet.read(daemon.keyId(), keyFile, o.keyFile() != null ? "--key-file"
        : "the daemon.keyFile of group " + name, problems);
    DaemonSettings.Key accept = daemon.acceptKey();
    KeySet.Key accepted = accept == null ? null : KeySet.read(accept.id(), accept.file(),
        "the daemon.acceptKey of group " + name, problems);
    if (sign == null || !problems.isEmpty()) {
      throw problems.size() == 1 ? new Failure(ExitCode.CONFIG, problems.get(0))
          : new Failure(ExitCode.CONFIG, "the heartbeat keys of group " + name + " are wrong",
              problems);
    }
    return new KeySet(sign, accepted);
  }

  /** Reads the configuration {@code file}; every problem is a {@link ExitCode#CONFIG} failure. */
  static VipConfig config(Path file) throws Failure {
    try {
      return VipConfig.read(file);
    } catch (NoSuchFileException e) {
      throw new Failure(ExitCode.CONFIG, "cannot read the configuration " + file
          + ": no such file");
    } catch (IOException | UncheckedIOException e) {
      throw new Failure(ExitCode.CONFIG, "cannot read the configuration " + file + ": " + e);
    } catch (ValidationException e) {
      throw new Failure(ExitCode.CONFIG, "the configuration " + file + " is invalid",
          e.problems().stream().map(Object::toString).toList());
    }
  }

  /**
   * The group of {@code config} named {@code wanted} (null: the file's only group), which must
   * have node {@code node}.
   */
  static VipGroup group(VipConfig config, Path file, @Nullable String wanted, String node)
      throws Failure {
    List<String> names = config.groups().stream().map(VipGroup::name).toList();
    VipGroup group;
    if (wanted == null) {
      if (names.size() > 1) {
        throw new Failure(ExitCode.CONFIG, file + " has " + names.size() + " groups ("
            + String.join(", ", names) + "); choose one with --group NAME", true);
      }
      group = config.groups().get(0);
    } else {
      group = config.groups().stream().filter(g -> g.name().equals(wanted)).findFirst()
          .orElseThrow(() -> new Failure(ExitCode.CONFIG, file + " has no group " + wanted
              + "; its groups are " + String.join(", ", names), true));
    }
    if (group.node(node).isEmpty()) {
      throw new Failure(ExitCode.CONFIG, "node " + node + " is not in group " + group.name()
          + " of " + file + "; its nodes are " + group.nodes().stream().map(Node::id)
          .collect(Collectors.joining(", ")), true);
    }
    return group;
  }
}
