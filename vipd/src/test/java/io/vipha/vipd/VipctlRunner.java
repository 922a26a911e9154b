package io.vipha.vipd;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs vipctl in this JVM and keeps what the last run printed. */
final class VipctlRunner {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** Runs {@code vipctl args}; its exit code. */
  int run(String... args) {
    out.reset();
    err.reset();
    return Vipctl.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
  }

  /** What the last run printed on stdout. */
  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** What the last run printed on stderr. */
  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
