package io.vipha.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.vipha.ValidationException.Problem;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.Addresses;
import io.vipha.spi.MoverProvider;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code "movers"} list of a daemon object: each mover's type (a provider that {@link
 * MoverProvider#installed()} finds), the VIPs it moves, its deadline, and the provider's own
 * fields, which the provider checks. Fields named like a secret are refused: credentials come
 * from the provider's own chain or a file, never from the configuration.
 */
final class MoverReader {
  /** The fields every mover has; the rest are the provider's. */
  static final List<String> COMMON = List.of("type", "vips", "timeout");
  /** Field names that hold a secret (lower case, without separators). */
  private static final Pattern SECRET = Pattern.compile(
      ".*(secret|password|passwd|passphrase|token|accesskey|apikey|privatekey|credential).*");
  /** ...unless they name where the secret is: a file or a path. */
  private static final Pattern WHERE = Pattern.compile(".*(file|path)");
  static final String CREDENTIALS_HINT = "looks like a credential, which never goes in the"
      + " configuration; use the provider's credential chain or a file";

  private final ConfigProblems problems;
  private final Map<String, MoverProvider> providers;

  MoverReader(ConfigProblems problems, Map<String, MoverProvider> providers) {
    this.problems = problems;
    this.providers = providers;
  }

  /** The movers of daemon object {@code d}; those with a problem reported are left out. */
  List<DaemonSettings.Mover> movers(Fields d) {
    List<DaemonSettings.Mover> out = new ArrayList<>();
    JsonNode list = d.node.get("movers");
    String path = d.child("movers");
    if (list == null || !problems.expect(list, path, JsonNodeType.ARRAY, "a list of movers")) {
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      String at = path + "[" + i + "]";
      JsonNode m = list.get(i);
      if (problems.expect(m, at, JsonNodeType.OBJECT, "an object (a mover)")) {
        DaemonSettings.Mover mover = mover(new Fields(problems, m, at));
        if (mover != null) {
          out.add(mover);
        }
      }
    }
    return out;
  }

  private DaemonSettings.@Nullable Mover mover(Fields m) {
    int before = problems.count();
    String type = m.string("type");
    if (type == null && m.node.get("type") == null) {
      problems.report(m.child("type"), null, "is required; " + known());
    }
    List<InetAddress> vips = new ArrayList<>();
    m.strings("vips", "a VIP address such as \"203.0.113.10\"", v -> {
      if (v != null) {
        InetAddress a = Addresses.parseIp(v.contains("/") ? v.substring(0, v.indexOf('/')) : v);
        if (a == null) {
          problems.report(m.child("vips") + "[" + vips.size() + "]", v, "is not an IP"
              + " address; name a VIP of the group, e.g. \"203.0.113.10\"");
        }
        vips.add(a == null ? InetAddress.getLoopbackAddress() : a); // (reported: not kept)
      }
    });
    Duration timeout = m.duration("timeout");
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      problems.report(m.child("timeout"), problems.scalars.get(m.child("timeout")),
          "is not positive; write e.g. 10s");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> f : m.node.properties()) {
      String name = f.getKey();
      if (COMMON.contains(name)) {
        continue;
      }
      String p = m.child(name);
      if (secret(name)) {
        problems.report(p, null, CREDENTIALS_HINT, problems.locateName(p));
        continue;
      }
      JsonNode v = f.getValue();
      settings.put(name, v.isValueNode() ? v.asText() : v.toString());
    }
    MoverProvider provider = type == null ? null : providers.get(type);
    if (type != null && provider == null) {
      problems.report(m.child("type"), type, "is not a mover type found; " + known());
    }
    if (provider != null) {
      for (Problem p : provider.check(settings)) {
        problems.report(m.child(p.path()), p.value(), p.message());
      }
    }
    if (problems.count() != before || type == null) {
      return null;
    }
    return new DaemonSettings.Mover(type, vips, timeout, settings);
  }

  private String known() {
    return providers.isEmpty() ? "no mover provider is installed"
        : "installed: " + String.join(", ", providers.keySet());
  }

  /** Whether field {@code name} holds a secret by its name. */
  static boolean secret(String name) {
    String n = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    return SECRET.matcher(n).matches() && !WHERE.matcher(n).matches();
  }

  /**
   * The rules between a group and its movers: each VIP named is one of the group's, and each VIP
   * has at most one mover. Paths under {@code at} (e.g. {@code groups[0].daemon}).
   */
  static List<Problem> check(VipGroup g, List<DaemonSettings.Mover> movers, String at) {
    List<Problem> out = new ArrayList<>();
    Map<InetAddress, Integer> taken = new LinkedHashMap<>();
    for (int i = 0; i < movers.size(); i++) {
      DaemonSettings.Mover m = movers.get(i);
      String here = at + ".movers[" + i + "]";
      List<InetAddress> moved = new ArrayList<>();
      for (int k = 0; k < m.vips().size(); k++) {
        InetAddress a = m.vips().get(k);
        if (g.vips().stream().noneMatch(v -> v.address().equals(a))) {
          out.add(new Problem(here + ".vips[" + k + "]", Addresses.text(a), "is not a VIP of"
              + " group " + g.name() + "; its VIPs: " + cidrs(g)));
        } else {
          moved.add(a);
        }
      }
      if (m.vips().isEmpty()) {
        g.vips().forEach(v -> moved.add(v.address()));
      }
      for (InetAddress a : moved) {
        Integer other = taken.putIfAbsent(a, i);
        if (other != null) {
          out.add(new Problem(here, null, "moves " + Addresses.text(a) + ", which movers["
              + other + "] moves already; a VIP has one mover (name the VIPs of each with"
              + " \"vips\")"));
          break;
        }
      }
    }
    return out;
  }

  private static String cidrs(VipGroup g) {
    List<String> out = new ArrayList<>();
    for (VirtualIp v : g.vips()) {
      out.add(v.cidr());
    }
    return String.join(", ", out);
  }
}
