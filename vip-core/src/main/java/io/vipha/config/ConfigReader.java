package io.vipha.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.AnnouncePolicy;
import io.vipha.Exposure;
import io.vipha.FailoverPolicy;
import io.vipha.FlapLimit;
import io.vipha.Lease;
import io.vipha.Mode;
import io.vipha.NoQuorumAction;
import io.vipha.Node;
import io.vipha.Quorum;
import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.health.HealthCheck;
import io.vipha.internal.Addresses;
import io.vipha.internal.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a configuration document. One pass over the tokens builds a tree and notes where every
 * value starts; a walk over the tree then feeds the model's builders, reports what the JSON gets
 * wrong (unknown fields, wrong types, unparsable durations and enum values) and re-roots the
 * builders' problems under {@code groups[i]}. The model's rules are not repeated here.
 *
 * <p>Internally the document root has the path {@code ""}; problems show it as {@code $}.
 */
final class ConfigReader {
  static final List<String> ROOT = List.of("groups");
  static final List<String> GROUP = List.of("name", "mode", "vips", "nodes", "policy",
      "daemon");
  static final List<String> VIP = List.of("address", "interface", "exposure", "label");
  static final List<String> NODE = List.of("id", "heartbeat", "priority", "weight", "capacity");
  static final List<String> POLICY = List.of("preempt", "preemptDelay", "holdDown", "flapLimit",
      "heartbeatInterval", "deadAfter", "quorum", "noQuorum", "announce", "lease");
  static final List<String> FLAP_LIMIT = List.of("maxChanges", "window", "suspendFor");
  static final List<String> ANNOUNCE = List.of("count", "interval", "refresh");
  static final List<String> DAEMON = List.of("keyFile", "multicast", "reconcileInterval",
      "healthChecks", "stateFile");
  static final List<String> MULTICAST = List.of("group", "interface");
  static final List<String> CHECK = List.of("name", "tcp", "http", "expectStatus", "exec",
      "interval", "timeout", "rise", "fall", "effect");
  /** The health check builder's paths for a target, as the file names them. */
  private static final Map<String, String> CHECK_TARGETS = Map.of("address", "tcp", "url",
      "http", "command", "exec");

  private static final Pattern PREFIX_LENGTH =
      Pattern.compile("(groups\\[\\d+]\\.vips\\[\\d+])\\.prefixLength");
  private static final JsonFactory JSON = new JsonFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String DURATION_HINT = "write e.g. 250ms, 10s, 5m, 1h, 1d or ISO-8601"
      + " such as PT10S";

  /** A position in the document, both 1-based. */
  private record Position(int line, int column) implements Comparable<Position> {
    static final Comparator<Position> ORDER =
        Comparator.comparingInt(Position::line).thenComparingInt(Position::column);

    static Position of(JsonLocation l) {
      return new Position(Math.max(l.getLineNr(), 1), Math.max(l.getColumnNr(), 1));
    }

    @Override
    public int compareTo(Position o) {
      return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
      return "(line " + line + ", column " + column + ")";
    }
  }

  private record Located(Problem problem, Position position) {}

  private final String json;
  /** Where each value starts, by path. */
  private final Map<String, Position> values = new HashMap<>();
  /** Where each field name starts, by the path of its value. */
  private final Map<String, Position> names = new HashMap<>();
  /** Scalars as written, by path: the value shown in problems. */
  private final Map<String, String> scalars = new HashMap<>();
  private final List<Located> problems = new ArrayList<>();
  /** The daemon settings read so far, by group name. */
  private final Map<String, DaemonSettings> daemons = new HashMap<>();
  /** Paths that have a problem of this reader: model problems at or under them are superseded. */
  private final Set<String> reported = new HashSet<>();
  /** The path of the value being read, blamed for a syntax error. */
  private String reading = "";
  /** True while looking for the next field of the object at {@link #reading}. */
  private boolean betweenFields;

  private ConfigReader(String json) {
    // A byte order mark is not JSON, but editors write one.
    this.json = json.startsWith("\uFEFF") ? json.substring(1) : json;
  }

  static VipConfig parse(String json) {
    ConfigReader r = new ConfigReader(json);
    JsonNode root = r.readDocument();
    List<VipGroup> groups = root == null ? List.of() : r.document(root);
    if (!r.problems.isEmpty()) {
      throw r.failure();
    }
    return new VipConfig(groups, r.daemons);
  }

  private ValidationException failure() {
    List<Located> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparing(Located::position)); // stable: ties keep the walk's order
    List<Problem> list = new ArrayList<>(sorted.size());
    for (Located l : sorted) {
      list.add(l.problem());
    }
    return new ValidationException(list);
  }

  // ---------------------------------------------------------------- syntax: tokens to a tree

  private @Nullable JsonNode readDocument() {
    try (JsonParser p = JSON.createParser(json)) {
      try {
        if (p.nextToken() == null) {
          report("", null, "is empty; a configuration is a JSON object with a \"groups\" list",
              Position.of(p.currentLocation()));
          return null;
        }
        JsonNode root = readValue(p, "");
        checkNothingFollows(p.currentLocation());
        return root;
      } catch (StreamReadException e) {
        JsonLocation at = e.getLocation();
        // Jackson's end-of-input message names the source and the start marker; we have both.
        String why = e instanceof JsonEOFException
            ? "the document ends early; a closing } or ] is missing"
            : e.getOriginalMessage();
        report(blamed(p), null, "is not valid JSON: " + why,
            Position.of(at == null ? p.currentLocation() : at));
        return null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String fails with syntax errors only
    }
  }

  /**
   * The path a syntax error is blamed on. Jackson reads a number or {@code true}/{@code
   * false}/{@code null} together with the field name before it, so an error there comes while the
   * name is still new to us: blame that field rather than its object.
   */
  private String blamed(JsonParser p) {
    JsonStreamContext context = p.getParsingContext();
    String name = betweenFields && context.inObject() ? context.getCurrentName() : null;
    return name != null && !names.containsKey(child(reading, name)) ? child(reading, name)
        : reading;
  }

  private JsonNode readValue(JsonParser p, String path) throws IOException {
    reading = path;
    values.put(path, Position.of(p.currentTokenLocation()));
    JsonToken token = p.currentToken();
    return switch (token) {
      case START_OBJECT -> readObject(p, path);
      case START_ARRAY -> readArray(p, path);
      case VALUE_STRING -> NODES.textNode(scalar(p, path));
      case VALUE_NUMBER_INT -> {
        scalar(p, path);
        yield switch (p.getNumberType()) {
          case INT -> NODES.numberNode(p.getIntValue());
          case LONG -> NODES.numberNode(p.getLongValue());
          default -> NODES.numberNode(p.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        scalar(p, path);
        yield NODES.numberNode(p.getDecimalValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(scalar(p, path).equals("true"));
      case VALUE_NULL -> NODES.nullNode();
      default -> throw new IllegalStateException("unexpected JSON token " + token + " at " + path);
    };
  }

  /** Notes a scalar's text as written, and returns it. */
  private String scalar(JsonParser p, String path) throws IOException {
    String text = p.getText();
    scalars.put(path, text);
    return text;
  }

  private ArrayNode readArray(JsonParser p, String path) throws IOException {
    ArrayNode array = NODES.arrayNode();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      array.add(readValue(p, path + "[" + array.size() + "]"));
      reading = path;
    }
    return array;
  }

  private ObjectNode readObject(JsonParser p, String path) throws IOException {
    ObjectNode object = NODES.objectNode();
    while (nextField(p)) {
      String name = p.currentName();
      String child = child(path, name);
      Position at = Position.of(p.currentTokenLocation());
      reading = child;
      p.nextToken();
      if (object.has(name)) {
        // Reported like any other problem, so the pass goes on and finds all repeats.
        Position first = names.getOrDefault(child, at);
        report(child, null, "is repeated (first at line " + first.line() + ", column "
            + first.column() + "); each field may appear once", at);
        p.skipChildren();
      } else {
        names.put(child, at);
        object.set(name, readValue(p, child));
      }
      reading = path;
    }
    return object;
  }

  private boolean nextField(JsonParser p) throws IOException {
    betweenFields = true;
    boolean found = p.nextToken() == JsonToken.FIELD_NAME;
    betweenFields = false;
    return found;
  }

  private void checkNothingFollows(JsonLocation end) {
    int line = end.getLineNr();
    int column = end.getColumnNr();
    for (int i = (int) end.getCharOffset(); i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < json.length() && json.charAt(i + 1) == '\n') {
          i++;
        }
        line++;
        column = 1;
      } else if (c == ' ' || c == '\t') {
        column++;
      } else {
        report("", null, "has content after the end of the JSON object; a configuration is"
            + " exactly one object", new Position(line, column));
        return;
      }
    }
  }

  // ---------------------------------------------------------------- the tree to the model

  private List<VipGroup> document(JsonNode root) {
    Fields doc = fields(root, "", ROOT, "an object with a \"groups\" list");
    if (doc == null) {
      return List.of();
    }
    JsonNode list = doc.node.get("groups");
    if (list == null) {
      report("groups", null, "is required; list the groups, e.g. \"groups\": [{\"name\": \"web\","
          + " ...}]", locate("groups"));
      return List.of();
    }
    if (!expect(list, "groups", JsonNodeType.ARRAY, "a list of groups")) {
      return List.of();
    }
    List<@Nullable VipGroup> groups = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Fields g = fields(list.get(i), "groups[" + i + "]", GROUP, "an object (a group)");
      VipGroup built = g == null ? null : group(g);
      groups.add(built);
      Fields d = g == null ? null : g.object("daemon", DAEMON);
      if (d != null) {
        DaemonSettings settings = daemon(d);
        if (built != null && settings != null) {
          daemons.putIfAbsent(built.name(), settings);
        }
      }
    }
    for (Problem p : VipConfig.check(groups)) {
      reportModel(p);
    }
    List<VipGroup> built = new ArrayList<>();
    for (VipGroup g : groups) {
      if (g != null) {
        built.add(g);
      }
    }
    return built;
  }

  private @Nullable VipGroup group(Fields g) {
    VipGroup.Builder b = VipGroup.builder();
    String name = g.string("name");
    if (name != null) {
      b.name(name);
    }
    Mode mode = g.choice("mode", Mode.class);
    if (mode != null) {
      b.mode(mode);
    }
    g.objects("vips", VIP, "a VIP", vip -> b.vip(v -> {
      if (vip != null) {
        vip(vip, v);
      }
    }));
    g.objects("nodes", NODE, "a node", node -> b.node(n -> {
      if (node != null) {
        node(node, n);
      }
    }));
    Fields policy = g.object("policy", POLICY);
    if (policy != null) {
      b.policy(p -> policy(policy, p));
    }
    try {
      return b.build();
    } catch (ValidationException e) {
      for (Problem p : e.problems()) {
        reportModel(p.under(g.path));
      }
      return null;
    }
  }

  private static void vip(Fields o, VirtualIp.Builder v) {
    String address = o.string("address");
    if (address != null) {
      v.address(address);
    }
    String iface = o.string("interface");
    if (iface != null) {
      v.interfaceName(iface);
    }
    Exposure exposure = o.choice("exposure", Exposure.class);
    if (exposure != null) {
      v.exposure(exposure);
    }
    String label = o.string("label");
    if (label != null) {
      v.label(label);
    }
  }

  private static void node(Fields o, Node.Builder n) {
    String id = o.string("id");
    if (id != null) {
      n.id(id);
    }
    o.strings("heartbeat", "an address such as \"198.51.100.1:7405\"", endpoint ->
        // Unusable entries still take their place, so the model's indices match the file's; the
        // model's problem with "" is superseded by the one already reported.
        n.heartbeat(endpoint == null ? "" : endpoint));
    Integer priority = o.integer("priority");
    if (priority != null) {
      n.priority(priority);
    }
    Integer weight = o.integer("weight");
    if (weight != null) {
      n.weight(weight);
    }
    Integer capacity = o.integer("capacity");
    if (capacity != null) {
      n.capacity(capacity);
    }
  }

  private void policy(Fields o, FailoverPolicy.Builder p) {
    Boolean preempt = o.bool("preempt");
    if (preempt != null) {
      p.preempt(preempt);
    }
    Duration preemptDelay = o.duration("preemptDelay");
    if (preemptDelay != null) {
      p.preemptDelay(preemptDelay);
    }
    Duration holdDown = o.duration("holdDown");
    if (holdDown != null) {
      p.holdDown(holdDown);
    }
    Fields flap = o.object("flapLimit", FLAP_LIMIT);
    if (flap != null) {
      Integer maxChanges = flap.integer("maxChanges");
      Duration window = flap.duration("window");
      p.flapLimit(maxChanges == null ? FlapLimit.DEFAULT.maxChanges() : maxChanges,
          window == null ? FlapLimit.DEFAULT.window() : window,
          flap.duration("suspendFor")); // absent: suspended until an operator clears the node
    }
    Duration interval = o.duration("heartbeatInterval");
    if (interval != null) {
      p.heartbeatInterval(interval);
    }
    Integer deadAfter = o.integer("deadAfter");
    if (deadAfter != null) {
      p.deadAfter(deadAfter);
    }
    quorum(o, p);
    NoQuorumAction noQuorum = o.choice("noQuorum", NoQuorumAction.class);
    if (noQuorum != null) {
      p.noQuorum(noQuorum);
    }
    Fields announce = o.object("announce", ANNOUNCE);
    if (announce != null) {
      Integer count = announce.integer("count");
      Duration every = announce.duration("interval");
      p.announce(count == null ? AnnouncePolicy.DEFAULT.count() : count,
          every == null ? AnnouncePolicy.DEFAULT.interval() : every);
      p.announceRefresh(announce.duration("refresh")); // absent: no periodic refresh
    }
    JsonNode lease = o.node.get("lease");
    String leasePath = child(o.path, "lease");
    if (lease != null && expect(lease, leasePath, JsonNodeType.STRING,
        "a duration or \"forever\"")) {
      String text = lease.textValue();
      Duration d = Durations.parse(text);
      if (text.equalsIgnoreCase("forever")) {
        p.lease(Lease.forever());
      } else if (d != null) {
        p.lease(d);
      } else {
        report(leasePath, text, "is not a duration or \"forever\"; " + DURATION_HINT,
            locate(leasePath));
      }
    }
  }

  /** A group's daemon settings; null when something in them was reported. */
  private @Nullable DaemonSettings daemon(Fields d) {
    int before = problems.size();
    String key = absolutePath(d, "keyFile", "/etc/vipha/web.key");
    Path keyFile = key == null ? null : Path.of(key);
    String stateFile = absolutePath(d, "stateFile", DaemonSettings.DEFAULT_STATE_FILE);
    String statePath = child(d.path, "stateFile");
    if (stateFile != null) {
      String bare = stateFile.replace("{group}", "").replace("{node}", "");
      if (bare.contains("{") || bare.contains("}")) {
        report(statePath, stateFile, "holds a placeholder other than {group} and {node}",
            locate(statePath));
      } else if (stateFile.endsWith("/")) {
        report(statePath, stateFile, "names a directory; write a file, e.g. "
            + DaemonSettings.DEFAULT_STATE_FILE, locate(statePath));
      }
    }
    DaemonSettings.Multicast multicast = null;
    Fields m = d.object("multicast", MULTICAST);
    if (m != null) {
      multicast = multicast(m);
    }
    Duration reconcile = d.duration("reconcileInterval");
    String reconcilePath = child(d.path, "reconcileInterval");
    if (reconcile != null && (reconcile.isNegative() || reconcile.isZero())) {
      report(reconcilePath, Durations.format(reconcile), "is not positive; write e.g. 1s",
          locate(reconcilePath));
    }
    List<HealthCheck> checks = new ArrayList<>();
    d.objects("healthChecks", CHECK, "a health check", c -> {
      if (c != null) {
        HealthCheck check = healthCheck(c);
        if (check != null) {
          checks.add(check);
        }
      }
    });
    if (problems.size() == before) { // healthChecks[i] counts the checks built: all of them
      try {
        HealthCheck.requireUniqueNames(checks);
      } catch (ValidationException e) {
        for (Problem p : e.problems()) {
          reportModel(p.under(d.path));
        }
      }
    }
    if (problems.size() != before) {
      return null;
    }
    return new DaemonSettings(keyFile, multicast, reconcile, checks, stateFile);
  }

  /** The string field {@code name} of {@code d}, when it is a valid absolute path. */
  private @Nullable String absolutePath(Fields d, String name, String example) {
    String text = d.string(name);
    String path = child(d.path, name);
    if (text == null) {
      return null;
    }
    try {
      if (!Path.of(text).isAbsolute()) {
        report(path, text, "is not an absolute path; write e.g. " + example, locate(path));
      }
    } catch (InvalidPathException e) {
      report(path, text, "is not a valid path: " + e.getReason(), locate(path));
    }
    return text;
  }

  private DaemonSettings.@Nullable Multicast multicast(Fields m) {
    String group = m.string("group");
    String iface = m.string("interface");
    String groupPath = child(m.path, "group");
    InetSocketAddress address = null;
    if (group != null) {
      address = Addresses.parseEndpoint(group.trim(), Node.DEFAULT_HEARTBEAT_PORT);
      if (address == null || !address.getAddress().isMulticastAddress()) {
        report(groupPath, group, "is not a multicast address with an optional port; write e.g."
            + " 239.255.86.1:7405 or [ff02::86]:7405", locate(groupPath));
        address = null;
      }
    } else if (m.node.get("group") == null) {
      report(groupPath, null, "is required; write e.g. \"group\": \"239.255.86.1:7405\"",
          locate(groupPath));
    }
    String ifacePath = child(m.path, "interface");
    if (iface == null && m.node.get("interface") == null) {
      report(ifacePath, null, "is required; name the interface to join the group on, e.g."
          + " \"interface\": \"eth0\"", locate(ifacePath));
    } else if (iface != null && iface.isBlank()) {
      report(ifacePath, iface, "is empty; name the interface, e.g. eth0", locate(ifacePath));
      iface = null;
    }
    return address == null || iface == null ? null
        : new DaemonSettings.Multicast(address, iface);
  }

  private @Nullable HealthCheck healthCheck(Fields c) {
    HealthCheck.Builder b = HealthCheck.builder();
    String name = c.string("name");
    if (name != null) {
      b.name(name);
    }
    List<String> targets = new ArrayList<>();
    for (String t : List.of("tcp", "http", "exec")) {
      if (c.node.has(t)) {
        targets.add(t);
      }
    }
    if (targets.size() > 1) {
      String p = child(c.path, targets.get(1));
      report(p, null, "is set together with " + targets.get(0) + "; a check probes one target:"
          + " tcp, http or exec", names.getOrDefault(p, locate(p)));
      return null;
    }
    String tcp = c.string("tcp");
    if (tcp != null) {
      b.tcp(tcp);
    }
    String http = c.string("http");
    if (http != null) {
      b.http(http);
    }
    List<String> command = new ArrayList<>();
    c.strings("exec", "a word of the command, e.g. \"/usr/local/bin/check-db\"", word -> {
      command.add(word == null ? "" : word);
    });
    if (c.node.has("exec")) {
      b.exec(command);
    }
    String status = c.string("expectStatus");
    if (status != null) {
      b.expectStatus(status);
    }
    Duration interval = c.duration("interval");
    if (interval != null) {
      b.interval(interval);
    }
    Duration timeout = c.duration("timeout");
    if (timeout != null) {
      b.timeout(timeout);
    }
    Integer rise = c.integer("rise");
    if (rise != null) {
      b.rise(rise);
    }
    Integer fall = c.integer("fall");
    if (fall != null) {
      b.fall(fall);
    }
    JsonNode effect = c.node.get("effect");
    String effectPath = child(c.path, "effect");
    if (effect != null) {
      if (effect.isNumber()) {
        Integer w = c.integer("effect");
        if (w != null) {
          b.weight(w);
        }
      } else if (expect(effect, effectPath, JsonNodeType.STRING, "\"disqualify\" or a weight"
          + " such as -20")) {
        if (effect.textValue().equalsIgnoreCase("disqualify")) {
          b.disqualify();
        } else {
          report(effectPath, effect.textValue(), "is not an effect; use \"disqualify\" or a"
              + " weight such as -20 (a number)", locate(effectPath));
        }
      }
    }
    try {
      return b.build();
    } catch (ValidationException e) {
      for (Problem p : e.problems()) {
        String path = p.path();
        int dot = path.indexOf('.');
        String head = dot < 0 ? path : path.substring(0, dot);
        String renamed = CHECK_TARGETS.get(head);
        if (renamed != null) {
          path = renamed + (dot < 0 ? "" : path.substring(dot));
        } else if (head.equals("kind")) {
          path = "";
          p = new Problem(path, null, "names no target; probe with tcp, http or exec");
        }
        reportModel(new Problem(path, p.value(), p.message()).under(c.path));
      }
      return null;
    }
  }

  private void quorum(Fields o, FailoverPolicy.Builder p) {
    JsonNode q = o.node.get("quorum");
    String path = child(o.path, "quorum");
    if (q == null) {
      return;
    }
    if (q.isNumber()) {
      Integer size = o.integer("quorum");
      if (size != null) {
        p.quorumSize(size); // the model checks the size
      }
    } else if (expect(q, path, JsonNodeType.STRING, "\"none\", \"majority\" or a number of"
        + " nodes")) {
      String text = q.textValue();
      if (text.equalsIgnoreCase("none")) {
        p.quorum(Quorum.none());
      } else if (text.equalsIgnoreCase("majority")) {
        p.quorum(Quorum.majority());
      } else {
        report(path, text, "is not a quorum; use \"none\", \"majority\" or a number of nodes such"
            + " as 2", locate(path));
      }
    }
  }

  // ---------------------------------------------------------------- problems and locations

  private void report(String path, @Nullable String value, String message, Position at) {
    if (!path.isEmpty()) { // a problem with the whole document explains no model problem
      reported.add(path);
    }
    problems.add(new Located(new Problem(path.isEmpty() ? "$" : path, value,
        message + " " + at), at));
  }

  /** A problem found by the model: located, unless one of ours already explains it. */
  private void reportModel(Problem found) {
    Problem p = found;
    Matcher prefix = PREFIX_LENGTH.matcher(p.path());
    if (prefix.matches()) {
      // The file has no prefixLength field: the prefix is part of "address".
      String address = prefix.group(1) + ".address";
      p = new Problem(address, scalars.getOrDefault(address, p.value()), p.message());
    }
    for (String path = p.path(); ; path = parent(path)) {
      if (reported.contains(path)) {
        return;
      }
      if (path.isEmpty()) {
        break;
      }
    }
    Position at = locate(p.path());
    problems.add(new Located(new Problem(p.path(), p.value(), p.message() + " " + at), at));
  }

  /** Where {@code path} starts, or its nearest enclosing value that is in the file. */
  private Position locate(String path) {
    for (String p = path; ; p = parent(p)) {
      Position at = values.get(p);
      if (at != null) {
        return at;
      }
      if (p.isEmpty()) {
        return new Position(1, 1);
      }
    }
  }

  private static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut < 0 ? "" : path.substring(0, cut);
  }

  private static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private boolean expect(JsonNode node, String path, JsonNodeType type, String what) {
    if (node.getNodeType() == type) {
      return true;
    }
    report(path, scalars.get(path), "is " + describe(node) + "; expected " + what, locate(path));
    return false;
  }

  private static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      default -> node.getNodeType().toString().toLowerCase(Locale.ROOT);
    };
  }

  /** The fields of an object, checked against {@code allowed}; null when it is not an object. */
  private @Nullable Fields fields(JsonNode node, String path, List<String> allowed,
      String what) {
    if (!expect(node, path, JsonNodeType.OBJECT, what)) {
      return null;
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!allowed.contains(field.getKey())) {
        String p = child(path, field.getKey());
        report(p, null, "is not a known field; allowed here: " + String.join(", ", allowed),
            names.getOrDefault(p, locate(p)));
      }
    }
    return new Fields(node, path);
  }

  /** Typed access to the fields of one object; each returns null when absent or reported. */
  private final class Fields {
    final JsonNode node;
    final String path;

    Fields(JsonNode node, String path) {
      this.node = node;
      this.path = path;
    }

    private @Nullable JsonNode get(String name, JsonNodeType type, String what) {
      JsonNode v = node.get(name);
      return v != null && expect(v, child(path, name), type, what) ? v : null;
    }

    @Nullable String string(String name) {
      JsonNode v = get(name, JsonNodeType.STRING, "a string");
      return v == null ? null : v.textValue();
    }

    @Nullable Boolean bool(String name) {
      JsonNode v = get(name, JsonNodeType.BOOLEAN, "true or false");
      return v == null ? null : v.booleanValue();
    }

    @Nullable Integer integer(String name) {
      JsonNode v = get(name, JsonNodeType.NUMBER, "a whole number");
      String p = child(path, name);
      if (v == null) {
        return null;
      } else if (!v.isIntegralNumber()) {
        report(p, scalars.get(p), "is not a whole number", locate(p));
        return null;
      } else if (!v.canConvertToInt()) {
        report(p, scalars.get(p), "is outside the range of a 32-bit integer", locate(p));
        return null;
      }
      return v.intValue();
    }

    @Nullable Duration duration(String name) {
      JsonNode v = get(name, JsonNodeType.STRING, "a duration such as \"10s\"");
      if (v == null) {
        return null;
      }
      Duration d = Durations.parse(v.textValue());
      if (d == null) {
        String p = child(path, name);
        report(p, v.textValue(), "is not a duration; " + DURATION_HINT, locate(p));
      }
      return d;
    }

    /** An enum constant, by name ignoring case, with '-' for '_'. */
    <E extends Enum<E>> @Nullable E choice(String name, Class<E> type) {
      E[] constants = type.getEnumConstants();
      List<String> allowed = new ArrayList<>();
      for (E e : constants) {
        allowed.add(e.name());
      }
      JsonNode v = get(name, JsonNodeType.STRING, "one of " + String.join(", ", allowed));
      if (v == null) {
        return null;
      }
      String text = v.textValue().replace('-', '_');
      for (E e : constants) {
        if (e.name().equalsIgnoreCase(text)) {
          return e;
        }
      }
      String p = child(path, name);
      report(p, v.textValue(), "is not one of " + String.join(", ", allowed), locate(p));
      return null;
    }

    @Nullable Fields object(String name, List<String> allowed) {
      JsonNode v = node.get(name);
      return v == null ? null : fields(v, child(path, name), allowed, "an object");
    }

    /** Each element of a list of objects; null for an element that is not an object. */
    void objects(String name, List<String> allowed, String what,
        Consumer<@Nullable Fields> each) {
      JsonNode list = get(name, JsonNodeType.ARRAY, "a list");
      if (list == null) {
        return;
      }
      for (int i = 0; i < list.size(); i++) {
        each.accept(fields(list.get(i), child(path, name) + "[" + i + "]", allowed,
            "an object (" + what + ")"));
      }
    }

    /** Each element of a list of strings; null for an element that is not a string. */
    void strings(String name, String what, Consumer<@Nullable String> each) {
      JsonNode list = get(name, JsonNodeType.ARRAY, "a list");
      if (list == null) {
        return;
      }
      for (int i = 0; i < list.size(); i++) {
        JsonNode v = list.get(i);
        each.accept(expect(v, child(path, name) + "[" + i + "]", JsonNodeType.STRING, what)
            ? v.textValue() : null);
      }
    }
  }
}
