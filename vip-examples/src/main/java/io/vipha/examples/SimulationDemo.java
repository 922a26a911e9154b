package io.vipha.examples;

import io.vipha.FailoverPolicy;
import io.vipha.ValidationException;
import io.vipha.sim.SimEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated cluster demo: a 3-node Active/Passive group and a 4-node Active/Active group
 * with 16 VIPs run the real agents in the simulator's virtual time through a script of faults.
 * It prints the timeline with owner changes and client-observed outage per step, and writes an
 * HTML page with an SVG timeline. No root, no network, a few seconds:
 *
 * <pre>
 * mvn -B -q -pl vip-examples -am -DskipTests verify exec:java
 * mvn -B -q -pl vip-examples -am -DskipTests verify exec:java -Dexec.args="--mode ap --seed 7"
 * </pre>
 */
public final class SimulationDemo {
  static final String USAGE = """
      usage: SimulationDemo [--mode ap|aa|both] [--seed N] [--heartbeat 100ms] [--dead-after 3]
                            [--preempt-delay 1s] [--hold-down 200ms] [--quorum majority|none]
                            [--html target/vipha-demo.html] [--trace]
             SimulationDemo --advisor [advisor flags]
        --mode           ap: 3-node Active/Passive, aa: 4-node Active/Active with 16 VIPs,
                         both (default)
        --seed           seed of the simulated network's jitter (default 1); same seed, same
                         output
        --heartbeat      heartbeat interval, e.g. 100ms or 1s (default 100ms)
        --dead-after     missed heartbeats before a peer is dead (default 3)
        --preempt-delay  how long a returning better node waits before it takes VIPs back
                         (default 1s)
        --hold-down      how long a node that lost ownership waits before it may win again
                         (default 200ms)
        --quorum         majority (default): a node needs a majority to own VIPs; none: it
                         does not, and a partition shows two owners
        --html           where to write the HTML timeline (default target/vipha-demo.html)
        --trace          also print every simulator event
        --advisor        run the mode advisor instead, with the flags that follow
                         (--advisor --help lists them)
      From the repository root:
        mvn -B -q -pl vip-examples -am -DskipTests verify exec:java -Dexec.args="--mode ap"\
      """;

  private SimulationDemo() {}

  /** Runs the demo; exits 2 on a bad flag. */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs with {@code args}; returns the exit code: 0, 1 when the page cannot be written, 2 for a usage error. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && args[0].equals("--advisor")) {
      return AdvisorExample.run(List.of(args).subList(1, args.length).toArray(new String[0]),
          out, err);
    }
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    DemoOptions options;
    FailoverPolicy policy;
    try {
      options = DemoOptions.parse(args);
      policy = options.policy();
    } catch (UsageException | ValidationException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    List<DemoRun> runs = new ArrayList<>();
    if (options.activePassive()) {
      runs.add(DemoRun.run(DemoScenario.activePassive(policy), options.seed()));
    }
    if (options.activeActive()) {
      runs.add(DemoRun.run(DemoScenario.activeActive(policy), options.seed()));
    }
    out.println("vipha simulated demo: real agents on simulated hosts, network and client, in"
        + " virtual time (seed " + options.seed() + ")");
    for (DemoRun run : runs) {
      out.println();
      TimelineText.print(out, run);
      if (options.trace()) {
        out.println();
        out.println("   Every simulator event:");
        for (SimEvent e : run.timeline()) {
          out.println("   " + e);
        }
      }
    }
    Path html = options.html().toAbsolutePath().normalize();
    try {
      TimelineHtml.write(html, runs);
    } catch (IOException e) {
      err.println("error: cannot write " + html + ": " + e.getMessage());
      return 1;
    }
    out.println();
    out.println("HTML timeline: " + html);
    out.println("Open it in a browser; --help lists the flags (mode, seed, policy values).");
    return 0;
  }
}
