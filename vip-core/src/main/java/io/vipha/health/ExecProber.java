package io.vipha.health;

import io.vipha.internal.Durations;
import io.vipha.internal.Processes;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Probes a {@link HealthCheck.Exec} target: runs the command (an argv list, no shell) and is
 * healthy when it exits with code 0 within the timeout.
 *
 * <p>The command's standard input is closed at once and its output is discarded. When it overruns
 * the timeout, or when the probe is cancelled, the process and all its descendants are killed
 * ({@link ProcessHandle#destroyForcibly()}, SIGKILL on Linux): descendants are listed before the
 * process is killed, so children that the command started are killed too even though they are
 * re-parented when it dies. A child that detaches between the listing and the kill can escape, as
 * it could from any tool that lacks process groups.
 */
public final class ExecProber implements Prober<HealthCheck.Exec> {
  /** An exec prober. */
  public ExecProber() {}

  @Override
  public ProbeResult probe(HealthCheck.Exec target, Duration timeout, Cancellation cancellation)
      throws InterruptedException {
    List<String> command = target.command();
    Process process;
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(Redirect.DISCARD)
          .start();
    } catch (IOException | RuntimeException e) {
      return ProbeResult.failed("cannot run " + command.get(0), e);
    }
    cancellation.onCancel(() -> Processes.kill(process));
    boolean done = false;
    try {
      try {
        process.getOutputStream().close(); // no input: a command reading stdin sees EOF
      } catch (IOException e) {
        // the process may already have exited
      }
      if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        int killed = Processes.kill(process);
        Processes.awaitExit(process);
        done = true;
        return ProbeResult.unhealthy("timed out after " + Durations.format(timeout) + "; killed pid "
            + process.pid() + (killed > 0 ? " and " + killed + " descendant(s)" : ""));
      }
      done = true;
      int code = process.exitValue();
      return code == 0 ? ProbeResult.healthy("exit code 0")
          : ProbeResult.unhealthy("exit code " + code);
    } finally {
      if (!done) { // interrupted or cancelled: never leave the command running
        Processes.kill(process);
        Processes.awaitExit(process);
      }
    }
  }
}
