package io.vipha.mover.openstack;

import io.vipha.ValidationException.Problem;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a Neutron mover, checked all at once. Credentials are never among them: they
 * come from the {@code OS_*} variables or a clouds file ({@link CloudCredentials}).
 */
record Settings(
    Map<String, String> values,
    @Nullable String cloud,
    @Nullable String region,
    @Nullable Path cloudsFile,
    @Nullable URI neutronEndpoint) {

  static final String CLOUD = "cloud";
  static final String REGION = "region";
  static final String CLOUDS_FILE = "cloudsFile";
  static final String NEUTRON_ENDPOINT = "neutronEndpoint";
  static final String FLOATING_IP_ID = "floatingIpId";
  static final String PORT_ID = "portId";
  static final String FIXED_IP_ADDRESS = "fixedIpAddress";
  static final String PEER_PORT_IDS = "peerPortIds";

  private static final List<String> COMMON = List.of(CLOUD, REGION, CLOUDS_FILE, NEUTRON_ENDPOINT);
  private static final Pattern UUID = Pattern.compile(
      "\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,39}");

  /** Which keys a mover type takes beside the common ones, and which of them are required. */
  record Kind(String type, List<String> required, List<String> optional) {
    Set<String> known() {
      Set<String> all = new TreeSet<>(COMMON);
      all.addAll(required);
      all.addAll(optional);
      return all;
    }
  }

  static final Kind FLOATING_IP =
      new Kind("openstack-floating-ip", List.of(FLOATING_IP_ID, PORT_ID),
          List.of(FIXED_IP_ADDRESS));
  static final Kind PORT_ADDRESS =
      new Kind("openstack-port-address", List.of(PORT_ID), List.of(PEER_PORT_IDS));

  /** Every problem of {@code settings} for {@code kind}, in key order; empty when they are fine. */
  static List<Problem> check(Kind kind, Map<String, String> settings) {
    List<Problem> problems = new ArrayList<>();
    Set<String> known = kind.known();
    for (String key : new TreeSet<>(settings.keySet())) {
      if (!known.contains(key)) {
        problems.add(new Problem(key, null, "is not a setting of " + kind.type()
            + "; known settings: " + String.join(", ", known)
            + " (credentials come from the OS_* variables or a clouds file, never the config)"));
      }
    }
    for (String key : kind.required()) {
      if (!settings.containsKey(key)) {
        problems.add(new Problem(key, null, "is missing; give the Neutron UUID, e.g. "
            + "2a8b8c9e-0d47-4d37-9f4e-5a6b7c8d9e0f"));
      }
    }
    String port = settings.get(PORT_ID);
    for (String key : List.of(FLOATING_IP_ID, PORT_ID)) {
      String v = settings.get(key);
      if (v != null && !UUID.matcher(v).matches()) {
        problems.add(new Problem(key, v, "is not a Neutron ID; write a UUID like "
            + "2a8b8c9e-0d47-4d37-9f4e-5a6b7c8d9e0f"));
      }
    }
    String fixed = settings.get(FIXED_IP_ADDRESS);
    if (fixed != null && parseLiteral(fixed) == null) {
      problems.add(new Problem(FIXED_IP_ADDRESS, fixed,
          "is not an IPv4 or IPv6 address; write the fixed IP of this node's port, e.g. "
              + "192.0.2.21"));
    }
    String peers = settings.get(PEER_PORT_IDS);
    if (peers != null) {
      checkPeers(peers, port, problems);
    }
    for (String key : List.of(CLOUD, REGION)) {
      String v = settings.get(key);
      if (v != null && !NAME.matcher(v).matches()) {
        problems.add(new Problem(key, v, "is not a name; use 1-64 letters, digits, '_', '.', '-'"));
      }
    }
    String file = settings.get(CLOUDS_FILE);
    if (file != null && (file.isBlank() || !Path.of(file).isAbsolute())) {
      problems.add(new Problem(CLOUDS_FILE, file,
          "is not an absolute path; name the clouds.yaml (or JSON) file, e.g. "
              + "/etc/openstack/clouds.yaml"));
    }
    String endpoint = settings.get(NEUTRON_ENDPOINT);
    if (endpoint != null && parseEndpoint(endpoint) == null) {
      problems.add(new Problem(NEUTRON_ENDPOINT, endpoint,
          "is not an http(s) URL; write e.g. https://neutron.example.net:9696, or leave it out to "
              + "take the network endpoint from the Keystone catalog"));
    }
    return problems;
  }

  private static void checkPeers(String peers, @Nullable String port, List<Problem> problems) {
    List<String> ids = splitList(peers);
    if (ids.isEmpty()) {
      problems.add(new Problem(PEER_PORT_IDS, peers,
          "is empty; list the other nodes' port UUIDs separated by commas, or leave it out"));
    }
    Set<String> seen = new TreeSet<>();
    for (String id : ids) {
      if (!UUID.matcher(id).matches()) {
        problems.add(new Problem(PEER_PORT_IDS, peers, "holds \"" + id
            + "\", which is not a Neutron port UUID"));
      } else if (id.equalsIgnoreCase(port == null ? "" : port)) {
        problems.add(new Problem(PEER_PORT_IDS, peers,
            "names this node's own portId; list only the other nodes' ports"));
      } else if (!seen.add(id.toLowerCase(java.util.Locale.ROOT))) {
        problems.add(new Problem(PEER_PORT_IDS, peers, "names " + id + " twice"));
      }
    }
  }

  /** Parses checked settings; throws {@link io.vipha.ValidationException} when they are not. */
  static Settings parse(Kind kind, Map<String, String> settings) {
    List<Problem> problems = check(kind, settings);
    if (!problems.isEmpty()) {
      throw new io.vipha.ValidationException(problems);
    }
    String file = settings.get(CLOUDS_FILE);
    String endpoint = settings.get(NEUTRON_ENDPOINT);
    return new Settings(Map.copyOf(new LinkedHashMap<>(settings)), settings.get(CLOUD),
        settings.get(REGION), file == null ? null : Path.of(file),
        endpoint == null ? null : parseEndpoint(endpoint));
  }

  String get(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalStateException(key + " was checked as required");
    }
    return v;
  }

  @Nullable String optional(String key) {
    return values.get(key);
  }

  List<String> peerPorts() {
    String peers = values.get(PEER_PORT_IDS);
    return peers == null ? List.of() : splitList(peers);
  }

  static List<String> splitList(String text) {
    List<String> out = new ArrayList<>();
    String t = text.strip();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    for (String part : t.split(",", -1)) {
      String p = part.strip();
      if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
        p = p.substring(1, p.length() - 1);
      }
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }

  /** An address literal (never a name: nothing is resolved), or null. */
  static @Nullable InetAddress parseLiteral(String text) {
    if (!IP_LITERAL.matcher(text).matches()) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      String[] parts = text.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      for (String part : parts) {
        if (!part.matches("\\d{1,3}") || Integer.parseInt(part) > 255) {
          return null;
        }
      }
    }
    try {
      return InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  static @Nullable URI parseEndpoint(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      if (uri.getHost() == null || scheme == null
          || !(scheme.equals("http") || scheme.equals("https")) || uri.getRawQuery() != null
          || uri.getRawUserInfo() != null) {
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
