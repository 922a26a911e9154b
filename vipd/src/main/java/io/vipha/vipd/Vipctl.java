package io.vipha.vipd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.VipGroup;
import io.vipha.config.VipConfig;
import io.vipha.vipd.ControlProtocol.Command;
import io.vipha.vipd.ControlProtocol.Request;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/**
 * vipctl, the control client of a running vipd: {@code vipctl status}, {@code vipctl switchover
 * n2}, ... It sends one request to the daemon's control socket and prints the reply: tables by
 * default, the reply's JSON with {@code --json}. Its exit codes are {@link Exit}.
 */
@CommandLine.Command(name = "vipctl", mixinStandardHelpOptions = true,
    versionProvider = Vipctl.Version.class, sortOptions = false,
    description = {"Shows and steers a running vipd through its control socket.",
        "The socket: --socket PATH, or the one that --config FILE --node ID [--group NAME]",
        "name (daemon.controlSocket, else /run/vipha/GROUP-NODE.sock)."},
    subcommands = {Vipctl.Status.class, Vipctl.Switchover.class, Vipctl.ClearSwitchover.class,
        Vipctl.Drain.class, Vipctl.Undrain.class, Vipctl.Announce.class, Vipctl.Reload.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done",
        "1:the daemon answered with an error (reload: rejected, the running configuration stays)",
        "2:bad command line, or the configuration named by --config is wrong",
        "3:no control socket, or nobody answers on it: vipd is not running for this node",
        "4:permission denied on the socket (it is mode 0660: run as root or the daemon's group)",
        "5:no reply: the connection broke or the daemon did not answer in time"})
public final class Vipctl implements Callable<Integer> {

  /** vipctl's exit codes, as {@code vipctl --help} and the README list them. */
  enum Exit {
    /** Done. */
    OK(0),
    /** The daemon answered with an error. */
    ERROR_REPLY(1),
    /** Bad command line, or the configuration named by {@code --config} is wrong. */
    USAGE(2),
    /** No control socket, or nobody answers on it. */
    NOT_RUNNING(3),
    /** The caller may not open the socket. */
    PERMISSION(4),
    /** The connection broke or no reply came in time. */
    NO_REPLY(5);

    final int code;

    Exit(int code) {
      this.code = code;
    }
  }

  @Option(names = "--socket", paramLabel = "PATH", scope = ScopeType.INHERIT,
      description = "the daemon's control socket")
  @Nullable Path socket;

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "the daemon's configuration, to find its socket")
  @Nullable Path config;

  @Option(names = "--node", paramLabel = "ID", scope = ScopeType.INHERIT,
      description = "the daemon's node id (with --config)")
  @Nullable String node;

  @Option(names = "--group", paramLabel = "NAME", scope = ScopeType.INHERIT,
      description = "the daemon's group (with --config, when the file has several)")
  @Nullable String group;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "print the daemon's reply as JSON")
  boolean json;

  @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT,
      defaultValue = "10", description = "how long to wait for the reply (default: 10)")
  int timeoutSeconds = 10;

  private final PrintStream out;
  private final PrintStream err;

  Vipctl(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs vipctl; exits with one of the codes of {@link Exit}. */
  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /** Runs vipctl with {@code args}; the exit code. */
  static int run(PrintStream out, PrintStream err, String... args) {
    CommandLine cl = new CommandLine(new Vipctl(out, err));
    cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cl.setExitCodeExceptionMapper(e -> Exit.USAGE.code);
    cl.setParameterExceptionHandler((e, a) -> {
      err.println("vipctl: " + e.getMessage());
      err.println("Run vipctl --help for the commands and options.");
      return Exit.USAGE.code;
    });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    err.println("vipctl: name a command: status, switchover, clear-switchover, drain, undrain,"
        + " announce, reload\nRun vipctl --help for the commands and options.");
    return Exit.USAGE.code;
  }

  /** The socket: --socket, or the one the configuration names for --node (and --group). */
  private Path socketPath() throws Failure {
    Path s = socket;
    Path file = config;
    if (s != null) {
      if (file != null || node != null || group != null) {
        throw new Failure(ExitCode.CONFIG, "--socket cannot be combined with --config, --node"
            + " or --group");
      }
      return s;
    }
    if (file == null || node == null) {
      throw new Failure(ExitCode.CONFIG, "name the daemon: --socket PATH, or --config FILE"
          + " --node ID [--group NAME]");
    }
    VipConfig c = Setup.config(file);
    VipGroup g = Setup.group(c, file, group, node);
    return Vipd.controlSocket(Vipd.DEFAULT_CONTROL_DIRECTORY, g.name(), node,
        c.daemon(g.name()));
  }

  /** Sends {@code request}; prints the reply with {@code print} (unless --json); the exit code. */
  private int send(Request request, java.util.function.Function<JsonNode, String> print) {
    Path path;
    try {
      path = socketPath();
    } catch (Failure f) {
      err.println("vipctl: " + f.getMessage());
      return Exit.USAGE.code;
    }
    String line;
    try {
      line = ControlClient.request(path, request.toLine(), Duration.ofSeconds(
          Math.max(1, timeoutSeconds)));
    } catch (ControlClient.NoReply e) {
      err.println("vipctl: " + e.getMessage());
      return switch (e.kind) {
        case NOT_RUNNING -> Exit.NOT_RUNNING.code;
        case PERMISSION -> Exit.PERMISSION.code;
        case BROKEN -> Exit.NO_REPLY.code;
      };
    }
    JsonNode reply;
    try {
      reply = ControlProtocol.JSON.readTree(line);
    } catch (JsonProcessingException e) {
      err.println("vipctl: the reply is not JSON: " + e.getOriginalMessage());
      return Exit.NO_REPLY.code;
    }
    if (json) {
      JsonNode body = reply.path("ok").asBoolean() ? reply.path("result") : reply;
      out.println(body.toPrettyString());
    }
    if (!reply.path("ok").asBoolean()) {
      JsonNode e = reply.path("error");
      String message = e.path("message").asText("the daemon's reply is malformed");
      // A message of several lines (a rejected reload's problems) ends with its last problem.
      err.println("vipctl: " + (message.contains("\n") ? message
          : message + " (" + e.path("code").asText("?") + ")"));
      return Exit.ERROR_REPLY.code;
    }
    if (!json) {
      out.print(print.apply(reply.path("result")));
    }
    return Exit.OK.code;
  }

  private static Request request(Command c) {
    return new Request(c, Map.of());
  }

  /** The subcommands' common part: the parent's options and the request. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand @Nullable Vipctl parent;

    Vipctl parent() {
      return java.util.Objects.requireNonNull(parent);
    }
  }

  @CommandLine.Command(name = "status", mixinStandardHelpOptions = true,
      description = "Shows the node: phase, quorum, every node's liveness, priority and"
          + " eligibility, the VIPs with their owner, held-since and reason, the health checks,"
          + " the last events and the counters.")
  static final class Status extends Sub {
    @Option(names = {"-e", "--events"}, paramLabel = "N", defaultValue = "10",
        description = "how many of the last events the table shows (default: 10; --json shows"
            + " all, up to 64)")
    int events = 10;

    @Override
    public Integer call() {
      return parent().send(request(Command.STATUS), s -> StatusTable.render(s, events));
    }
  }

  @CommandLine.Command(name = "switchover", mixinStandardHelpOptions = true,
      description = "Moves the group (Active/Passive) or one VIP (Active/Active, with --vip) to"
          + " TARGET, make-before-break. The request stays until clear-switchover.")
  static final class Switchover extends Sub {
    @Option(names = "--vip", paramLabel = "CIDR", description = "the VIP to move (Active/Active)")
    @Nullable String vip;

    @Parameters(paramLabel = "TARGET", description = "the node to move to")
    String target = "";

    @Override
    public Integer call() {
      Map<String, String> args = new LinkedHashMap<>();
      args.put("target", target);
      if (vip != null) {
        args.put("vip", vip);
      }
      return parent().send(new Request(Command.SWITCHOVER, args), r -> "switchover of "
          + (r.has("vip") ? r.path("vip").asText() : "group " + r.path("group").asText())
          + " to " + r.path("target").asText() + " requested; the VIPs move make-before-break"
          + " (vipctl status shows the owner)\n");
    }
  }

  @CommandLine.Command(name = "clear-switchover", mixinStandardHelpOptions = true,
      description = "Clears every switchover request: the normal rules decide again.")
  static final class ClearSwitchover extends Sub {
    @Override
    public Integer call() {
      return parent().send(request(Command.CLEAR_SWITCHOVER), r -> "switchover requests of"
          + " group " + r.path("group").asText() + " cleared; the normal rules decide again\n");
    }
  }

  @CommandLine.Command(name = "drain", mixinStandardHelpOptions = true,
      description = "Drains the node for maintenance: its VIPs move to the peers,"
          + " make-before-break, and it takes none until undrain.")
  static final class Drain extends Sub {
    @Override
    public Integer call() {
      return parent().send(request(Command.DRAIN), r -> "node " + r.path("node").asText()
          + " drains: its VIPs move to the peers make-before-break\n");
    }
  }

  @CommandLine.Command(name = "undrain", mixinStandardHelpOptions = true,
      description = "Ends a drain: the node may own VIPs again.")
  static final class Undrain extends Sub {
    @Override
    public Integer call() {
      return parent().send(request(Command.UNDRAIN), r -> "node " + r.path("node").asText()
          + " may own VIPs again\n");
    }
  }

  @CommandLine.Command(name = "announce", mixinStandardHelpOptions = true,
      description = "Sends gratuitous ARP / unsolicited neighbour advertisements for the VIPs"
          + " this node holds, now (as many as the policy's announce count).")
  static final class Announce extends Sub {
    @Override
    public Integer call() {
      return parent().send(request(Command.ANNOUNCE), r -> {
        if (r.path("announced").isEmpty()) {
          return "nothing announced: node " + r.path("node").asText() + " holds no VIP it"
              + " owns (or is joining)\n";
        }
        StringBuilder sb = new StringBuilder("announced");
        r.path("announced").forEach(v -> sb.append(' ').append(v.asText()));
        return sb.append('\n').toString();
      });
    }
  }

  @CommandLine.Command(name = "reload", mixinStandardHelpOptions = true,
      description = {"Makes the daemon read its configuration and key files again and apply the"
          + " changes that keep the node's role (timers, priorities, VIPs, peers, health checks,"
          + " notify hooks, keys) without releasing a VIP that stays; as SIGHUP does.",
          "A configuration with a problem, or a change that needs a restart, is rejected whole:"
              + " every problem is printed, the running configuration stays, and the exit code"
              + " is 1."})
  static final class Reload extends Sub {
    @Override
    public Integer call() {
      return parent().send(request(Command.RELOAD), r -> {
        StringBuilder sb = new StringBuilder("reload ").append(r.path("generation").asInt())
            .append(" applied: ");
        if (r.path("changes").isEmpty()) {
          return sb.append("no changes\n").toString();
        }
        sb.append(r.path("changes").size()).append(r.path("changes").size() == 1 ? " change"
            : " changes").append('\n');
        r.path("changes").forEach(c -> sb.append("  ").append(c.asText()).append('\n'));
        return sb.toString();
      });
    }
  }

  /** The version from vipd.properties. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vipctl " + Vipd.version()};
    }
  }
}
