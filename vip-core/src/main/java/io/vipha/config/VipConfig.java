package io.vipha.config;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A vipha configuration: one or more {@link VipGroup}s, as kept in a JSON file.
 *
 * <pre>{@code
 * VipConfig config = VipConfig.read(Path.of("/etc/vipha/vipha.json"));
 * for (VipGroup group : config.groups()) { ... }
 * }</pre>
 *
 * <p>Reading is strict: unknown fields, repeated fields, values of the wrong type, malformed JSON
 * and content after the document are rejected. Every problem is reported in one {@link
 * ValidationException} whose {@linkplain Problem#path() paths} are rooted at the file ({@code
 * groups[0].vips[1].address}, {@code $} for the document itself) and whose messages end with
 * {@code (line L, column C)}. Syntax errors stop reading at the first one.
 *
 * @param groups the groups, at least one; names unique, each VIP address in one group only
 * @param daemons the {@code "daemon"} objects of the groups that have one, by group name: what
 *     the node daemon vipd needs beyond the group (see {@link #daemon(String)})
 */
public record VipConfig(List<VipGroup> groups, Map<String, DaemonSettings> daemons) {

  /** Checks the rules that span groups; throws {@link ValidationException} naming all problems. */
  public VipConfig {
    groups = List.copyOf(groups);
    Map<String, DaemonSettings> kept = new TreeMap<>();
    daemons.forEach((name, settings) -> {
      if (!settings.isEmpty()) {
        kept.put(name, settings);
      }
    });
    daemons = Collections.unmodifiableMap(kept);
    List<Problem> problems = check(groups);
    List<@Nullable DaemonSettings> byIndex = new ArrayList<>();
    List<Boolean> vrrp = new ArrayList<>();
    for (VipGroup g : groups) {
      DaemonSettings d = kept.get(g.name());
      byIndex.add(d);
      vrrp.add(d != null && d.vrrp() != null);
    }
    problems.addAll(VrrpRules.check(groups, byIndex, vrrp));
    for (String name : daemons.keySet()) {
      if (groups.stream().noneMatch(g -> g.name().equals(name))) {
        problems.add(new Problem("daemons", name, "names no group of this configuration"));
      }
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
  }

  /** A configuration holding {@code groups}, none with daemon settings. */
  public VipConfig(List<VipGroup> groups) {
    this(groups, Map.of());
  }

  /**
   * The group named {@code name}, e.g. for an agent: {@code
   * VipAgent.builder().group(VipConfig.read(path).group("web"))}.
   *
   * @throws IllegalArgumentException when this configuration has no such group; the message
   *     lists the groups it has
   */
  public VipGroup group(String name) {
    for (VipGroup g : groups) {
      if (g.name().equals(name)) {
        return g;
      }
    }
    throw new IllegalArgumentException("the configuration has no group " + name + "; it has "
        + groups.stream().map(VipGroup::name).toList());
  }

  /** The daemon settings of the group {@code name}; {@link DaemonSettings#NONE} when it has none. */
  public DaemonSettings daemon(String name) {
    return daemons.getOrDefault(name, DaemonSettings.NONE);
  }

  /** This configuration with {@code settings} as the daemon settings of group {@code name}. */
  public VipConfig withDaemon(String name, DaemonSettings settings) {
    Map<String, DaemonSettings> m = new TreeMap<>(daemons);
    m.put(name, settings);
    return new VipConfig(groups, m);
  }

  /** A configuration holding {@code groups}. */
  public static VipConfig of(VipGroup... groups) {
    return new VipConfig(List.of(groups));
  }

  /**
   * Parses a configuration document.
   *
   * @throws ValidationException listing every problem, each with its path and line and column
   */
  public static VipConfig parse(String json) {
    return ConfigReader.parse(json);
  }

  /**
   * Reads a UTF-8 configuration file.
   *
   * @throws ValidationException listing every problem, each with its path and line and column
   * @throws IOException if the file cannot be read or is not UTF-8
   */
  public static VipConfig read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * This configuration as a pretty-printed JSON document ending in a newline: fields in a fixed
   * order, values equal to their defaults left out, durations in short form ({@code 10s}). {@link
   * #parse(String) Parsing} the result gives an equal configuration.
   */
  public String toJson() {
    return ConfigWriter.toJson(this);
  }

  /** Writes {@link #toJson()} to {@code file} in UTF-8, replacing its content. */
  public void write(Path file) throws IOException {
    Files.writeString(file, toJson(), StandardCharsets.UTF_8);
  }

  /**
   * The rules of a configuration, as opposed to those of a group: at least one group, unique group
   * names, no VIP address in two groups. A null entry is a group that failed to build; it is
   * skipped but keeps the indices of the others.
   */
  static List<Problem> check(List<? extends @Nullable VipGroup> groups) {
    List<Problem> problems = new ArrayList<>();
    if (groups.isEmpty()) {
      problems.add(new Problem("groups", null, "is empty; a configuration needs at least one"
          + " group"));
    }
    Map<String, Integer> names = new HashMap<>();
    Map<InetAddress, String> vips = new HashMap<>();
    for (int i = 0; i < groups.size(); i++) {
      VipGroup g = groups.get(i);
      if (g == null) {
        continue;
      }
      Integer first = names.putIfAbsent(g.name(), i);
      if (first != null) {
        problems.add(new Problem("groups[" + i + "].name", g.name(), "repeats groups[" + first
            + "].name; group names must be unique in a configuration"));
      }
      for (int k = 0; k < g.vips().size(); k++) {
        VirtualIp v = g.vips().get(k);
        String here = "groups[" + i + "].vips[" + k + "]";
        String owner = vips.putIfAbsent(v.address(), here + " (group " + g.name() + ")");
        if (owner != null) {
          problems.add(new Problem(here + ".address",
              v.cidr(),
              "is already used by " + owner + "; a VIP address may belong to one group only"));
        }
      }
    }
    return problems;
  }
}
