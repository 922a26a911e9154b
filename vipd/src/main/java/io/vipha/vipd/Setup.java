package io.vipha.vipd;

import io.vipha.Node;
import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.config.DaemonSettings;
import io.vipha.config.VipConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What vipd runs, read from the configuration and the key file before anything is opened: the
 * node's group, its daemon settings, the key file and the heartbeat coordinator's builder.
 *
 * @param group the group that the node belongs to
 * @param daemon the group's daemon settings
 * @param keyFile the heartbeat key file, from {@code --key-file} or the daemon settings
 * @param coordinator the heartbeat coordinator, keyed and with the multicast group if any
 * @param stateFile the node's state file: {@code daemon.stateFile}, or the default template,
 *     filled in
 */
record Setup(VipGroup group, DaemonSettings daemon, Path keyFile,
    HeartbeatCoordinator.Builder coordinator, Path stateFile) {

  /**
   * Reads and checks the configuration and the key; nothing is opened yet. {@code
   * defaultStateFile} is the state file template when the configuration sets none.
   */
  static Setup read(Options o, String defaultStateFile) throws Failure {
    Path file = Objects.requireNonNull(o.config());
    String node = Objects.requireNonNull(o.node());
    VipConfig config = config(file);
    VipGroup group = group(config, file, o.group(), node);
    DaemonSettings daemon = config.daemon(group.name());
    Path keyFile = o.keyFile() != null ? o.keyFile() : daemon.keyFile();
    if (keyFile == null) {
      throw new Failure(ExitCode.CONFIG, "no heartbeat key: give --key-file FILE or set"
          + " \"daemon\": {\"keyFile\": \"/etc/vipha/" + group.name() + ".key\"} in group "
          + group.name() + "; make a key with: head -c 32 /dev/urandom | base64 > "
          + group.name() + ".key");
    }
    String from = o.keyFile() != null ? "--key-file" : "the daemon.keyFile of group "
        + group.name();
    if (!Files.isRegularFile(keyFile)) {
      throw new Failure(ExitCode.CONFIG, "the heartbeat key file " + keyFile + " (" + from
          + ") does not exist or is not a file; make one with: head -c 32 /dev/urandom | base64"
          + " > " + keyFile);
    }
    HeartbeatCoordinator.Builder coordinator = HeartbeatCoordinator.builder();
    try {
      coordinator.keyFile(1, keyFile);
      DaemonSettings.Multicast m = daemon.multicast();
      if (m != null) {
        coordinator.multicast(m.group(), m.interfaceName());
      }
    } catch (IllegalArgumentException e) {
      throw new Failure(ExitCode.CONFIG, String.valueOf(e.getMessage()));
    }
    DaemonSettings withState = daemon.stateFile() != null ? daemon
        : daemon.withStateFile(defaultStateFile);
    return new Setup(group, daemon, keyFile, coordinator,
        withState.stateFile(group.name(), node));
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
      throw new Failure(ExitCode.CONFIG, "the configuration " + file + " is invalid:\n"
          + e.problems().stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
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
            + String.join(", ", names) + "); choose one with --group NAME");
      }
      group = config.groups().get(0);
    } else {
      group = config.groups().stream().filter(g -> g.name().equals(wanted)).findFirst()
          .orElseThrow(() -> new Failure(ExitCode.CONFIG, file + " has no group " + wanted
              + "; its groups are " + String.join(", ", names)));
    }
    if (group.node(node).isEmpty()) {
      throw new Failure(ExitCode.CONFIG, "node " + node + " is not in group " + group.name()
          + " of " + file + "; its nodes are " + group.nodes().stream().map(Node::id)
          .collect(Collectors.joining(", ")));
    }
    return group;
  }
}
