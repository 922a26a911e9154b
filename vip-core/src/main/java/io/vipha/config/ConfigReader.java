package io.vipha.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.vipha.ValidationException.Problem;
import io.vipha.VipGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads a configuration document in two steps: {@link JsonTreeReader} turns the tokens into a
 * tree and notes where every value starts; a walk over the tree then feeds the model's builders,
 * {@link GroupReader} for each group and {@link DaemonReader} for its {@code "daemon"} object.
 * Each reports what the JSON gets wrong (unknown fields, wrong types, unparsable durations and
 * enum values) to one {@link ConfigProblems}, so that every problem is reported at once, in
 * document order, with its line and column.
 */
final class ConfigReader {
  static final List<String> ROOT = List.of("groups");

  private final ConfigProblems problems = new ConfigProblems();
  private final GroupReader groups = new GroupReader(problems);
  private final DaemonReader daemons = new DaemonReader(problems);
  /** The daemon settings read so far, by group name. */
  private final Map<String, DaemonSettings> settings = new HashMap<>();

  private ConfigReader() {}

  static VipConfig parse(String json) {
    ConfigReader r = new ConfigReader();
    JsonNode root = new JsonTreeReader(json, r.problems).read();
    List<VipGroup> groups = root == null ? List.of() : r.document(root);
    if (r.problems.count() > 0) {
      throw r.problems.failure();
    }
    return new VipConfig(groups, r.settings);
  }

  private List<VipGroup> document(JsonNode root) {
    Fields doc = problems.fields(root, "", ROOT, "an object with a \"groups\" list");
    if (doc == null) {
      return List.of();
    }
    JsonNode list = doc.node.get("groups");
    if (list == null) {
      problems.report("groups", null, "is required; list the groups, e.g. \"groups\":"
          + " [{\"name\": \"web\", ...}]");
      return List.of();
    }
    if (!problems.expect(list, "groups", JsonNodeType.ARRAY, "a list of groups")) {
      return List.of();
    }
    List<@Nullable VipGroup> read = new ArrayList<>();
    List<@Nullable DaemonSettings> readDaemons = new ArrayList<>();
    List<Boolean> asksForVrrp = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Fields g = problems.fields(list.get(i), "groups[" + i + "]", GroupReader.GROUP,
          "an object (a group)");
      VipGroup built = g == null ? null : groups.group(g);
      read.add(built);
      Fields d = g == null ? null : g.object("daemon", DaemonReader.DAEMON);
      DaemonSettings daemon = d == null ? null : daemons.daemon(d);
      readDaemons.add(daemon);
      asksForVrrp.add(d != null && d.node.path("coordinator").has("vrrp"));
      if (built != null && daemon != null) {
        settings.putIfAbsent(built.name(), daemon);
        for (Problem p : MoverReader.check(built, daemon.movers(), "groups[" + i + "].daemon")) {
          problems.reportModel(p);
        }
      }
    }
    for (Problem p : VipConfig.check(read)) {
      problems.reportModel(p);
    }
    for (Problem p : VrrpRules.check(read, readDaemons, asksForVrrp)) {
      problems.reportModel(p);
    }
    List<VipGroup> built = new ArrayList<>();
    for (VipGroup g : read) {
      if (g != null) {
        built.add(g);
      }
    }
    return built;
  }
}
