package io.vipha.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The gate for tests that need privileges (root, network namespaces). Without the privilege a
 * test is skipped with a loud reason, unless {@value #REQUIRE_ENV}{@code =1} is set (as on a CI
 * runner that must run them), in which case the missing privilege fails the test.
 *
 * <pre>{@code
 * @BeforeEach
 * void needsNamespaces() {
 *   Privileged.requireNetworkNamespaces();
 * }
 * }</pre>
 *
 * <p>A test that runs a tool that not every host has (tcpdump, nft, setpriv) also calls {@link
 * #requireTool}: a missing tool is a skip with the same loud reason, or the same failure.
 */
public final class Privileged {
  /** The environment variable that turns a missing privilege from a skip into a failure. */
  public static final String REQUIRE_ENV = "VIPHA_REQUIRE_PRIVILEGED";

  /** The Debian package of each tool whose package has another name. */
  private static final Map<String, String> PACKAGES = Map.of("ip", "iproute2", "setpriv",
      "util-linux");

  private static @Nullable String netnsMissing;
  private static boolean netnsProbed;

  private Privileged() {}

  /**
   * Returns when this process is root and can create network namespaces with {@code ip netns};
   * otherwise skips the calling test (or fails it when {@value #REQUIRE_ENV}{@code =1}) with a
   * message saying what is missing.
   */
  public static void requireNetworkNamespaces() {
    gate(networkNamespacesMissing(), required(System.getenv()));
  }

  /**
   * Returns when {@code tool} is an executable on this process's {@code PATH} (where a child
   * process, also through {@code ip netns exec}, finds it); otherwise skips the calling test (or
   * fails it when {@value #REQUIRE_ENV}{@code =1}) saying which tool to install.
   */
  public static void requireTool(String tool) {
    requireTool(tool, System.getenv());
  }

  /** {@link #requireTool(String)} with {@code env} in place of this process's environment. */
  public static void requireTool(String tool, Map<String, String> env) {
    gate(toolMissing(tool, env.getOrDefault("PATH", "")), required(env));
  }

  /**
   * Null when {@code tool} is an executable file in a directory of {@code path} (a {@code
   * PATH} value); otherwise what is missing, to show in the skip or failure.
   */
  public static @Nullable String toolMissing(String tool, String path) {
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, tool);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return null;
        }
      }
    }
    return "the tool `" + tool + "`, which is not on the PATH (" + path + "); install it (e.g."
        + " apt-get install " + PACKAGES.getOrDefault(tool, tool) + ")";
  }

  /** Whether {@code env} asks for privileged tests to fail rather than skip. */
  public static boolean required(Map<String, String> env) {
    return "1".equals(env.get(REQUIRE_ENV));
  }

  /**
   * Passes when {@code missing} is null; otherwise fails (when {@code required}) or aborts the
   * test, with a message naming what is missing.
   */
  public static void gate(@Nullable String missing, boolean required) {
    if (missing == null) {
      return;
    }
    if (required) {
      Assertions.fail(REQUIRE_ENV + "=1 but this privileged test cannot run: " + missing);
    }
    String message = "SKIPPED, NOT RUN: this test needs " + missing + " (set " + REQUIRE_ENV
        + "=1 to make this a failure)";
    System.err.println("*** " + message);
    Assumptions.abort(message);
  }

  /** Why network namespaces cannot be used here, or null when they can (probed once). */
  public static synchronized @Nullable String networkNamespacesMissing() {
    if (!netnsProbed) {
      netnsMissing = probeNetworkNamespaces();
      netnsProbed = true;
    }
    return netnsMissing;
  }

  private static @Nullable String probeNetworkNamespaces() {
    if (!System.getProperty("os.name", "").startsWith("Linux")) {
      return "Linux (this is " + System.getProperty("os.name") + ")";
    }
    long uid = effectiveUid();
    if (uid != 0) {
      return "root (running as uid " + (uid < 0 ? "unknown" : Long.toString(uid)) + ")";
    }
    String probe = "vipha-probe-" + ProcessHandle.current().pid();
    String failure = run(List.of("ip", "netns", "add", probe));
    if (failure != null) {
      return "a working `ip netns add` (root, CAP_SYS_ADMIN, iproute2): " + failure;
    }
    run(List.of("ip", "netns", "del", probe));
    return null;
  }

  /** The effective uid from /proc/self/status, or -1 when it cannot be read. */
  public static long effectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Runs a command; null when it exits 0, else what went wrong (with its output). */
  public static @Nullable String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return String.join(" ", command) + " timed out";
      }
      return p.exitValue() == 0 ? null : String.join(" ", command) + " exited "
          + p.exitValue() + ": " + new String(out, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "cannot run " + String.join(" ", command) + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted running " + String.join(" ", command);
    }
  }
}
