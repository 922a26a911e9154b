package io.vipha.vipd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * vipd's command line, parsed: flags written {@code --name value} or {@code --name=value}.
 *
 * @param config the configuration file ({@code --config}, required unless help or version)
 * @param node this node's id ({@code --node}, required unless help or version)
 * @param group the group to run ({@code --group}); null: the file's only group
 * @param keyFile the heartbeat key file ({@code --key-file}); null: the group's daemon.keyFile
 * @param namespace the network namespace whose addresses to manage ({@code --namespace})
 * @param controlSocket the control socket ({@code --control-socket}); null: the group's
 *     daemon.controlSocket, else /run/vipha/GROUP-NODE.sock
 * @param check only validate the configuration and exit ({@code --check})
 * @param help print the usage and exit ({@code --help})
 * @param version print the version and exit ({@code --version})
 */
record Options(@Nullable Path config, @Nullable String node, @Nullable String group,
    @Nullable Path keyFile, @Nullable String namespace, @Nullable Path controlSocket,
    boolean check, boolean help, boolean version) {

  static final String USAGE = """
      Usage: vipd --config FILE --node ID [options]

      Runs one node of one group of a vipha configuration: heartbeats over UDP, VIPs added to and
      removed from this host's interfaces with netlink. SIGTERM or SIGINT stops it gracefully:
      its VIPs move to the peers before it lets go of them. SIGHUP (or vipctl reload) reads the
      configuration and key files again and applies the changes that keep the node's role.

      Options:
        --config FILE      the JSON configuration (required)
        --node ID          this node's id in the group (required)
        --group NAME       the group to run; needed when the file has several groups
        --key-file FILE    the heartbeat key, base64 text; default: the group's daemon.keyFile
        --namespace NAME   manage the addresses of network namespace NAME (`ip netns` name or
                           /proc/PID/ns/net) instead of this process's own
        --control-socket PATH
                           the control socket for vipctl; default: the group's
                           daemon.controlSocket, else /run/vipha/GROUP-NODE.sock
        --check            validate the configuration (and key file) and exit
        --help             print this help and exit
        --version          print the version and exit

      Exit codes: 0 stopped by SIGTERM/SIGINT, or --check/--help/--version; 1 unexpected error;
      2 bad command line or configuration; 3 the heartbeat socket cannot be opened (port in use,
      address not on this host); 4 a VIP or multicast interface does not exist; 5 unsupported
      platform; 6 the node state file cannot be read, is corrupt or cannot be written; 7 the
      control socket cannot be opened (another vipd answers on it, or its directory cannot be
      made); 8 the metrics endpoint (daemon.metrics) cannot be opened (port in use, address not
      on this host); 77 missing privilege (CAP_NET_ADMIN, CAP_NET_RAW).

      Control: vipctl status (and switchover, drain, reload, ...) talks to the running daemon
      through its control socket, daemon.controlSocket or /run/vipha/GROUP-NODE.sock (mode 0660).
      """;

  /** Parses {@code args}; throws {@link UsageException} naming the problem. */
  static Options parse(String... args) {
    Path config = null;
    String node = null;
    String group = null;
    Path keyFile = null;
    String namespace = null;
    Path controlSocket = null;
    boolean check = false;
    boolean help = false;
    boolean version = false;
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument " + arg + "; every option is a --flag");
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String inline = eq < 0 ? null : arg.substring(eq + 1);
      if (seen.contains(name)) {
        throw new UsageException(name + " is given twice");
      }
      seen.add(name);
      switch (name) {
        case "--check", "--help", "--version" -> {
          if (inline != null) {
            throw new UsageException(name + " takes no value");
          }
          check |= name.equals("--check");
          help |= name.equals("--help");
          version |= name.equals("--version");
        }
        case "--config", "--node", "--group", "--key-file", "--namespace",
            "--control-socket" -> {
          String value = inline;
          if (value == null) {
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
              throw new UsageException(name + " needs a value");
            }
            value = args[++i];
          }
          if (value.isBlank()) {
            throw new UsageException(name + " needs a value; got an empty one");
          }
          switch (name) {
            case "--config" -> config = path(name, value);
            case "--node" -> node = value;
            case "--group" -> group = value;
            case "--key-file" -> keyFile = path(name, value);
            case "--control-socket" -> controlSocket = path(name, value);
            default -> namespace = value;
          }
        }
        default -> throw new UsageException("unknown option " + name);
      }
    }
    if (!help && !version) {
      if (config == null) {
        throw new UsageException("--config FILE is required");
      }
      if (node == null) {
        throw new UsageException("--node ID is required");
      }
    }
    return new Options(config, node, group, keyFile, namespace, controlSocket, check, help,
        version);
  }

  private static Path path(String flag, String value) {
    try {
      return Path.of(value);
    } catch (java.nio.file.InvalidPathException e) {
      throw new UsageException(flag + " " + value + " is not a valid path: " + e.getReason(), e);
    }
  }
}
