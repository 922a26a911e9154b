package io.vipha.mover.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipha.spi.MoverResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keystone v3 tokens: {@code POST /v3/auth/tokens}, the token from {@code X-Subject-Token}, the
 * Neutron endpoint from the catalog (type {@code network}, the credentials' interface and region).
 * A token is reused until a minute before it expires or until Neutron refuses it.
 */
final class Keystone {
  private static final Logger LOG = LoggerFactory.getLogger(Keystone.class);
  private static final Duration EARLY = Duration.ofMinutes(1);

  /** A token and the endpoint it is for. The token is a secret: never log it. */
  record Session(String token, URI neutron, Instant expiresAt) {
    @Override
    public String toString() {
      return "Session[neutron=" + neutron + ", expiresAt=" + expiresAt + "]";
    }
  }

  private final Http http;
  private final CloudCredentials credentials;
  private final @Nullable URI neutronOverride;
  private final ObjectMapper json = new ObjectMapper();
  private @Nullable Session session;

  Keystone(Http http, CloudCredentials credentials, @Nullable URI neutronOverride) {
    this.http = http;
    this.credentials = credentials;
    this.neutronOverride = neutronOverride;
  }

  /** The current session, or a new one when there is none or it is about to expire. */
  synchronized Session session(Deadline deadline) throws Refusal {
    Session s = session;
    if (s != null && http.clock().instant().isBefore(s.expiresAt().minus(EARLY))) {
      return s;
    }
    s = authenticate(deadline);
    session = s;
    return s;
  }

  /** Forgets {@code s} (Neutron answered 401 to it), so that the next call authenticates. */
  synchronized void invalidate(Session s) {
    if (session == s) {
      session = null;
    }
  }

  private Session authenticate(Deadline deadline) throws Refusal {
    String what = "POST " + credentials.tokensUrl() + " as " + credentials;
    byte[] body;
    try {
      body = json.writeValueAsBytes(credentials.authRequest());
    } catch (IOException e) {
      throw new Refusal(MoverResult.failed("cannot write the Keystone request: "
          + e.getClass().getSimpleName()));
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(credentials.tokensUrl())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<byte[]> response = http.send(request, deadline, what);
    int status = response.statusCode();
    if (status == 429 || status == 503) {
      throw http.throttled(response, what);
    }
    if (status == 401) {
      throw new Refusal(MoverResult.failed("Keystone refused the credentials of " + credentials
          + " (401); check them"));
    }
    if (status != 201 && status != 200) {
      throw new Refusal(MoverResult.failed("Keystone answered " + status + " to " + what
          + Neutron.errorMessage(json, response.body())));
    }
    String token = response.headers().firstValue("X-Subject-Token").orElse(null);
    if (token == null || token.isBlank()) {
      throw new Refusal(MoverResult.failed("Keystone's answer has no X-Subject-Token"));
    }
    JsonNode tree;
    try {
      tree = json.readTree(response.body()).path("token");
    } catch (IOException e) {
      throw new Refusal(MoverResult.failed("Keystone's answer is not JSON"));
    }
    Instant expires;
    try {
      expires = Instant.parse(tree.path("expires_at").asText(""));
    } catch (DateTimeParseException e) {
      expires = http.clock().instant().plus(Duration.ofHours(1));
    }
    URI neutron = neutronOverride != null ? neutronOverride : endpoint(tree.path("catalog"));
    LOG.debug("Keystone token for {} until {}", credentials, expires);
    return new Session(token, versioned(neutron), expires);
  }

  private URI endpoint(JsonNode catalog) throws Refusal {
    List<String> regions = new ArrayList<>();
    URI found = null;
    for (JsonNode service : catalog) {
      if (!service.path("type").asText("").equals("network")) {
        continue;
      }
      for (JsonNode e : service.path("endpoints")) {
        if (!e.path("interface").asText("").equals(credentials.interfaceName)) {
          continue;
        }
        String region = e.path("region_id").asText(e.path("region").asText(""));
        regions.add(region);
        if (credentials.region == null || credentials.region.equals(region)
            || credentials.region.equals(e.path("region").asText(""))) {
          URI u = Settings.parseEndpoint(e.path("url").asText(""));
          if (u != null && found == null) {
            found = u;
          }
        }
      }
    }
    if (found == null) {
      throw new Refusal(MoverResult.failed("the Keystone catalog has no " + credentials
          .interfaceName + " network endpoint" + (credentials.region == null ? ""
          : " in region " + credentials.region) + "; regions with one: " + regions));
    }
    if (credentials.region == null && regions.size() > 1) {
      throw new Refusal(MoverResult.failed("the Keystone catalog has network endpoints in "
          + regions + "; set region (or OS_REGION_NAME, region_name) to pick one"));
    }
    return found;
  }

  /** {@code url} ending in {@code /v2.0}, as Neutron's catalog entries mostly lack it. */
  static URI versioned(URI url) {
    String base = url.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base.endsWith("/v2.0") ? base : base + "/v2.0");
  }
}
