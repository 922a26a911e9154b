package io.vipha.examples;

import io.vipha.Exposure;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.advisor.Advice;
import io.vipha.advisor.Appliance;
import io.vipha.advisor.Comparison;
import io.vipha.advisor.ModeAdvisor;
import io.vipha.advisor.Need;
import io.vipha.advisor.Reason;
import io.vipha.advisor.Requirements;
import io.vipha.advisor.Warning;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The mode advisor from the command line. With no arguments it walks through a few scenarios;
 * with flags it advises for them:
 *
 * <pre>
 * mvn -B -q -pl vip-examples -am verify exec:java
 * mvn -B -q -pl vip-examples -am verify exec:java -Dexec.args="--appliance pfsense --public"
 * </pre>
 */
public final class AdvisorExample {
  static final String USAGE = """
      usage: AdvisorExample [--appliance pfsense|palo-alto|other] [--public]
                            [--need zero-downtime,high-throughput,small-cost-first,brief-downtime-ok]
        --appliance  the appliance behind the VIPs (default: other, no recommendation)
        --public     the VIP is reached from the internet (default: private)
        --need       one or more needs, comma-separated; the flag may repeat
      With no arguments, prints a walkthrough of a few scenarios.
      From the repository root:
        mvn -B -q -pl vip-examples -am verify exec:java -Dexec.args="--appliance pfsense --public"\
      """;

  private static final int WIDTH = 100;

  private AdvisorExample() {}

  /** Prints the walkthrough, or the advice for the flags; exits 2 on a bad flag. */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs with {@code args}; returns the exit code: 0, or 2 for a usage error. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      walkthrough(out);
      return 0;
    }
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    Requirements requirements;
    try {
      requirements = parse(args);
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    print(out, ModeAdvisor.advise(requirements));
    out.println();
    out.println(Comparison.modes().toTable());
    return 0;
  }

  /** Parses the flags into requirements; throws {@link UsageException} naming the bad one. */
  static Requirements parse(String... args) throws UsageException {
    Appliance appliance = null;
    boolean isPublic = false;
    List<Need> needs = new ArrayList<>();
    Flags flags = new Flags(args);
    while (flags.next()) {
      switch (flags.name()) {
        case "--appliance" -> {
          String value = flags.value();
          if (appliance != null) {
            throw new UsageException("--appliance is given twice");
          }
          appliance = appliance(value);
        }
        case "--need" -> {
          for (String item : flags.value().split(",", -1)) {
            needs.add(need(item.trim()));
          }
        }
        case "--public" -> {
          flags.noValue();
          isPublic = true;
        }
        default -> throw flags.unknown();
      }
    }
    return Requirements.builder()
        .appliance(appliance == null ? Appliance.OTHER : appliance)
        .exposure(isPublic ? Exposure.PUBLIC : Exposure.PRIVATE)
        .needs(needs)
        .build();
  }

  private static Appliance appliance(String value) throws UsageException {
    for (Appliance a : Appliance.values()) {
      if (flagName(a.name()).equals(value.toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new UsageException("unknown appliance '" + value + "'; use pfsense, palo-alto or other");
  }

  private static Need need(String value) throws UsageException {
    for (Need n : Need.values()) {
      if (flagName(n.name()).equals(value.toLowerCase(Locale.ROOT))) {
        return n;
      }
    }
    throw new UsageException("unknown need '" + value + "'; use zero-downtime, high-throughput,"
        + " small-cost-first or brief-downtime-ok");
  }

  /** {@code PALO_ALTO} → {@code palo-alto}. */
  private static String flagName(String constant) {
    return constant.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static void walkthrough(PrintStream out) {
    out.println("vipha mode advisor: four scenarios, a group check and the comparison."
        + " Run with --help for the flags.");
    List<Requirements> scenarios = List.of(
        Requirements.builder().appliance(Appliance.PFSENSE).exposure(Exposure.PRIVATE).build(),
        Requirements.builder().appliance(Appliance.PFSENSE).exposure(Exposure.PUBLIC).build(),
        Requirements.builder().appliance(Appliance.PALO_ALTO).exposure(Exposure.PRIVATE)
            .need(Need.ZERO_DOWNTIME).build(),
        Requirements.builder().exposure(Exposure.PRIVATE)
            .need(Need.ZERO_DOWNTIME).need(Need.SMALL_COST_FIRST).build());
    for (Requirements r : scenarios) {
      out.println();
      print(out, ModeAdvisor.advise(r));
    }

    VipGroup web = VipGroup.builder()
        .name("web")
        .mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2"))
        .build();
    Requirements stated = Requirements.builder().appliance(Appliance.PFSENSE)
        .exposure(Exposure.PRIVATE).need(Need.HIGH_THROUGHPUT).build();
    out.println();
    out.println("Checking group 'web' (" + label(web.mode()) + ", private VIP "
        + web.vips().get(0).cidr() + ")");
    out.println("  against: " + title(stated));
    printWarnings(out, ModeAdvisor.check(web, stated));

    out.println();
    out.println(Comparison.modes().toTable());
  }

  private static void print(PrintStream out, Advice advice) {
    out.println(title(advice.requirements()));
    out.println("  Recommended mode at the VIP layer: " + label(advice.mode()));
    Mode marketplace = advice.applianceRecommendation();
    if (marketplace != null) {
      out.println("  " + advice.requirements().appliance().label()
          + " marketplace recommendation: " + label(marketplace));
    }
    out.println("  Reasons:");
    for (Reason r : advice.reasons()) {
      item(out, r.rule().name(), r.text());
    }
    printWarnings(out, advice.warnings());
  }

  private static void printWarnings(PrintStream out, List<Warning> warnings) {
    if (warnings.isEmpty()) {
      out.println("  Warnings: none");
      return;
    }
    out.println("  Warnings:");
    for (Warning w : warnings) {
      item(out, w.rule().name(), w.text());
    }
  }

  /** {@code "    - RULE: text"}, wrapped at {@value #WIDTH} columns under the text. */
  private static void item(PrintStream out, String rule, String text) {
    String indent = "      ";
    StringBuilder line = new StringBuilder("    - ").append(rule).append(':');
    for (String word : text.split(" ", -1)) {
      if (line.length() + 1 + word.length() > WIDTH && line.length() > indent.length()) {
        out.println(line);
        line = new StringBuilder(indent).append(word);
      } else {
        line.append(' ').append(word);
      }
    }
    out.println(line);
  }

  private static String title(Requirements r) {
    String appliance = r.appliance() == Appliance.OTHER ? "No appliance recommendation"
        : r.appliance().label();
    String needs = r.needs().isEmpty() ? ""
        : ", needs " + r.needs().stream().map(n -> "'" + n.label() + "'")
            .collect(Collectors.joining(" + "));
    return appliance + ", " + (r.exposure() == Exposure.PUBLIC ? "public" : "private") + " VIP"
        + needs;
  }

  private static String label(Mode mode) {
    return mode == Mode.ACTIVE_ACTIVE ? "Active/Active" : "Active/Passive";
  }
}
