package io.vipha.examples;

import io.vipha.Mode;
import io.vipha.VirtualIp;
import io.vipha.sim.Outage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The demo's timeline as one self-contained HTML page: per scenario an inline SVG with one
 * swimlane per node (a bar per VIP while the node holds it, hatching while the node is down,
 * cut off or unhealthy), a client lane with the outages in red, the script's steps as dashed
 * vertical lines, a legend, hover titles, a table of the steps and the text timeline.
 */
final class TimelineHtml {
  private static final int WIDTH = 1100;
  private static final int LEFT = 120;
  private static final int RIGHT = 20;
  private static final int PLOT = WIDTH - LEFT - RIGHT;
  private static final int HEAD = 62;
  private static final int GAP = 8;
  private static final int PAD = 5;
  private static final String OUTAGE = "#d62728";

  private TimelineHtml() {}

  /** Writes the page for {@code runs} to {@code file}, creating its directory. */
  static void write(Path file, List<DemoRun> runs) throws IOException {
    Path dir = file.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Files.writeString(file, page(runs), StandardCharsets.UTF_8);
  }

  /** The page. */
  static String page(List<DemoRun> runs) {
    StringBuilder h = new StringBuilder();
    h.append("""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>vipha simulated demo</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1140px; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
        svg { width: 100%; height: auto; border: 1px solid #ddd; background: #fff; }
        svg text { font-family: system-ui, sans-serif; }
        table { border-collapse: collapse; margin-top: 1em; font-size: 0.9em; }
        th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.lost { color: #d62728; font-weight: bold; }
        p.note { color: #555; }
        details { margin-top: 1em; } pre { font-size: 0.85em; overflow-x: auto; }
        </style>
        </head>
        <body>
        <h1>vipha simulated demo</h1>
        <p>The real vipha agents, heartbeats and planner run on simulated hosts, network and
        client in virtual time. Each lane is a node; a coloured bar means the node holds that VIP.
        Red marks on the client lane are times when a client's packets reached no holder of a VIP.
        Dashed lines are the script's steps. Hover over anything for details.</p>
        """);
    for (DemoRun run : runs) {
      h.append("<h2>").append(esc(run.scenario().title())).append("</h2>\n");
      h.append("<p class=\"note\">").append(esc(TimelineText.policy(
          run.scenario().group().policy()))).append("; seed ").append(run.seed())
          .append("; each step runs ").append(TimelineText.millis(run.settle()))
          .append(" of virtual time; an unplanned failover may cost clients up to ")
          .append(TimelineText.millis(run.bounds().failover())).append(".</p>\n");
      svg(h, run);
      table(h, run);
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      TimelineText.print(new PrintStream(text, true, StandardCharsets.UTF_8), run);
      h.append("<details><summary>The timeline as text: every owner change and client"
          + " outage</summary>\n<pre>").append(esc(text.toString(StandardCharsets.UTF_8)))
          .append("</pre></details>\n");
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void svg(StringBuilder h, DemoRun run) {
    List<VirtualIp> vips = run.scenario().group().vips();
    int rowHeight = Math.max(3, Math.min(20, 48 / vips.size()));
    int laneHeight = 2 * PAD + rowHeight * vips.size();
    List<String> lanes = new ArrayList<>(run.nodeIds());
    lanes.add("client");
    int plotBottom = HEAD + lanes.size() * (laneHeight + GAP);
    int height = plotBottom + 100;
    double scale = PLOT / (double) run.end();
    String id = run.scenario().group().name();
    h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH)
        .append(' ').append(height).append("\" role=\"img\" aria-label=\"")
        .append(esc(run.scenario().title())).append("\">\n");
    h.append("<title>").append(esc(run.scenario().title())).append("</title>\n");
    h.append("<defs><pattern id=\"down-").append(id).append("\" width=\"6\" height=\"6\""
        + " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        + "<rect width=\"6\" height=\"6\" fill=\"#eee\"/>"
        + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#bbb\" stroke-width=\"3\"/>"
        + "</pattern></defs>\n");

    Map<String, Integer> laneTop = new LinkedHashMap<>();
    for (int i = 0; i < lanes.size(); i++) {
      int top = HEAD + i * (laneHeight + GAP);
      laneTop.put(lanes.get(i), top);
      String name = lanes.get(i);
      h.append("<g class=\"lane\" data-lane=\"").append(esc(name)).append("\">");
      h.append(rect(LEFT, top, PLOT, laneHeight, i % 2 == 0 ? "#f7f7f7" : "#fbfbfb", null));
      h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\""
          + " text-anchor=\"end\" font-weight=\"bold\">%s</text>", LEFT - 10,
          top + laneHeight / 2 + 5, esc(name + priority(run, name))));
      h.append("</g>\n");
    }

    // Each node's conditions: powered off, process down, partitioned …
    for (String node : run.nodeIds()) {
      int top = Objects.requireNonNull(laneTop.get(node));
      String current = null;
      long since = 0;
      List<DemoRun.StepResult> steps = run.steps();
      for (int i = 0; i <= steps.size(); i++) {
        String c = i < steps.size() ? steps.get(i).conditions().get(node) : null;
        long at = i < steps.size() ? steps.get(i).from() : run.end();
        if (!Objects.equals(c, current)) {
          if (current != null) {
            double x = LEFT + since * scale;
            double w = (at - since) * scale;
            h.append("<g class=\"condition\">").append(rect(x, top, w, laneHeight,
                "url(#down-" + id + ")", node + " " + current + " from "
                + TimelineText.time(since).trim() + " to " + TimelineText.time(at).trim()));
            if (w > textWidth(current, 11) + 8) {
              h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\""
                  + " fill=\"#666\" font-style=\"italic\">%s</text>", x + 4,
                  top + laneHeight - 3, esc(current)));
            }
            h.append("</g>\n");
          }
          current = c;
          since = at;
        }
      }
    }

    // Holdings: one row per VIP inside each node's lane.
    for (DemoRun.Holding hold : run.holdings()) {
      int row = indexOf(vips, hold.vip());
      int top = Objects.requireNonNull(laneTop.get(hold.node())) + PAD + row * rowHeight;
      double x = LEFT + hold.from() * scale;
      double w = Math.max(1, (hold.to() - hold.from()) * scale);
      h.append("<g class=\"hold\">").append(rect(x, top, w, Math.max(2, rowHeight - 1),
          colour(row, vips.size()), hold.vip() + " held by " + hold.node() + " from "
              + TimelineText.time(hold.from()).trim() + " to "
              + TimelineText.time(hold.to()).trim())).append("</g>\n");
    }

    // Client outages, red, one row per VIP in the client lane.
    int clientTop = Objects.requireNonNull(laneTop.get("client"));
    for (Outage o : run.outages()) {
      int row = indexOf(vips, o.vip().cidr());
      long length = o.length(run.end());
      double x = LEFT + o.from() * scale;
      double w = Math.max(2, length * scale);
      DemoRun.StepResult step = run.stepAt(o.from());
      h.append("<g class=\"outage\">").append(String.format(Locale.ROOT, "<rect x=\"%.1f\""
          + " y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" fill-opacity=\"0.18\"/>", x,
          clientTop, w, laneHeight, OUTAGE));
      h.append(rect(x, clientTop + PAD + row * rowHeight, w,
          Math.max(2, rowHeight - 1), OUTAGE, "client cannot reach " + o.vip().cidr() + " from "
              + TimelineText.time(o.from()).trim() + " for " + TimelineText.nanos(length)
              + (o.ongoing() ? " (still going on)" : "") + ", during step [" + step.index()
              + "] " + step.step().marker()));
      h.append("</g>\n");
    }

    // The script's steps: dashed lines with labels in the head.
    for (DemoRun.StepResult s : run.steps()) {
      if (s.index() == 0) {
        continue;
      }
      double x = LEFT + s.from() * scale;
      int labelY = 16 + ((s.index() - 1) % 3) * 16;
      h.append("<g class=\"fault\"><title>").append(esc("[" + s.index() + "] at "
          + TimelineText.time(s.from()).trim() + ": " + s.step().text() + "; owner after: "
          + run.ownerSummary(s) + "; client outage: " + TimelineText.outage(run, s)))
          .append("</title>");
      h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
          + " stroke=\"#444\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>", x, labelY + 4,
          x, plotBottom));
      String label = s.index() + " " + s.step().marker();
      long lost = run.longestOutage(s);
      String loss = TimelineText.nanos(lost);
      boolean flip = x + 8 + textWidth(label + loss, 11) > WIDTH;
      h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\"%s"
          + " stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">%s<tspan dx=\"5\""
          + " fill=\"%s\">%s</tspan></text>", flip ? x - 3 : x + 3, labelY, flip ? " text-anchor=\"end\"" : "",
          esc(label), lost > 0 ? OUTAGE : "#2a7d2a", esc(loss)));
      h.append("</g>\n");
    }

    // Time axis.
    long seconds = run.end() / 1_000_000_000L;
    long tick = seconds <= 15 ? 1 : seconds <= 40 ? 2 : seconds <= 100 ? 5 : 10;
    h.append("<g class=\"axis\">");
    h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"#444\"/>", LEFT, plotBottom, LEFT + PLOT, plotBottom));
    for (long t = 0; t <= seconds; t += tick) {
      double x = LEFT + t * 1_000_000_000L * scale;
      h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
          + " stroke=\"#444\"/><text x=\"%.1f\" y=\"%d\" font-size=\"11\""
          + " text-anchor=\"middle\">%ds</text>", x, plotBottom, x, plotBottom + 5, x,
          plotBottom + 18, t));
    }
    h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\""
        + " text-anchor=\"end\">virtual time</text>", LEFT - 10, plotBottom + 18));
    h.append("</g>\n");
    legend(h, run, plotBottom + 34, id);
    h.append("</svg>\n");
  }

  private static void legend(StringBuilder h, DemoRun run, int y, String id) {
    List<VirtualIp> vips = run.scenario().group().vips();
    h.append("<g class=\"legend\" font-size=\"12\">");
    int x = LEFT;
    if (vips.size() == 1) {
      h.append(rect(x, y, 16, 12, colour(0, 1), null));
      x = label(h, x + 20, y, "VIP " + vips.get(0).cidr() + " held");
    } else {
      for (int i = 0; i < vips.size(); i++) {
        h.append(rect(x + i * 5, y, 5, 12, colour(i, vips.size()), vips.get(i).cidr()));
      }
      x = label(h, x + vips.size() * 5 + 4, y, "one colour, one row per VIP ("
          + vips.size() + "); hover a bar for its address");
    }
    x = LEFT;
    y += 20;
    h.append(rect(x, y, 16, 12, "url(#down-" + id + ")", null));
    x = label(h, x + 20, y, "node powered off, process down, stopped, cut off or unhealthy");
    h.append(rect(x, y, 16, 12, OUTAGE, null));
    label(h, x + 20, y, "client outage");
    x = LEFT;
    y += 20;
    h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"#444\" stroke-dasharray=\"4 3\"/>", x + 8, y - 2, x + 8, y + 14));
    label(h, x + 20, y, "script step, with the longest client outage that began during it");
    h.append("</g>\n");
  }

  /** {@code " (200)"}: a node's priority where the group is Active/Passive, else nothing. */
  private static String priority(DemoRun run, String lane) {
    if (run.scenario().group().mode() != Mode.ACTIVE_PASSIVE) {
      return "";
    }
    return run.scenario().group().nodes().stream().filter(n -> n.id().equals(lane))
        .map(n -> " (" + n.priority() + ")").findFirst().orElse("");
  }

  /** Writes a legend label; returns the x after it. */
  private static int label(StringBuilder h, int x, int y, String text) {
    h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>", x, y + 10,
        esc(text)));
    return x + (int) (text.length() * 12 * 0.55) + 16;
  }

  private static void table(StringBuilder h, DemoRun run) {
    h.append("<table>\n<tr><th>#</th><th>time</th><th>step</th><th>owner after</th>"
        + "<th>client outage</th></tr>\n");
    for (DemoRun.StepResult s : run.steps()) {
      boolean lost = !run.outages(s).isEmpty();
      h.append("<tr><td class=\"num\">").append(s.index()).append("</td><td class=\"num\">")
          .append(TimelineText.time(s.from()).trim()).append("</td><td>")
          .append(esc(s.step().text())).append("</td><td>").append(esc(run.ownerSummary(s)))
          .append("</td><td class=\"num").append(lost ? " lost" : "").append("\">")
          .append(esc(TimelineText.outage(run, s))).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static String rect(double x, double y, double w, double height, String fill,
      @Nullable String title) {
    StringBuilder r = new StringBuilder(String.format(Locale.ROOT,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"", x, y, w,
        height, fill));
    if (title == null) {
      return r.append("/>").toString();
    }
    return r.append("><title>").append(esc(title)).append("</title></rect>").toString();
  }

  /** A generous estimate of the width of {@code text} at {@code size} px. */
  private static double textWidth(String text, int size) {
    return text.length() * size * 0.62;
  }

  private static int indexOf(List<VirtualIp> vips, String cidr) {
    for (int i = 0; i < vips.size(); i++) {
      if (vips.get(i).cidr().equals(cidr)) {
        return i;
      }
    }
    return 0;
  }

  /** A blue for a single VIP; otherwise hues a golden angle apart. */
  private static String colour(int index, int count) {
    if (count == 1) {
      return "#2f6db5";
    }
    double hue = (index * 137.508) % 360;
    return String.format(Locale.ROOT, "hsl(%.0f,62%%,%d%%)", hue, index % 2 == 0 ? 45 : 55);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
