package io.vipha.vipd;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The {@code status} reply as tables an operator reads: {@code vipctl status}. */
final class StatusTable {
  /** The widest line the counters are wrapped to. */
  private static final int WIDTH = 100;

  private StatusTable() {}

  /** The status {@code s} (a reply's result) with its last {@code events} events. */
  static String render(JsonNode s, int events) {
    Instant now = instant(s.path("now").asText());
    StringBuilder out = new StringBuilder();
    JsonNode q = s.path("quorum");
    out.append("group ").append(s.path("group").asText()).append(" (")
        .append(s.path("mode").asText().equals("ACTIVE_ACTIVE") ? "Active/Active"
            : "Active/Passive")
        .append("), node ").append(s.path("node").asText()).append(": ")
        .append(s.path("phase").asText()).append(", quorum ")
        .append(q.path("has").asBoolean() ? "yes" : "NO").append(" (")
        .append(q.path("reachable").asInt()).append(" reachable, ")
        .append(q.path("required").asInt()).append(" required)");
    if (!s.path("fresh").asBoolean(true)) {
      out.append("\n(the agent's loop did not answer: this is its last published state)");
    }
    JsonNode config = s.path("config");
    if (config.isObject()) {
      out.append('\n').append(config(config, now));
    }
    JsonNode scheduling = s.path("scheduling");
    if (scheduling.isObject()) {
      out.append('\n').append(scheduling(scheduling));
    }
    JsonNode coordinator = s.path("coordinator");
    if (coordinator.isObject()) {
      out.append('\n');
      coordinator(out, coordinator);
    }
    out.append("\n\n");

    List<List<String>> nodes = new ArrayList<>();
    nodes.add(List.of("NODE", "LIVENESS", "PRIORITY", "ELIGIBILITY", "HOLDS"));
    JsonNode self = s.path("self");
    List<String> selfHeld = new ArrayList<>();
    Map<String, JsonNode> heldHere = new HashMap<>();
    self.path("held").forEach(h -> {
      selfHeld.add(h.path("vip").asText());
      heldHere.put(h.path("vip").asText(), h);
    });
    nodes.add(List.of(self.path("id").asText() + " (this node)", "-",
        priority(self), self.path("eligibility").asText(), list(selfHeld)));
    for (JsonNode p : s.path("peers")) {
      List<String> held = new ArrayList<>();
      p.path("held").forEach(h -> held.add(h.asText()));
      String liveness = p.path("liveness").asText();
      if (p.has("since")) {
        liveness += " " + ago(now, p.path("since").asText());
      }
      if (p.path("left").asBoolean()) {
        liveness += ", left";
      }
      if (p.path("cutOff").asBoolean()) {
        liveness += ", does not hear us";
      }
      nodes.add(List.of(p.path("id").asText(), liveness,
          p.has("effectivePriority") ? priority(p) : p.path("priority").asText(),
          p.path("eligibility").asText("-"), list(held)));
    }
    table(out, nodes);

    out.append('\n');
    List<List<String>> vips = new ArrayList<>();
    vips.add(List.of("VIP", "INTERFACE", "OWNER", "HELD HERE SINCE", "REASON"));
    for (JsonNode v : s.path("vips")) {
      String since = "-";
      String reason = "-";
      JsonNode h = heldHere.get(v.path("vip").asText());
      if (h != null) {
        since = h.path("since").asText() + " (" + ago(now, h.path("since").asText()) + ")";
        reason = h.path("reason").asText();
      }
      vips.add(List.of(v.path("vip").asText(), v.path("interface").asText(),
          v.path("owner").isNull() ? "none" : v.path("owner").asText(), since, reason));
    }
    table(out, vips);

    if (!self.path("health").isEmpty()) {
      out.append('\n');
      List<List<String>> checks = new ArrayList<>();
      checks.add(List.of("HEALTH CHECK", "STATE", "SINCE", "PROBES", "EFFECT", "LAST RESULT"));
      for (JsonNode c : self.path("health")) {
        String effect = c.path("disqualifies").asBoolean() ? "disqualifies"
            : c.path("priorityDelta").asInt() != 0 ? "priority " + c.path("priorityDelta")
            .asInt() : "none";
        checks.add(List.of(c.path("name").asText(),
            c.path("healthy").asBoolean() ? "healthy" : "UNHEALTHY",
            c.path("lastChange").isNull() ? "-" : ago(now, c.path("lastChange").asText()),
            c.path("probes").asText(), effect, c.path("lastResult").asText()));
      }
      table(out, checks);
    }

    JsonNode ev = s.path("events");
    if (events > 0 && !ev.isEmpty()) {
      int from = Math.max(0, ev.size() - events);
      out.append("\nEVENTS (last ").append(ev.size() - from).append(" of ").append(ev.size())
          .append(")\n");
      for (int i = from; i < ev.size(); i++) {
        JsonNode e = ev.get(i);
        out.append("  ").append(e.path("at").asText()).append("  ")
            .append(e.path("text").asText()).append('\n');
      }
    }

    out.append('\n');
    List<String> counters = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = s.path("counters").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isObject()) {
        List<String> inner = new ArrayList<>();
        e.getValue().fields().forEachRemaining(f -> inner.add(f.getKey() + " "
            + f.getValue().asText()));
        counters.add(e.getKey() + " " + (inner.isEmpty() ? "0" : "{" + String.join(", ", inner)
            + "}"));
      } else {
        counters.add(e.getKey() + " " + e.getValue().asText());
      }
    }
    wrap(out, "COUNTERS ", counters);
    return out.append('\n').toString();
  }

  /**
   * The coordinator's line: {@code vrrp MASTER: vrid 51, priority 150, ...}, the drops that are
   * not 0 in braces (none when it has no reasons to drop).
   */
  private static void coordinator(StringBuilder out, JsonNode c) {
    List<String> items = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (key.equals("dropped") && e.getValue().isEmpty()) {
        continue; // a coordinator that drops nothing it counts (ZooKeeper)
      } else if (key.equals("dropped")) {
        List<String> inner = new ArrayList<>();
        e.getValue().fields().forEachRemaining(f -> {
          if (f.getValue().asLong() != 0) {
            inner.add(f.getKey() + " " + f.getValue().asText());
          }
        });
        items.add("dropped " + (inner.isEmpty() ? "0" : "{" + String.join(", ", inner) + "}"));
      } else if (!key.equals("kind") && !key.equals("state")) {
        String v = e.getValue().asText();
        items.add(key + " " + (v.isEmpty() ? "-" : v));
      }
    }
    wrap(out, c.path("kind").asText() + " " + c.path("state").asText() + ": ", items);
  }

  /** {@code label} and the {@code items}, comma-separated, wrapped at {@link #WIDTH}. */
  private static void wrap(StringBuilder out, String label, List<String> items) {
    out.append(label);
    int column = label.length();
    for (int i = 0; i < items.size(); i++) {
      String item = items.get(i) + (i < items.size() - 1 ? "," : "");
      if (i > 0 && column + 1 + item.length() > WIDTH) {
        out.append("\n ");
        column = 1;
      }
      out.append(i > 0 ? " " : "").append(item);
      column += (i > 0 ? 1 : 0) + item.length();
    }
  }

  /**
   * The scheduling line of the loop's threads, e.g. {@code scheduling SCHED_RR 10 (configured
   * auto)}.
   */
  static String scheduling(JsonNode c) {
    StringBuilder out = new StringBuilder("scheduling ").append(c.path("policy").asText());
    if (c.has("priority")) {
      out.append(' ').append(c.path("priority").asInt());
    }
    out.append(" (configured ").append(c.path("configured").asText());
    if (c.has("why")) {
      out.append(", not permitted: vipctl status --json says why");
    }
    out.append(')');
    if (c.path("memoryLocked").asBoolean()) {
      out.append(", memory locked");
    }
    return out.toString();
  }

  /** The config line: the file, its generation and the last reload. */
  static String config(JsonNode c, Instant now) {
    StringBuilder out = new StringBuilder("config ").append(c.path("file").asText())
        .append(", generation ").append(c.path("generation").asInt()).append(" (")
        .append(c.path("applied").asInt()).append(" applied, ").append(c.path("rejected").asInt())
        .append(" rejected)");
    JsonNode last = c.path("lastReload");
    if (!last.isObject()) {
      return out.append(", not reloaded").toString();
    }
    out.append(", last reload ").append(ago(now, last.path("at").asText())).append(": ");
    if (last.path("ok").asBoolean()) {
      int n = last.path("changes").size();
      out.append("applied, ").append(n == 0 ? "no changes" : n == 1 ? "1 change"
          : n + " changes");
    } else {
      int n = last.path("problems").size();
      out.append("REJECTED, ").append(n == 1 ? "1 problem" : n + " problems")
          .append(" (vipctl status --json lists them)");
    }
    return out.toString();
  }

  private static String priority(JsonNode n) {
    int effective = n.path("effectivePriority").asInt();
    int base = n.path("priority").asInt();
    return effective == base ? String.valueOf(base) : effective + " (of " + base + ")";
  }

  private static String list(List<String> items) {
    return items.isEmpty() ? "-" : String.join(" ", items);
  }

  /** How long before {@code now} the instant {@code text} was, as 3s, 4m12s or 2h5m. */
  static String ago(Instant now, String text) {
    Instant at = instant(text);
    if (at.equals(Instant.EPOCH) || now.equals(Instant.EPOCH)) {
      return text;
    }
    long s = Math.max(0, Duration.between(at, now).toSeconds());
    String d = s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" + s % 60 + "s"
        : s < 86400 ? s / 3600 + "h" + s % 3600 / 60 + "m" : s / 86400 + "d" + s % 86400 / 3600
        + "h";
    return d + " ago";
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  /** Appends {@code rows} (the first one a header) as left-aligned columns. */
  private static void table(StringBuilder out, List<List<String>> rows) {
    int[] width = new int[rows.get(0).size()];
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    for (List<String> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        line.append(r.get(i));
        if (i < r.size() - 1) {
          line.append(" ".repeat(width[i] - r.get(i).length() + 2));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
