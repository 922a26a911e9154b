package io.vipha.mover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.VirtualIp;
import io.vipha.internal.Processes;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverResult;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An {@link AddressMover} that runs a command of the user's (no shell) for each call, type
 * {@code exec}: the command line, then {@code ACTION VIP EPOCH} ({@code claim 203.0.113.10/32
 * 1767225600300}; {@code observe} has no epoch). The environment adds {@code VIPHA_ACTION},
 * {@code VIPHA_VIP}, {@code VIPHA_INTERFACE}, {@code VIPHA_NODE}, {@code VIPHA_EPOCH}, {@code
 * VIPHA_EXPECTED_VERSION} (when set) and {@code VIPHA_TIMEOUT_MS}; standard input is the same as
 * one JSON object ({@code {"action", "vip", "interface", "node", "epoch", "expectedVersion"}}).
 *
 * <p>The exit code is the outcome: 0 accepted (for {@code observe}: read), {@value #ALREADY_OWNED}
 * already owned, {@value #STALE_EPOCH} stale epoch, {@value #CONFLICT} conflict, {@value
 * #THROTTLED} throttled, any other failed. The first line of standard output may say more: a JSON
 * object with any of {@code target}, {@code version}, {@code epoch}, {@code detail} and {@code
 * retryAfterMs}, or plain text {@code TARGET [VERSION [EPOCH]]} with {@code -} for none. Output
 * that is neither is a failure. A command still running at the call's deadline is killed with
 * its descendants and the call is {@code TIMED_OUT}. Calls run on daemon threads of the mover's
 * own; {@link #close()} ends them after a grace.
 */
public final class ExecMover implements AddressMover {
  /** Exit code: the VIP already pointed here. */
  public static final int ALREADY_OWNED = 10;
  /** Exit code: the provider holds a higher epoch. */
  public static final int STALE_EPOCH = 11;
  /** Exit code: the record is not at the expected version, or someone else holds it. */
  public static final int CONFLICT = 12;
  /** Exit code: the provider asked to slow down. */
  public static final int THROTTLED = 13;
  /** How long {@link #close()} lets calls already made finish. */
  public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The most of standard output read, and of a detail reported. */
  private static final int MAX_OUTPUT = 64 * 1024;
  private static final int MAX_DETAIL = 200;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final List<String> command;
  private final String node;
  private final ExecutorService executor;

  /** A mover of node {@code node} that runs {@code command} (an absolute path and arguments). */
  public ExecMover(List<String> command, String node) {
    this.command = List.copyOf(command);
    this.node = Objects.requireNonNull(node, "node");
    if (this.command.isEmpty() || !Path.of(this.command.get(0)).isAbsolute()) {
      throw new IllegalArgumentException("the command must start with an absolute path, got "
          + command);
    }
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "vipha-exec-mover-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public CompletionStage<MoverResult> observe(VirtualIp vip, Duration timeout) {
    return run("observe", vip, 0, null, timeout);
  }

  @Override
  public CompletionStage<MoverResult> claim(VirtualIp vip, long epoch,
      @Nullable String expectedVersion, Duration timeout) {
    return run("claim", vip, epoch, expectedVersion, timeout);
  }

  @Override
  public CompletionStage<MoverResult> release(VirtualIp vip, long epoch, Duration timeout) {
    return run("release", vip, epoch, null, timeout);
  }

  /**
   * Takes no more calls, lets those already made run for up to {@link #CLOSE_GRACE} (a release
   * made as the agent stopped, say), then ends the rest: their commands are killed.
   */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(CLOSE_GRACE.toNanos(), TimeUnit.NANOSECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "exec mover " + command.get(0);
  }

  private CompletionStage<MoverResult> run(String action, VirtualIp vip, long epoch,
      @Nullable String expected, Duration timeout) {
    Objects.requireNonNull(vip, "vip");
    CompletableFuture<MoverResult> out = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        MoverResult r;
        try {
          r = call(action, vip, epoch, expected, timeout);
        } catch (InterruptedException e) {
          r = MoverResult.failed("interrupted: the mover was closed");
        } catch (RuntimeException e) {
          r = MoverResult.failed("the command failed: " + e);
        }
        out.complete(r);
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      out.complete(MoverResult.failed("the mover is closed"));
    }
    return out;
  }

  private MoverResult call(String action, VirtualIp vip, long epoch, @Nullable String expected,
      Duration timeout) throws InterruptedException {
    List<String> argv = new ArrayList<>(command);
    argv.add(action);
    argv.add(vip.cidr());
    if (!action.equals("observe")) {
      argv.add(Long.toString(epoch));
    }
    Path stdout;
    Path stderr;
    try {
      stdout = Files.createTempFile("vipha-mover-", ".out");
      stderr = Files.createTempFile("vipha-mover-", ".err");
    } catch (IOException e) {
      return MoverResult.failed("cannot create a temporary file: " + e.getMessage());
    }
    try {
      ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(Redirect.to(stdout.toFile()))
          .redirectError(Redirect.to(stderr.toFile()));
      Map<String, String> env = pb.environment();
      env.put("VIPHA_ACTION", action);
      env.put("VIPHA_VIP", vip.cidr());
      env.put("VIPHA_INTERFACE", vip.interfaceName());
      env.put("VIPHA_NODE", node);
      env.put("VIPHA_EPOCH", Long.toString(epoch));
      env.remove("VIPHA_EXPECTED_VERSION");
      if (expected != null) {
        env.put("VIPHA_EXPECTED_VERSION", expected);
      }
      env.put("VIPHA_TIMEOUT_MS", Long.toString(timeout.toMillis()));
      Process process;
      try {
        process = pb.start();
      } catch (IOException e) {
        return MoverResult.failed("cannot run " + command.get(0) + ": " + e.getMessage());
      }
      boolean done = false;
      try {
        writeInput(process, action, vip, epoch, expected);
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
          int killed = Processes.kill(process);
          Processes.awaitExit(process);
          done = true;
          return MoverResult.timedOut("no answer within " + timeout.toMillis() + " ms; killed"
              + " pid " + process.pid() + (killed > 0 ? " and " + killed + " descendant(s)"
              : ""));
        }
        done = true;
        return result(action, vip, epoch, process.exitValue(), firstLine(stdout),
            firstLine(stderr));
      } finally {
        if (!done) { // interrupted (closed): never leave the command running
          Processes.kill(process);
          Processes.awaitExit(process);
        }
      }
    } finally {
      delete(stdout);
      delete(stderr);
    }
  }

  private void writeInput(Process process, String action, VirtualIp vip, long epoch,
      @Nullable String expected) {
    ObjectNode in = JSON.createObjectNode();
    in.put("action", action);
    in.put("vip", vip.cidr());
    in.put("interface", vip.interfaceName());
    in.put("node", node);
    in.put("epoch", epoch);
    if (expected == null) {
      in.putNull("expectedVersion");
    } else {
      in.put("expectedVersion", expected);
    }
    try (OutputStream os = process.getOutputStream()) {
      os.write((in.toString() + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the command does not read its input, or exited already
    }
  }

  /** The result of a command that exited with {@code code}, having printed {@code line}. */
  static MoverResult result(String action, VirtualIp vip, long epoch, int code, String line,
      String error) {
    Output o;
    try {
      o = Output.parse(line);
    } catch (IllegalArgumentException e) {
      return MoverResult.failed("exit code " + code + " with bad output (" + e.getMessage()
          + "): " + clip(line));
    }
    String detail = o.detail != null ? o.detail
        : !error.isBlank() ? clip(error) : "exit code " + code;
    switch (code) {
      case 0:
        if (action.equals("observe")) {
          return new MoverResult(MoverResult.Outcome.ACCEPTED, o.target, o.version,
              o.epoch == null ? 0 : o.epoch, o.detail != null ? o.detail : "observed", null);
        }
        return new MoverResult(MoverResult.Outcome.ACCEPTED, o.target, o.version,
            o.epoch == null ? epoch : o.epoch, o.detail != null ? o.detail : "accepted", null);
      case ALREADY_OWNED:
        return new MoverResult(MoverResult.Outcome.ALREADY_OWNED, o.target, o.version,
            o.epoch == null ? epoch : o.epoch, o.detail != null ? o.detail : "already owned",
            null);
      case STALE_EPOCH:
        return new MoverResult(MoverResult.Outcome.STALE_EPOCH, o.target, o.version,
            o.epoch == null ? 0 : o.epoch, detail, null);
      case CONFLICT:
        return MoverResult.conflict(o.target, o.version, detail);
      case THROTTLED:
        return MoverResult.throttled(o.retryAfter, detail);
      default:
        return MoverResult.failed("exit code " + code + ": " + detail);
    }
  }

  /** What the first line of standard output said. */
  private static final class Output {
    @Nullable String target;
    @Nullable String version;
    @Nullable Long epoch;
    @Nullable String detail;
    @Nullable Duration retryAfter;

    static Output parse(String line) {
      Output o = new Output();
      String l = line.strip();
      if (l.isEmpty()) {
        return o;
      }
      if (l.startsWith("{")) {
        JsonNode n;
        try {
          n = JSON.readTree(l);
        } catch (IOException e) {
          throw new IllegalArgumentException("not JSON", e);
        }
        o.target = text(n, "target");
        o.version = text(n, "version");
        o.detail = text(n, "detail");
        JsonNode e = n.get("epoch");
        if (e != null && !e.isNull()) {
          if (!e.canConvertToLong() || !e.isIntegralNumber() || e.longValue() < 0) {
            throw new IllegalArgumentException("epoch is not a whole number 0 or more");
          }
          o.epoch = e.longValue();
        }
        JsonNode r = n.get("retryAfterMs");
        if (r != null && !r.isNull()) {
          if (!r.isIntegralNumber() || r.longValue() < 0) {
            throw new IllegalArgumentException("retryAfterMs is not a whole number 0 or more");
          }
          o.retryAfter = Duration.ofMillis(r.longValue());
        }
        return o;
      }
      String[] words = l.split("\\s+");
      if (words.length > 3) {
        throw new IllegalArgumentException("more than TARGET VERSION EPOCH");
      }
      o.target = dash(words[0]);
      o.version = words.length > 1 ? dash(words[1]) : null;
      if (words.length > 2 && dash(words[2]) != null) {
        try {
          o.epoch = Long.parseLong(words[2]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("epoch is not a whole number", e);
        }
        if (o.epoch < 0) {
          throw new IllegalArgumentException("epoch is negative");
        }
      }
      return o;
    }

    private static @Nullable String text(JsonNode n, String field) {
      JsonNode v = n.get(field);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isTextual() || v.textValue().isBlank()) {
        throw new IllegalArgumentException(field + " is not a non-blank string");
      }
      return v.textValue();
    }

    private static @Nullable String dash(String word) {
      return word.equals("-") ? null : word;
    }
  }

  private static String firstLine(Path file) {
    try (var in = Files.newInputStream(file)) {
      String text = new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      return nl < 0 ? text : text.substring(0, nl);
    } catch (IOException e) {
      return "";
    }
  }

  private static String clip(String s) {
    String t = s.strip();
    return t.length() <= MAX_DETAIL ? t : t.substring(0, MAX_DETAIL) + "…";
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a temporary file left behind is harmless
    }
  }
}
