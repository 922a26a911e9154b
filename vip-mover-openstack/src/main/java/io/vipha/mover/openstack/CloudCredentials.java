package io.vipha.mover.openstack;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Keystone v3 credentials: a password (user and project) or an application credential. They
 * come from the {@code OS_*} environment variables or from an entry of a {@code clouds.yaml}
 * (YAML, or JSON, which is YAML too); never from the mover's settings. {@link #toString()} names
 * the source and the user, never a password, a secret or a token.
 */
final class CloudCredentials {
  /** Where clouds files are looked for, after {@code OS_CLIENT_CONFIG_FILE}. */
  static final List<String> SEARCH = List.of(".config/openstack/clouds.yaml",
      "/etc/openstack/clouds.yaml", ".config/openstack/clouds.json", "/etc/openstack/clouds.json");

  final URI authUrl;
  final @Nullable String region;
  final String interfaceName;
  final String source;
  private final ObjectNode identity;
  private final @Nullable ObjectNode scope;
  private final String who;

  private CloudCredentials(URI authUrl, @Nullable String region, String interfaceName,
      String source, ObjectNode identity, @Nullable ObjectNode scope, String who) {
    this.authUrl = authUrl;
    this.region = region;
    this.interfaceName = interfaceName;
    this.source = source;
    this.identity = identity;
    this.scope = scope;
    this.who = who;
  }

  /** The body of {@code POST /v3/auth/tokens}. Holds the secret: never log it. */
  ObjectNode authRequest() {
    ObjectNode auth = JsonNodeFactory.instance.objectNode();
    ObjectNode inner = auth.putObject("auth");
    inner.set("identity", identity.deepCopy());
    if (scope != null) {
      inner.set("scope", scope.deepCopy());
    }
    return auth;
  }

  /** The token URL: {@code authUrl} with {@code /v3} added when it lacks it. */
  URI tokensUrl() {
    String base = authUrl.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    if (!base.endsWith("/v3")) {
      base = base + "/v3";
    }
    return URI.create(base + "/auth/tokens");
  }

  @Override
  public String toString() {
    return "CloudCredentials[" + who + " at " + authUrl + " from " + source
        + (region == null ? "" : ", region " + region) + "]";
  }

  /**
   * The credentials for {@code settings}: from the clouds file entry named by the {@code cloud}
   * setting or {@code OS_CLOUD} (the file: the {@code cloudsFile} setting, {@code
   * OS_CLIENT_CONFIG_FILE}, then {@link #SEARCH} under {@code home} and {@code /etc}), else from
   * the {@code OS_*} variables. Throws {@link ValidationException} naming every missing or bad
   * item (by name, never by value when it is a secret).
   */
  static CloudCredentials resolve(Settings settings, Map<String, String> env, Path home) {
    String cloud = settings.cloud() != null ? settings.cloud() : blankToNull(env.get("OS_CLOUD"));
    List<Problem> problems = new ArrayList<>();
    CloudCredentials found;
    if (cloud != null || settings.cloudsFile() != null) {
      found = fromFile(settings, cloud, env, home, problems);
    } else {
      found = from(new EnvSource(env), "the OS_* environment variables", settings.region(),
          problems);
    }
    if (found == null || !problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return found;
  }

  private static @Nullable CloudCredentials fromFile(Settings settings, @Nullable String cloud,
      Map<String, String> env, Path home, List<Problem> problems) {
    Path file = settings.cloudsFile();
    if (file == null) {
      String named = blankToNull(env.get("OS_CLIENT_CONFIG_FILE"));
      if (named != null) {
        file = Path.of(named);
      } else {
        for (String candidate : SEARCH) {
          Path p = candidate.startsWith("/") ? Path.of(candidate) : home.resolve(candidate);
          if (Files.isRegularFile(p)) {
            file = p;
            break;
          }
        }
      }
    }
    if (file == null) {
      problems.add(new Problem("cloud", cloud, "names a cloud, but no clouds file was found; "
          + "set cloudsFile or OS_CLIENT_CONFIG_FILE, or put one at ~/"
          + SEARCH.get(0) + " or " + SEARCH.get(1)));
      return null;
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (JsonProcessingException e) {
      // The parser's message may quote the file, secrets included: give the place only.
      JsonLocation at = e.getLocation();
      problems.add(new Problem("cloudsFile", file.toString(), "is not valid YAML or JSON"
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")));
      return null;
    } catch (IOException e) {
      problems.add(new Problem("cloudsFile", file.toString(),
          "cannot be read: " + e.getClass().getSimpleName()));
      return null;
    }
    JsonNode clouds = root == null ? null : root.get("clouds");
    if (clouds == null || !clouds.isObject() || clouds.isEmpty()) {
      problems.add(new Problem("cloudsFile", file.toString(),
          "has no \"clouds\" mapping with an entry; see the README's OpenStack section"));
      return null;
    }
    String name = cloud;
    if (name == null) {
      if (clouds.size() != 1) {
        List<String> names = new ArrayList<>();
        clouds.fieldNames().forEachRemaining(names::add);
        problems.add(new Problem("cloud", null, "is missing and " + file + " holds several "
            + "clouds " + names + "; set cloud or OS_CLOUD to one of them"));
        return null;
      }
      name = clouds.fieldNames().next();
    }
    JsonNode entry = clouds.get(name);
    if (entry == null || !entry.isObject()) {
      List<String> names = new ArrayList<>();
      clouds.fieldNames().forEachRemaining(names::add);
      problems.add(new Problem("cloud", name, "is not in " + file + "; it holds " + names));
      return null;
    }
    String region = settings.region() != null ? settings.region() : text(entry, "region_name");
    return from(new FileSource(entry), "cloud \"" + name + "\" of " + file, region, problems);
  }

  /** The fields of credentials, as the environment or a clouds entry spells them. */
  private interface Source {
    @Nullable String get(String field);

    String name(String field);
  }

  private record EnvSource(Map<String, String> env) implements Source {
    @Override
    public @Nullable String get(String field) {
      return blankToNull(env.get(name(field)));
    }

    @Override
    public String name(String field) {
      return "OS_" + field.toUpperCase(java.util.Locale.ROOT);
    }
  }

  private record FileSource(JsonNode entry) implements Source {
    @Override
    public @Nullable String get(String field) {
      if (field.equals("region_name") || field.equals("interface")) {
        return text(entry, field);
      }
      JsonNode auth = entry.get("auth");
      return auth == null ? null : text(auth, field);
    }

    @Override
    public String name(String field) {
      return field.equals("region_name") || field.equals("interface") ? field : "auth." + field;
    }
  }

  private static @Nullable CloudCredentials from(Source src, String source,
      @Nullable String regionOverride, List<Problem> problems) {
    int before = problems.size();
    String authUrl = src.get("auth_url");
    URI url = null;
    if (authUrl == null) {
      problems.add(new Problem(src.name("auth_url"), null,
          "is missing; give Keystone's URL, e.g. https://keystone.example.net:5000/v3"));
    } else {
      url = Settings.parseEndpoint(authUrl);
      if (url == null) {
        problems.add(new Problem(src.name("auth_url"), authUrl, "is not an http(s) URL"));
      }
    }
    ObjectNode identity = JsonNodeFactory.instance.objectNode();
    ObjectNode scope = null;
    String who;
    String appId = src.get("application_credential_id");
    if (appId != null) {
      String secret = src.get("application_credential_secret");
      if (secret == null) {
        problems.add(new Problem(src.name("application_credential_secret"), null,
            "is missing; an application credential needs its secret"));
      }
      identity.putArray("methods").add("application_credential");
      identity.putObject("application_credential").put("id", appId).put("secret", secret);
      who = "application credential " + appId;
    } else {
      String userName = src.get("username");
      String userId = src.get("user_id");
      String password = src.get("password");
      if (userName == null && userId == null) {
        problems.add(new Problem(src.name("username"), null, "is missing; give " + src.name(
            "username") + " (or " + src.name("user_id") + ") and " + src.name("password")
            + ", or " + src.name("application_credential_id") + " and its secret"));
      }
      if (password == null) {
        problems.add(new Problem(src.name("password"), null, "is missing"));
      }
      identity.putArray("methods").add("password");
      ObjectNode u = identity.putObject("password").putObject("user");
      if (userId != null) {
        u.put("id", userId);
      } else {
        u.put("name", userName);
        domain(u, src.get("user_domain_id"), src.get("user_domain_name"));
      }
      u.put("password", password);
      who = "user " + (userId != null ? userId : userName);
      String projectId = src.get("project_id");
      String projectName = src.get("project_name");
      if (projectId == null && projectName == null) {
        problems.add(new Problem(src.name("project_name"), null, "is missing; give "
            + src.name("project_name") + " or " + src.name("project_id")
            + ": the token must be scoped to the project that owns the ports"));
      }
      scope = JsonNodeFactory.instance.objectNode();
      ObjectNode project = scope.putObject("project");
      if (projectId != null) {
        project.put("id", projectId);
      } else {
        project.put("name", projectName);
        domain(project, src.get("project_domain_id"), src.get("project_domain_name"));
      }
    }
    if (problems.size() > before || url == null) {
      return null;
    }
    String region = regionOverride != null ? regionOverride : src.get("region_name");
    String iface = src.get("interface");
    return new CloudCredentials(url, region, iface == null ? "public" : iface, source, identity,
        scope, who);
  }

  private static void domain(ObjectNode owner, @Nullable String id, @Nullable String name) {
    ObjectNode d = owner.putObject("domain");
    if (id != null) {
      d.put("id", id);
    } else {
      d.put("name", name == null ? "Default" : name);
    }
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? null : blankToNull(v.asText());
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
