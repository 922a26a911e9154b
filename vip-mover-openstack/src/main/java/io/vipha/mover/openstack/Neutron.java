package io.vipha.mover.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipha.spi.MoverResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Neutron v2.0 over HTTP: a read and a conditional write ({@code If-Match:
 * revision_number=N}), with the token from {@link Keystone}. A 401 re-authenticates once; 412 is
 * {@link PreconditionFailed}; every other answer but success is a {@link Refusal}: 429 and 503
 * THROTTLED, 409 CONFLICT, the rest FAILED.
 */
final class Neutron {
  private static final Logger LOG = LoggerFactory.getLogger(Neutron.class);

  private final Http http;
  private final Keystone keystone;
  private final ObjectMapper json = new ObjectMapper();

  Neutron(Http http, Keystone keystone) {
    this.http = http;
    this.keystone = keystone;
  }

  /** {@code GET path} (e.g. {@code /floatingips/ID}); the answer's JSON. */
  JsonNode get(String path, String what, Deadline deadline) throws Refusal {
    try {
      return send("GET", path, null, -1, what, deadline);
    } catch (PreconditionFailed e) {
      throw new Refusal(MoverResult.failed("Neutron answered 412 to a read (" + what + ")"));
    }
  }

  /** {@code PUT path} with {@code body}, conditional on {@code revision}; the answer's JSON. */
  JsonNode put(String path, JsonNode body, long revision, String what, Deadline deadline)
      throws Refusal, PreconditionFailed {
    return send("PUT", path, body, revision, what, deadline);
  }

  private JsonNode send(String method, String path, @Nullable JsonNode body, long revision,
      String what, Deadline deadline) throws Refusal, PreconditionFailed {
    for (int attempt = 0; ; attempt++) {
      Keystone.Session session = keystone.session(deadline);
      URI uri = URI.create(session.neutron() + path);
      HttpRequest.Builder request = HttpRequest.newBuilder(uri)
          .header("X-Auth-Token", session.token())
          .header("Accept", "application/json");
      if (body == null) {
        request.GET();
      } else {
        byte[] bytes;
        try {
          bytes = json.writeValueAsBytes(body);
        } catch (IOException e) {
          throw new Refusal(MoverResult.failed("cannot write the request (" + what + ")"));
        }
        request.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
      }
      if (revision >= 0) {
        request.header("If-Match", "revision_number=" + revision);
      }
      HttpResponse<byte[]> response = http.send(request, deadline, what);
      int status = response.statusCode();
      if (status == 401) {
        keystone.invalidate(session);
        if (attempt == 0) {
          LOG.info("Neutron refused the token ({}); authenticating again", what);
          continue;
        }
        throw new Refusal(MoverResult.failed("Neutron refused a fresh token too (401, " + what
            + "); check the credentials and the project"));
      }
      if (status >= 200 && status < 300) {
        try {
          return response.body().length == 0 ? json.createObjectNode()
              : json.readTree(response.body());
        } catch (IOException e) {
          throw new Refusal(MoverResult.failed("Neutron's answer is not JSON (" + what + ")"));
        }
      }
      String message = errorMessage(json, response.body());
      switch (status) {
        case 412:
          throw new PreconditionFailed(what);
        case 429:
        case 503:
          throw http.throttled(response, "Neutron throttled " + what);
        case 409:
          throw new Refusal(MoverResult.conflict(null, null, "Neutron refused " + what
              + " (409)" + message));
        case 403:
          throw new Refusal(MoverResult.failed("Neutron's policy forbids " + what + " (403)"
              + message + "; see the README for the rules the project's role needs"));
        case 404:
          throw new Refusal(MoverResult.failed("not found: " + what + " (404)" + message));
        default:
          throw new Refusal(MoverResult.failed("Neutron answered " + status + " to " + what
              + message));
      }
    }
  }

  /** {@code ": message"} from a Neutron or Keystone error body, or nothing. */
  static String errorMessage(ObjectMapper json, byte[] body) {
    try {
      JsonNode tree = json.readTree(body);
      if (tree == null) {
        return "";
      }
      JsonNode err = tree.has("NeutronError") ? tree.get("NeutronError") : tree.path("error");
      String m = err.path("message").asText("");
      if (m.isBlank()) {
        return "";
      }
      return ": " + (m.length() > 200 ? m.substring(0, 200) + "..." : m);
    } catch (IOException e) {
      return "";
    }
  }
}
