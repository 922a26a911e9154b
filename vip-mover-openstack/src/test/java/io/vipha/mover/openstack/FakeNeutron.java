package io.vipha.mover.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.jspecify.annotations.Nullable;

/**
 * A fake of the Neutron v2.0 calls the movers use (a test double, no real Neutron): {@code GET} and
 * {@code PUT} of {@code /v2.0/floatingips/ID} and {@code /v2.0/ports/ID}, {@code PUT .../tags}.
 * Stateful like Neutron: each write raises the resource's {@code revision_number}, and a write
 * whose {@code If-Match: revision_number=N} is not the current revision gets 412. It checks the
 * token against {@link FakeKeystone} (401), and can be told to misbehave: reads that lag writes
 * (eventual consistency), 429/503 with {@code Retry-After}, latency, requests that never answer,
 * another writer that gets in first.
 */
final class FakeNeutron extends Dispatcher {
  /** One answered request. */
  record Call(String method, String path, int status, long atNanos) {}

  private static final class Resource {
    ObjectNode current;
    @Nullable ObjectNode lagging;
    int lagLeft;
    final Deque<Consumer<ObjectNode>> interference = new ArrayDeque<>();

    Resource(ObjectNode current) {
      this.current = current;
    }
  }

  private final ObjectMapper json = new ObjectMapper();
  private final FakeKeystone keystone;
  private final Map<String, Resource> resources = new HashMap<>();
  private record Fault(String method, MockResponse response) {}

  private final List<Fault> faults = new ArrayList<>();
  private final List<Call> calls = new ArrayList<>();
  private int staleReads;
  private Duration latency = Duration.ZERO;

  FakeNeutron(FakeKeystone keystone) {
    this.keystone = keystone;
  }

  synchronized FakeNeutron port(String id, String fixedIp, String mac) {
    ObjectNode p = json.createObjectNode();
    p.put("id", id).put("revision_number", 1).put("mac_address", mac);
    p.putArray("fixed_ips").addObject().put("ip_address", fixedIp);
    p.putArray("allowed_address_pairs");
    p.putArray("tags");
    resources.put("ports/" + id, new Resource(p));
    return this;
  }

  synchronized FakeNeutron floatingIp(String id, String address, @Nullable String portId) {
    ObjectNode f = json.createObjectNode();
    f.put("id", id).put("floating_ip_address", address).put("revision_number", 1);
    if (portId == null) {
      f.putNull("port_id").putNull("fixed_ip_address");
    } else {
      f.put("port_id", portId).put("fixed_ip_address", firstFixedIp(portId));
    }
    f.putArray("tags");
    resources.put("floatingips/" + id, new Resource(f));
    return this;
  }

  /** After each write, the next {@code n} reads of that resource show it as before the write. */
  synchronized FakeNeutron staleReads(int n) {
    staleReads = n;
    return this;
  }

  /** Every answer waits {@code d} before its headers. */
  synchronized FakeNeutron latency(Duration d) {
    latency = d;
    return this;
  }

  /** The next {@code n} requests get {@code code} with {@code Retry-After: retryAfter}. */
  synchronized FakeNeutron throttle(int n, int code, String retryAfter) {
    for (int i = 0; i < n; i++) {
      faults.add(new Fault("", new MockResponse.Builder().code(code)
          .addHeader("Retry-After", retryAfter)
          .body("{\"NeutronError\":{\"type\":\"OverLimit\",\"message\":\"Rate limit\"}}")
          .build()));
    }
    return this;
  }

  /** The next {@code n} requests never get an answer. */
  synchronized FakeNeutron hang(int n) {
    for (int i = 0; i < n; i++) {
      faults.add(new Fault("",
          new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build()));
    }
    return this;
  }

  /** The next request gets {@code code} with a NeutronError carrying {@code message}. */
  synchronized FakeNeutron fail(int code, String type, String message) {
    return fail("", code, type, message);
  }

  /** The next {@code method} request ("" for any) gets {@code code} with a NeutronError. */
  synchronized FakeNeutron fail(String method, int code, String type, String message) {
    faults.add(new Fault(method, error(code, type, message)));
    return this;
  }

  /**
   * Just before the next write to {@code resource} ("ports/ID") that has none armed yet, another
   * writer does {@code w}; call it twice for two writes in a row.
   */
  synchronized FakeNeutron interfere(String resource, Consumer<ObjectNode> w) {
    resource(resource).interference.add(w);
    return this;
  }

  /** The resource as Neutron holds it now (a copy). */
  synchronized ObjectNode state(String resource) {
    return resource(resource).current.deepCopy();
  }

  /** Changes a resource as another client would (its revision goes up). */
  synchronized void write(String resource, Consumer<ObjectNode> w) {
    Resource r = resource(resource);
    w.accept(r.current);
    bump(r.current);
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  synchronized void clearCalls() {
    calls.clear();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    String method = request.getMethod();
    MockResponse response = answer(request, method, path);
    synchronized (this) {
      calls.add(new Call(method, path, response.getCode(), System.nanoTime()));
      if (latency.isZero()) {
        return response;
      }
      return response.newBuilder().headersDelay(latency.toNanos(), TimeUnit.NANOSECONDS).build();
    }
  }

  private synchronized MockResponse answer(RecordedRequest request, String method, String path) {
    for (int i = 0; i < faults.size(); i++) {
      Fault f = faults.get(i);
      if (f.method().isEmpty() || f.method().equals(method)) {
        faults.remove(i);
        return f.response();
      }
    }
    String token = request.getHeaders().get("X-Auth-Token");
    if (token == null || !keystone.valid(token)) {
      return new MockResponse.Builder().code(401).body("Authentication required").build();
    }
    if (!path.startsWith("/v2.0/")) {
      return error(404, "HTTPNotFound", "The resource could not be found.");
    }
    String[] parts = path.substring("/v2.0/".length()).split("/");
    if (parts.length < 2 || !(parts[0].equals("ports") || parts[0].equals("floatingips"))) {
      return error(404, "HTTPNotFound", "The resource could not be found.");
    }
    String key = parts[0] + "/" + parts[1];
    Resource r = resources.get(key);
    String kind = parts[0].equals("ports") ? "port" : "floatingip";
    if (r == null) {
      return error(404, kind.equals("port") ? "PortNotFound" : "FloatingIPNotFound",
          kind + " " + parts[1] + " could not be found.");
    }
    if (method.equals("GET") && parts.length == 2) {
      ObjectNode shown = r.current;
      ObjectNode lagging = r.lagging;
      if (r.lagLeft > 0 && lagging != null) {
        r.lagLeft--;
        shown = lagging;
      }
      ObjectNode out = json.createObjectNode();
      out.set(kind, shown.deepCopy());
      return ok(out);
    }
    if (!method.equals("PUT") || parts.length > 3 || (parts.length == 3
        && !parts[2].equals("tags"))) {
      return error(405, "HTTPMethodNotAllowed", method + " is not allowed on " + path);
    }
    Consumer<ObjectNode> w = r.interference.poll();
    if (w != null) {
      w.accept(r.current);
      bump(r.current);
    }
    String ifMatch = request.getHeaders().get("If-Match");
    if (ifMatch != null && !ifMatch.equals("revision_number="
        + r.current.path("revision_number").asLong())) {
      return error(412, "PreconditionFailed", "Constraints not met.");
    }
    JsonNode body;
    try {
      body = json.readTree(request.getBody() == null ? new byte[0]
          : request.getBody().toByteArray());
    } catch (IOException e) {
      return error(400, "HTTPBadRequest", "Malformed JSON");
    }
    ObjectNode before = r.current.deepCopy();
    ObjectNode out = json.createObjectNode();
    if (parts.length == 3) {
      JsonNode tags = body.path("tags");
      if (!tags.isArray()) {
        return error(400, "HTTPBadRequest", "Invalid tags body");
      }
      for (JsonNode t : tags) {
        String s = t.asText("");
        if (s.isEmpty() || s.length() > 60 || s.contains(",") || s.contains("/")) {
          return error(400, "InvalidInput", "Invalid input for tags: '" + s + "'");
        }
      }
      r.current.set("tags", tags.deepCopy());
      out.set("tags", tags.deepCopy());
    } else if (kind.equals("floatingip")) {
      JsonNode change = body.path("floatingip");
      JsonNode port = change.path("port_id");
      if (port.isTextual()) {
        Resource p = resources.get("ports/" + port.asText());
        if (p == null) {
          return error(404, "PortNotFound", "Port " + port.asText() + " could not be found.");
        }
        r.current.put("port_id", port.asText());
        r.current.put("fixed_ip_address", change.hasNonNull("fixed_ip_address")
            ? change.get("fixed_ip_address").asText() : firstFixedIp(port.asText()));
      } else {
        r.current.putNull("port_id").putNull("fixed_ip_address");
      }
      out.set(kind, r.current);
    } else {
      JsonNode pairs = body.path("port").path("allowed_address_pairs");
      if (!pairs.isArray()) {
        return error(400, "HTTPBadRequest", "Only allowed_address_pairs may change here");
      }
      ArrayNode stored = json.createArrayNode();
      for (JsonNode pair : pairs) {
        stored.addObject().put("ip_address", pair.path("ip_address").asText())
            .put("mac_address", pair.path("mac_address").asText(
                r.current.path("mac_address").asText()));
      }
      r.current.set("allowed_address_pairs", stored);
      out.set(kind, r.current);
    }
    bump(r.current);
    if (staleReads > 0) {
      if (r.lagLeft == 0) {
        r.lagging = before;
      }
      r.lagLeft = staleReads;
    }
    return ok(out.deepCopy());
  }

  private Resource resource(String key) {
    Resource r = resources.get(key);
    if (r == null) {
      throw new IllegalArgumentException("no resource " + key);
    }
    return r;
  }

  private @Nullable String firstFixedIp(String portId) {
    Resource p = resources.get("ports/" + portId);
    return p == null ? null : p.current.path("fixed_ips").path(0).path("ip_address").asText();
  }

  private static void bump(ObjectNode resource) {
    resource.put("revision_number", resource.path("revision_number").asLong() + 1);
  }

  private static MockResponse ok(JsonNode body) {
    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body(body.toString()).build();
  }

  private MockResponse error(int code, String type, String message) {
    ObjectNode out = json.createObjectNode();
    out.putObject("NeutronError").put("type", type).put("message", message).put("detail", "");
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
        .body(out.toString()).build();
  }
}
