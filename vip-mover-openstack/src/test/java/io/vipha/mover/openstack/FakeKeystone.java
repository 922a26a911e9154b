package io.vipha.mover.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A fake of Keystone v3's {@code POST /v3/auth/tokens} (a test double, no real Keystone): it
 * knows users with passwords and application credentials, issues tokens that expire after {@code
 * ttl} on {@code clock}, and answers with a catalog holding one network endpoint.
 */
final class FakeKeystone extends Dispatcher {
  private final ObjectMapper json = new ObjectMapper();
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, String> passwords = new HashMap<>();
  private final Map<String, String> secrets = new HashMap<>();
  private final Map<String, Instant> tokens = new HashMap<>();
  private final List<String> issued = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile String neutronUrl = "http://127.0.0.1:1";
  private volatile String region = "RegionOne";
  private volatile String otherRegion = "";
  private final java.util.Deque<MockResponse> faults = new java.util.ArrayDeque<>();

  FakeKeystone(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  synchronized FakeKeystone user(String name, String password) {
    passwords.put(name, password);
    return this;
  }

  synchronized FakeKeystone applicationCredential(String id, String secret) {
    secrets.put(id, secret);
    return this;
  }

  FakeKeystone catalog(String neutronUrl, String region) {
    this.neutronUrl = neutronUrl;
    this.region = region;
    return this;
  }

  /** The catalog also lists a network endpoint in {@code region}, at an unreachable URL. */
  FakeKeystone alsoRegion(String region) {
    this.otherRegion = region;
    return this;
  }

  /** The next request gets 429 with {@code Retry-After: seconds}. */
  synchronized FakeKeystone throttleNext(int seconds) {
    faults.add(new MockResponse.Builder().code(429).addHeader("Retry-After", seconds).build());
    return this;
  }

  /** Whether Neutron should take {@code token}: issued here, not expired, not revoked. */
  synchronized boolean valid(String token) {
    Instant until = tokens.get(token);
    return until != null && clock.instant().isBefore(until);
  }

  /** Revokes every token issued so far. */
  synchronized void revokeAll() {
    tokens.clear();
  }

  /** Every token issued, in order (secrets: for the tests that look for leaks). */
  synchronized List<String> issued() {
    return List.copyOf(issued);
  }

  int requests() {
    return requests.get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    requests.incrementAndGet();
    synchronized (this) {
      MockResponse fault = faults.poll();
      if (fault != null) {
        return fault;
      }
    }
    if (!"POST".equals(request.getMethod())
        || !request.getUrl().encodedPath().equals("/v3/auth/tokens")) {
      return new MockResponse.Builder().code(404).build();
    }
    JsonNode body;
    try {
      body = json.readTree(request.getBody() == null ? new byte[0]
          : request.getBody().toByteArray());
    } catch (IOException e) {
      return error(400, "Malformed request body");
    }
    JsonNode identity = body.path("auth").path("identity");
    boolean ok;
    synchronized (this) {
      if (identity.path("methods").path(0).asText().equals("application_credential")) {
        JsonNode ac = identity.path("application_credential");
        ok = ac.path("secret").asText().equals(secrets.get(ac.path("id").asText()));
      } else {
        JsonNode user = identity.path("password").path("user");
        ok = user.path("password").asText().equals(passwords.get(user.path("name").asText()))
            && body.path("auth").path("scope").path("project").size() > 0;
      }
    }
    if (!ok) {
      return error(401, "The request you have made requires authentication.");
    }
    String token;
    Instant until = clock.instant().plus(ttl);
    synchronized (this) {
      token = "gAAAAtok" + (issued.size() + 1) + "x" + Long.toHexString(System.nanoTime());
      tokens.put(token, until);
      issued.add(token);
    }
    ObjectNode out = json.createObjectNode();
    ObjectNode t = out.putObject("token");
    t.put("expires_at", until.toString());
    ObjectNode network = t.putArray("catalog").addObject();
    network.put("type", "network").put("name", "neutron");
    var endpoints = network.putArray("endpoints");
    endpoints.addObject().put("interface", "internal").put("region_id", region)
        .put("url", "http://192.0.2.1:9696");
    endpoints.addObject().put("interface", "public").put("region_id", region)
        .put("region", region).put("url", neutronUrl);
    if (!otherRegion.isEmpty()) {
      endpoints.addObject().put("interface", "public").put("region_id", otherRegion)
          .put("url", "http://192.0.2.2:9696");
    }
    return new MockResponse.Builder().code(201).addHeader("X-Subject-Token", token)
        .addHeader("Content-Type", "application/json").body(out.toString()).build();
  }

  private MockResponse error(int code, String message) {
    ObjectNode out = json.createObjectNode();
    out.putObject("error").put("code", code).put("message", message);
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
        .body(out.toString()).build();
  }
}
