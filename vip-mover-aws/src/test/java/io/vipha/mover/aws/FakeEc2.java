package io.vipha.mover.aws;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;

/**
 * A fake EC2 endpoint in this process, for tests: the Query API (form-encoded POST, XML answers
 * in the EC2 namespace, as the SDK parses them) over the calls the movers make, holding Elastic
 * IPs, network interfaces and their tags. It can add latency (seeded, uniform in a range),
 * throttle (RequestLimitExceeded with HTTP 503, or HTTP 429), serve stale reads after a write
 * (eventual consistency), hang (a timeout), and refuse credentials or one action.
 */
final class FakeEc2 implements AutoCloseable {
  static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

  /** An Elastic IP. */
  static final class Eip {
    final String allocationId;
    final String publicIp;
    @Nullable String associationId;
    @Nullable String eni;
    @Nullable String instance;
    @Nullable String privateIp;
    final Map<String, String> tags = new TreeMap<>();

    Eip(String allocationId, String publicIp) {
      this.allocationId = allocationId;
      this.publicIp = publicIp;
    }

    Eip copy() {
      Eip c = new Eip(allocationId, publicIp);
      c.associationId = associationId;
      c.eni = eni;
      c.instance = instance;
      c.privateIp = privateIp;
      c.tags.putAll(tags);
      return c;
    }
  }

  /** A network interface. */
  static final class Eni {
    final String id;
    final String subnet;
    final String primaryIp;
    final @Nullable String instance;
    final LinkedHashSet<String> secondary = new LinkedHashSet<>();
    final Map<String, String> tags = new TreeMap<>();

    Eni(String id, String subnet, String primaryIp, @Nullable String instance) {
      this.id = id;
      this.subnet = subnet;
      this.primaryIp = primaryIp;
      this.instance = instance;
    }

    Eni copy() {
      Eni c = new Eni(id, subnet, primaryIp, instance);
      c.secondary.addAll(secondary);
      c.tags.putAll(tags);
      return c;
    }

    boolean has(String ip) {
      return primaryIp.equals(ip) || secondary.contains(ip);
    }
  }

  /** An error answer, as EC2 sends it. */
  private static final class Ec2Error extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Ec2Error(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  private final MockWebServer server = new MockWebServer();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Map<String, Eip> eips = new LinkedHashMap<>();
  private final Map<String, Eni> enis = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> calls = Collections.synchronizedMap(new TreeMap<>());
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger ids = new AtomicInteger(0x1000);

  private Random random = new Random(1);
  private Duration minLatency = Duration.ZERO;
  private Duration maxLatency = Duration.ZERO;
  private final Map<String, Duration[]> actionLatency = new HashMap<>();
  private int staleReadsAfterWrite;
  private int staleLeft;
  private @Nullable Map<String, Eip> staleEips;
  private @Nullable Map<String, Eni> staleEnis;
  private int throttleLeft;
  private int throttleStatus = 503;
  private @Nullable Integer retryAfterSeconds;
  private int hangLeft;
  private @Nullable String hangAction;
  private boolean hangApplies;
  private boolean rejectCredentials;
  private boolean signatureMismatch;
  private @Nullable String deniedAction;
  private int pageSize = Integer.MAX_VALUE;
  private @Nullable String rivalAfter;
  private @Nullable Consumer<FakeEc2> rival;

  FakeEc2() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        return answer(request);
      }
    });
    server.start();
  }

  /** The endpoint to give the SDK ({@code endpointOverride}). */
  URI endpoint() {
    return server.url("/").uri();
  }

  // ---- state -------------------------------------------------------------------------------

  synchronized FakeEc2 eip(String allocationId, String publicIp) {
    eips.put(allocationId, new Eip(allocationId, publicIp));
    return this;
  }

  synchronized FakeEc2 eni(String id, String subnet, String primaryIp,
      @Nullable String instance) {
    enis.put(id, new Eni(id, subnet, primaryIp, instance));
    return this;
  }

  synchronized Eip eipState(String allocationId) {
    return eipNamed(allocationId).copy();
  }

  synchronized Eni eniState(String id) {
    return eniNamed(id).copy();
  }

  private Eip eipNamed(String id) {
    Eip e = eips.get(id);
    if (e == null) {
      throw new IllegalArgumentException("no Elastic IP " + id);
    }
    return e;
  }

  private Eni eniNamed(String id) {
    Eni n = enis.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no network interface " + id);
    }
    return n;
  }

  /** Associates an Elastic IP directly, as another party would. */
  synchronized void associate(String allocationId, String eniId) {
    Eip e = eipNamed(allocationId);
    Eni n = eniNamed(eniId);
    e.associationId = "eipassoc-" + nextId();
    e.eni = n.id;
    e.instance = n.instance;
    e.privateIp = n.primaryIp;
  }

  /** Sets a tag directly, as another party would. */
  synchronized void tag(String resource, String key, String value) {
    (eips.containsKey(resource) ? eipNamed(resource).tags : eniNamed(resource).tags)
        .put(key, value);
  }

  /** Assigns a secondary address directly, as another party would. */
  synchronized void assign(String eniId, String ip) {
    for (Eni n : enis.values()) {
      n.secondary.remove(ip);
    }
    eniNamed(eniId).secondary.add(ip);
  }

  // ---- behaviour ---------------------------------------------------------------------------

  /** Each answer takes a uniformly random time in [min, max], drawn from {@code seed}. */
  synchronized FakeEc2 latency(Duration min, Duration max, long seed) {
    this.minLatency = min;
    this.maxLatency = max;
    this.random = new Random(seed);
    return this;
  }

  /** Calls of {@code action} take a uniformly random time in [min, max] instead. */
  synchronized FakeEc2 latency(String action, Duration min, Duration max) {
    actionLatency.put(action, new Duration[] {min, max});
    return this;
  }

  /**
   * After each write, the next {@code reads} describe calls still show the state before it; a
   * window of stale reads under way ends (the writes so far have become visible).
   */
  synchronized FakeEc2 staleReads(int reads) {
    this.staleReadsAfterWrite = reads;
    this.staleLeft = 0;
    return this;
  }

  /** The next {@code count} calls answer RequestLimitExceeded with HTTP {@code status}. */
  synchronized FakeEc2 throttle(int count, int status, @Nullable Integer retryAfterSeconds) {
    this.throttleLeft = count;
    this.throttleStatus = status;
    this.retryAfterSeconds = retryAfterSeconds;
    return this;
  }

  /** The next {@code count} calls of {@code action} (any, if null) never answer. */
  synchronized FakeEc2 hang(int count, @Nullable String action) {
    return hang(count, action, false);
  }

  /**
   * The next {@code count} calls of {@code action} (any, if null) never answer; with {@code
   * applies}, EC2 carries each out all the same, as a real provider may after a client gave up.
   */
  synchronized FakeEc2 hang(int count, @Nullable String action, boolean applies) {
    this.hangLeft = count;
    this.hangAction = action;
    this.hangApplies = applies;
    return this;
  }

  /** Every call answers AuthFailure (401). */
  synchronized FakeEc2 rejectCredentials() {
    this.rejectCredentials = true;
    return this;
  }

  /** Every call answers SignatureDoesNotMatch (403), quoting the credential as AWS does. */
  synchronized FakeEc2 signatureMismatch() {
    this.signatureMismatch = true;
    return this;
  }

  /** Calls of {@code action} answer UnauthorizedOperation (403). */
  synchronized FakeEc2 deny(String action) {
    this.deniedAction = action;
    return this;
  }

  /** Once, right after the next {@code action} is applied, {@code rival} changes the state. */
  synchronized FakeEc2 after(String action, Consumer<FakeEc2> rival) {
    this.rivalAfter = action;
    this.rival = rival;
    return this;
  }

  /** DescribeNetworkInterfaces answers at most {@code size} interfaces a page. */
  synchronized FakeEc2 pageSize(int size) {
    this.pageSize = size;
    return this;
  }

  /** How many calls of {@code action} arrived (throttled and failed ones too). */
  int calls(String action) {
    AtomicInteger n = calls.get(action);
    return n == null ? 0 : n.get();
  }

  /** How many calls arrived in all. */
  int calls() {
    synchronized (calls) {
      return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }
  }

  /** Every request so far, as action and decoded parameters. */
  List<String> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  void resetCounts() {
    calls.clear();
    log.clear();
  }

  @Override
  public void close() throws IOException {
    closing.countDown();
    server.close();
  }

  // ---- the endpoint ------------------------------------------------------------------------

  private MockResponse answer(RecordedRequest request) throws InterruptedException {
    Map<String, String> p = form(request);
    String action = p.getOrDefault("Action", "");
    calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
    log.add(action + " " + new TreeMap<>(p));
    long latency;
    boolean hang;
    synchronized (this) {
      Duration[] range = actionLatency.getOrDefault(action,
          new Duration[] {minLatency, maxLatency});
      latency = range[0].toNanos() + (range[1].compareTo(range[0]) > 0
          ? (long) (random.nextDouble() * (range[1].toNanos() - range[0].toNanos())) : 0);
      hang = hangLeft > 0 && (hangAction == null || hangAction.equals(action));
      if (hang) {
        hangLeft--;
      }
    }
    if (hang) {
      if (hangApplies) {
        try {
          handle(action, p, request.getHeaders().get("Authorization"));
        } catch (Ec2Error ignored) {
          // never answered anyway
        }
      }
      closing.await(60, TimeUnit.SECONDS);
      return xml(500, "<Response/>");
    }
    sleepNanos(latency / 2);
    MockResponse r;
    try {
      String body = handle(action, p, request.getHeaders().get("Authorization"));
      r = xml(200, "<" + action + "Response xmlns=\"" + NS + "\"><requestId>"
          + requestId() + "</requestId>" + body + "</" + action + "Response>");
    } catch (Ec2Error e) {
      MockResponse.Builder b = new MockResponse.Builder().code(e.status)
          .addHeader("Content-Type", "text/xml;charset=UTF-8")
          .body("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"
              + esc(e.code) + "</Code><Message>" + esc(String.valueOf(e.getMessage()))
              + "</Message></Error></Errors><RequestID>" + requestId()
              + "</RequestID></Response>");
      Integer after = retryAfterOf(e);
      if (after != null) {
        b.addHeader("Retry-After", after);
      }
      r = b.build();
    }
    sleepNanos(latency - latency / 2);
    return r;
  }

  private synchronized @Nullable Integer retryAfterOf(Ec2Error e) {
    return e.code.equals("RequestLimitExceeded") ? retryAfterSeconds : null;
  }

  private static void sleepNanos(long nanos) throws InterruptedException {
    if (nanos > 0) {
      TimeUnit.NANOSECONDS.sleep(nanos);
    }
  }

  private synchronized String handle(String action, Map<String, String> p,
      @Nullable String authorization) {
    checkAuth(authorization);
    if (throttleLeft > 0) {
      throttleLeft--;
      throw new Ec2Error(throttleStatus, "RequestLimitExceeded", "Request limit exceeded.");
    }
    if (action.equals(deniedAction)) {
      throw new Ec2Error(403, "UnauthorizedOperation", "You are not authorized to perform this "
          + "operation. Encoded authorization failure message: 4Gd0bM0nOnsEnsE");
    }
    switch (action) {
      case "DescribeAddresses":
        return describeAddresses(p);
      case "DescribeNetworkInterfaces":
        return describeNetworkInterfaces(p);
      case "AssociateAddress":
        return write(action, () -> associateAddress(p));
      case "DisassociateAddress":
        return write(action, () -> disassociateAddress(p));
      case "CreateTags":
        return write(action, () -> createTags(p));
      case "AssignPrivateIpAddresses":
        return write(action, () -> assignPrivateIpAddresses(p));
      case "UnassignPrivateIpAddresses":
        return write(action, () -> unassignPrivateIpAddresses(p));
      default:
        throw new Ec2Error(400, "InvalidAction", "The action " + action + " is not valid for "
            + "this web service.");
    }
  }

  private void checkAuth(@Nullable String authorization) {
    if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 Credential=")) {
      throw new Ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access "
          + "credentials");
    }
    String credential = authorization.substring("AWS4-HMAC-SHA256 Credential=".length(),
        authorization.indexOf(','));
    String[] scope = credential.split("/");
    if (scope.length != 5 || !scope[3].equals("ec2") || !scope[4].equals("aws4_request")) {
      throw new Ec2Error(401, "AuthFailure", "Credential should be scoped to a valid service.");
    }
    if (rejectCredentials) {
      throw new Ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access "
          + "credentials");
    }
    if (signatureMismatch) {
      throw new Ec2Error(403, "SignatureDoesNotMatch", "The request signature we calculated "
          + "does not match the signature you provided. The canonical string for this request "
          + "should have been 'POST / ... Credential=" + credential + "'");
    }
  }

  private interface Write {
    String run();
  }

  /** Runs a write; the next describes show the state before it, if stale reads are on. */
  private String write(String action, Write w) {
    if (staleReadsAfterWrite > 0 && staleLeft == 0) {
      staleEips = copyEips();
      staleEnis = copyEnis();
    }
    String out = w.run();
    if (staleReadsAfterWrite > 0) {
      staleLeft = staleReadsAfterWrite;
    }
    rival(action);
    return out;
  }

  private void rival(String action) {
    Consumer<FakeEc2> r = rival;
    if (r != null && action.equals(rivalAfter)) {
      rival = null;
      r.accept(this);
    }
  }

  private Map<String, Eip> copyEips() {
    Map<String, Eip> c = new LinkedHashMap<>();
    eips.forEach((k, v) -> c.put(k, v.copy()));
    return c;
  }

  private Map<String, Eni> copyEnis() {
    Map<String, Eni> c = new LinkedHashMap<>();
    enis.forEach((k, v) -> c.put(k, v.copy()));
    return c;
  }

  /** The state a describe sees: the one before the last write while stale reads last. */
  private boolean stale() {
    if (staleLeft > 0) {
      staleLeft--;
      return true;
    }
    return false;
  }

  private String describeAddresses(Map<String, String> p) {
    Map<String, Eip> view = stale() && staleEips != null ? staleEips : eips;
    List<String> allocations = list(p, "AllocationId");
    List<String> publicIps = list(p, "PublicIp");
    StringBuilder sb = new StringBuilder("<addressesSet>");
    for (String a : allocations) {
      Eip e = view.get(a);
      if (e == null) {
        throw notFound("InvalidAllocationID.NotFound", "allocation", a);
      }
      address(sb, e);
    }
    for (String ip : publicIps) {
      Eip e = view.values().stream().filter(x -> x.publicIp.equals(ip)).findFirst()
          .orElseThrow(() -> new Ec2Error(400, "InvalidAddress.NotFound", "Address '" + ip
              + "' not found."));
      address(sb, e);
    }
    if (allocations.isEmpty() && publicIps.isEmpty()) {
      view.values().forEach(e -> address(sb, e));
    }
    return sb.append("</addressesSet>").toString();
  }

  private static void address(StringBuilder sb, Eip e) {
    sb.append("<item>").append(el("publicIp", e.publicIp))
        .append(el("allocationId", e.allocationId)).append(el("domain", "vpc"));
    if (e.associationId != null) {
      sb.append(el("associationId", e.associationId))
          .append(el("networkInterfaceId", e.eni))
          .append(el("networkInterfaceOwnerId", "111122223333"))
          .append(el("privateIpAddress", e.privateIp));
      if (e.instance != null) {
        sb.append(el("instanceId", e.instance));
      }
    }
    tagSet(sb, e.tags);
    sb.append("</item>");
  }

  private String describeNetworkInterfaces(Map<String, String> p) {
    Map<String, Eni> view = stale() && staleEnis != null ? staleEnis : enis;
    List<String> ids = list(p, "NetworkInterfaceId");
    List<Eni> match = new ArrayList<>();
    for (String id : ids) {
      Eni n = view.get(id);
      if (n == null) {
        throw notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", id);
      }
      match.add(n);
    }
    if (ids.isEmpty()) {
      match.addAll(view.values());
    }
    for (int f = 1; p.containsKey("Filter." + f + ".Name"); f++) {
      String name = required(p, "Filter." + f + ".Name");
      List<String> values = list(p, "Filter." + f + ".Value");
      match.removeIf(n -> !values.stream().anyMatch(v -> filter(n, name, v)));
    }
    int from = p.containsKey("NextToken") ? Integer.parseInt(p.get("NextToken")) : 0;
    int to = (int) Math.min(match.size(), (long) from + pageSize);
    StringBuilder sb = new StringBuilder("<networkInterfaceSet>");
    for (Eni n : match.subList(from, to)) {
      sb.append("<item>").append(el("networkInterfaceId", n.id))
          .append(el("subnetId", n.subnet)).append(el("vpcId", "vpc-0a1b2c3d"))
          .append(el("status", "in-use")).append(el("privateIpAddress", n.primaryIp));
      if (n.instance != null) {
        sb.append("<attachment>").append(el("instanceId", n.instance))
            .append(el("deviceIndex", "0")).append(el("status", "attached"))
            .append("</attachment>");
      }
      sb.append("<privateIpAddressesSet><item>").append(el("privateIpAddress", n.primaryIp))
          .append(el("primary", "true")).append("</item>");
      for (String ip : n.secondary) {
        sb.append("<item>").append(el("privateIpAddress", ip)).append(el("primary", "false"))
            .append("</item>");
      }
      sb.append("</privateIpAddressesSet>");
      tagSet(sb, n.tags);
      sb.append("</item>");
    }
    sb.append("</networkInterfaceSet>");
    if (to < match.size()) {
      sb.append(el("nextToken", Integer.toString(to)));
    }
    return sb.toString();
  }

  private static boolean filter(Eni n, String name, String value) {
    switch (name) {
      case "tag-key":
        return n.tags.containsKey(value);
      case "subnet-id":
        return n.subnet.equals(value);
      case "addresses.private-ip-address":
        return n.has(value);
      case "network-interface-id":
        return n.id.equals(value);
      default:
        throw new Ec2Error(400, "InvalidParameterValue", "The filter '" + name
            + "' is invalid");
    }
  }

  private String associateAddress(Map<String, String> p) {
    String allocation = required(p, "AllocationId");
    Eip e = eips.get(allocation);
    if (e == null) {
      throw notFound("InvalidAllocationID.NotFound", "allocation", allocation);
    }
    String eniId = p.get("NetworkInterfaceId");
    String instance = p.get("InstanceId");
    if ((eniId == null) == (instance == null)) {
      throw new Ec2Error(400, "InvalidParameterCombination", "Either an instance ID or a "
          + "network interface ID must be specified, not both");
    }
    Eni n = eniId != null ? enis.get(eniId) : enis.values().stream()
        .filter(x -> instance.equals(x.instance)).findFirst().orElse(null);
    if (n == null) {
      throw eniId != null
          ? notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", eniId)
          : notFound("InvalidInstanceID.NotFound", "instance", String.valueOf(instance));
    }
    String ip = p.getOrDefault("PrivateIpAddress", n.primaryIp);
    if (!n.has(ip)) {
      throw new Ec2Error(400, "InvalidParameterValue", "The specified private IP address "
          + ip + " is not assigned to interface " + n.id);
    }
    if (e.associationId != null && !"true".equals(p.get("AllowReassociation"))) {
      throw new Ec2Error(400, "Resource.AlreadyAssociated", "resource " + allocation
          + " is already associated with associate-id " + e.associationId);
    }
    e.associationId = "eipassoc-" + nextId();
    e.eni = n.id;
    e.instance = n.instance;
    e.privateIp = ip;
    return el("return", "true") + el("associationId", e.associationId);
  }

  private String disassociateAddress(Map<String, String> p) {
    String association = required(p, "AssociationId");
    Eip e = eips.values().stream().filter(x -> association.equals(x.associationId)).findFirst()
        .orElseThrow(() -> new Ec2Error(400, "InvalidAssociationID.NotFound", "The association "
            + "ID '" + association + "' does not exist"));
    e.associationId = null;
    e.eni = null;
    e.instance = null;
    e.privateIp = null;
    return el("return", "true");
  }

  private String createTags(Map<String, String> p) {
    List<String> resources = list(p, "ResourceId");
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 1; p.containsKey("Tag." + i + ".Key"); i++) {
      String key = required(p, "Tag." + i + ".Key");
      if (key.startsWith("aws:") || key.length() > 128) {
        throw new Ec2Error(400, "InvalidParameterValue", "Tag key '" + key + "' is invalid");
      }
      tags.put(key, p.getOrDefault("Tag." + i + ".Value", ""));
    }
    if (resources.isEmpty() || tags.isEmpty()) {
      throw new Ec2Error(400, "MissingParameter", "CreateTags needs a resource and a tag");
    }
    for (String r : resources) {
      if (!eips.containsKey(r) && !enis.containsKey(r)) {
        throw new Ec2Error(400, "InvalidID", "The ID '" + r + "' is not valid");
      }
    }
    for (String r : resources) {
      (eips.containsKey(r) ? eipNamed(r).tags : eniNamed(r).tags).putAll(tags);
    }
    return el("return", "true");
  }

  private String assignPrivateIpAddresses(Map<String, String> p) {
    Eni n = eniOf(p);
    List<String> ips = list(p, "PrivateIpAddress");
    boolean reassign = "true".equals(p.get("AllowReassignment"));
    for (String ip : ips) {
      for (Eni other : enis.values()) {
        if (other != n && other.has(ip) && (!reassign || other.primaryIp.equals(ip))) {
          throw new Ec2Error(400, "PrivateIpAddressInUse", "The specified address " + ip
              + " is already in use");
        }
      }
    }
    StringBuilder sb = new StringBuilder(el("networkInterfaceId", n.id))
        .append("<assignedPrivateIpAddressesSet>");
    for (String ip : ips) {
      for (Eni other : enis.values()) {
        other.secondary.remove(ip);
      }
      n.secondary.add(ip);
      sb.append("<item>").append(el("privateIpAddress", ip)).append("</item>");
    }
    return sb.append("</assignedPrivateIpAddressesSet>").append(el("return", "true"))
        .toString();
  }

  private String unassignPrivateIpAddresses(Map<String, String> p) {
    Eni n = eniOf(p);
    List<String> ips = list(p, "PrivateIpAddress");
    for (String ip : ips) {
      if (!n.secondary.contains(ip)) {
        throw new Ec2Error(400, "InvalidParameterValue", "Some of the specified addresses are "
            + "not assigned to interface " + n.id);
      }
    }
    n.secondary.removeAll(ips);
    return el("return", "true");
  }

  private Eni eniOf(Map<String, String> p) {
    String id = required(p, "NetworkInterfaceId");
    Eni n = enis.get(id);
    if (n == null) {
      throw notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", id);
    }
    return n;
  }

  // ---- helpers -----------------------------------------------------------------------------

  private String nextId() {
    return String.format("%017x", ids.incrementAndGet());
  }

  private String requestId() {
    return "5f1f4e2c-0000-4000-8000-" + String.format("%012x", ids.incrementAndGet());
  }

  private static Ec2Error notFound(String code, String what, String id) {
    return new Ec2Error(400, code, "The " + what + " ID '" + id + "' does not exist");
  }

  private static String required(Map<String, String> p, String name) {
    String v = p.get(name);
    if (v == null) {
      throw new Ec2Error(400, "MissingParameter", "The request must contain the parameter "
          + name);
    }
    return v;
  }

  private static List<String> list(Map<String, String> p, String prefix) {
    List<String> out = new ArrayList<>();
    for (int i = 1; p.containsKey(prefix + "." + i); i++) {
      out.add(p.get(prefix + "." + i));
    }
    return out;
  }

  private static Map<String, String> form(RecordedRequest request) {
    Map<String, String> p = new HashMap<>();
    String body = request.getBody() == null ? "" : request.getBody().utf8();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        p.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return p;
  }

  private static void tagSet(StringBuilder sb, Map<String, String> tags) {
    sb.append("<tagSet>");
    tags.forEach((k, v) -> sb.append("<item>").append(el("key", k)).append(el("value", v))
        .append("</item>"));
    sb.append("</tagSet>");
  }

  private static String el(String name, @Nullable String value) {
    return "<" + name + ">" + esc(String.valueOf(value)) + "</" + name + ">";
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static MockResponse xml(int code, String body) {
    return new MockResponse.Builder().code(code)
        .addHeader("Content-Type", "text/xml;charset=UTF-8")
        .body("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body)
        .build();
  }
}
