package io.vipha.benchmarks.failover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Runs commands (ip, nft) and says what went wrong when they fail. */
final class Sh {
  private Sh() {}

  /** Runs a command; its output. Throws IllegalStateException with the output if it fails. */
  static String run(String... command) {
    String[] result = attempt(command);
    if (result[0] != null) {
      throw new IllegalStateException(result[0]);
    }
    return result[1];
  }

  /** Runs a command, ignoring failure (cleanup); whether it succeeded. */
  static boolean quiet(String... command) {
    return attempt(command)[0] == null;
  }

  /** Runs a command: {what went wrong or null, its output}. */
  static @Nullable String[] attempt(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new String[] {String.join(" ", command) + " timed out", ""};
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        return new String[] {String.join(" ", command) + " exited " + p.exitValue() + ": "
            + text.strip(), text};
      }
      return new String[] {null, text};
    } catch (IOException e) {
      return new String[] {"cannot run " + String.join(" ", command) + ": " + e.getMessage(), ""};
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new String[] {"interrupted: " + String.join(" ", command), ""};
    }
  }

  /**
   * Sends a signal to a process and all its descendants in one kill(1), the root first. KILL
   * freezes the tree first (STOP): killed one by one, a parent would respawn its child
   * (keepalived does, and the new child outlives the round) and a child would clean up after
   * its parent.
   */
  static void signal(ProcessHandle root, String sig) {
    if (sig.equals("KILL")) {
      signal(root, "STOP");
    }
    List<String> command = new ArrayList<>(List.of("kill", "-" + sig, Long.toString(root.pid())));
    root.descendants().forEach(h -> command.add(Long.toString(h.pid())));
    quiet(command.toArray(String[]::new));
  }
}
