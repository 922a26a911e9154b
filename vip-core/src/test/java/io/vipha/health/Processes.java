package io.vipha.health;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Linux process helpers for tests. */
final class Processes {
  private Processes() {}

  /**
   * Whether {@code pid} has ended: gone from {@code /proc}, or a zombie (killed, waiting for a
   * parent that may never reap it, such as a container's PID 1).
   */
  static boolean ended(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      if (!Files.exists(Path.of("/proc/" + pid))) {
        return true; // it was reaped while the file was read (ESRCH, "No such process")
      }
      throw new UncheckedIOException(e);
    }
  }

  /** Polls {@code condition} every 5 ms for up to {@code millis}; returns its last value. */
  static boolean await(BooleanSupplier condition, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  /** A descendant of this JVM whose arguments are exactly {@code args}, if one runs. */
  static Optional<ProcessHandle> descendant(List<String> args) {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().arguments().map(a -> List.of(a).equals(args)).orElse(false))
        .findFirst();
  }

  /** The first number in {@code text} after {@code marker}. */
  static long numberAfter(String text, String marker) {
    int i = text.indexOf(marker);
    if (i < 0) {
      throw new AssertionError("no \"" + marker + "\" in " + text);
    }
    int start = i + marker.length();
    int end = start;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    return Long.parseLong(text.substring(start, end));
  }
}
