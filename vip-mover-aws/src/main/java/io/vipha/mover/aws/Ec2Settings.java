package io.vipha.mover.aws;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings of an EC2 mover, checked all at once. Credentials never appear here: they come
 * from the SDK's standard chain, a named profile or a credentials file.
 */
record Ec2Settings(
    Kind kind,
    String region,
    @Nullable URI endpoint,
    @Nullable Path credentialsFile,
    @Nullable String profile,
    @Nullable String allocationId,
    @Nullable String networkInterfaceId,
    @Nullable String instanceId,
    @Nullable String privateIpAddress) {

  /** The two mover types. */
  enum Kind {
    EIP("aws-eip", Set.of("allocationId", "networkInterfaceId", "instanceId",
        "privateIpAddress")),
    SECONDARY_IP("aws-secondary-ip", Set.of("networkInterfaceId"));

    final String type;
    final Set<String> own;

    Kind(String type, Set<String> own) {
      this.type = type;
      this.own = own;
    }
  }

  static final Set<String> COMMON = Set.of("region", "endpoint", "credentialsFile", "profile");

  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
  private static final Pattern ALLOCATION = Pattern.compile("eipalloc-[0-9a-f]{8,17}");
  private static final Pattern ENI = Pattern.compile("eni-[0-9a-f]{8,17}");
  private static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,17}");
  private static final Pattern PROFILE = Pattern.compile("[A-Za-z0-9_.@+-]{1,64}");
  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]"
          + "|1[0-9]{2}|[1-9]?[0-9])){3}");
  /** Names that hold a secret in other tools' configuration; never accepted here. */
  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(accesskey|secret|sessiontoken|password|token).*");

  /** Every problem of {@code settings} for mover {@code kind}; empty when they are usable. */
  static List<Problem> check(Kind kind, Map<String, String> settings) {
    List<Problem> problems = new ArrayList<>();
    Set<String> known = new TreeSet<>(COMMON);
    known.addAll(kind.own);
    for (String key : new TreeSet<>(settings.keySet())) {
      if (SECRET_NAME.matcher(key.toLowerCase(Locale.ROOT).replace("_", "")).matches()) {
        // The value is a secret: never echo it.
        problems.add(new Problem(key, null, "is not accepted: credentials never go in the "
            + "configuration; use the AWS SDK's default chain (environment, instance profile), "
            + "\"profile\" or \"credentialsFile\""));
      } else if (!known.contains(key)) {
        problems.add(new Problem(key, null, "is not a known field of an " + kind.type
            + " mover; allowed here: type, vips, timeout, " + String.join(", ", known)));
      }
    }
    String region = settings.get("region");
    if (region == null) {
      problems.add(new Problem("region", null, "is missing; name the region, e.g. us-east-1"));
    } else if (!REGION.matcher(region).matches()) {
      problems.add(new Problem("region", region, "is not an AWS region name; write e.g. "
          + "us-east-1"));
    }
    String endpoint = settings.get("endpoint");
    String endpointTrouble = endpoint == null ? null : endpointProblem(endpoint);
    if (endpointTrouble != null) {
      problems.add(new Problem("endpoint", endpoint, endpointTrouble));
    }
    String file = settings.get("credentialsFile");
    if (file != null) {
      String trouble = fileProblem(file);
      if (trouble != null) {
        problems.add(new Problem("credentialsFile", file, trouble));
      }
    }
    String profile = settings.get("profile");
    if (profile != null && !PROFILE.matcher(profile).matches()) {
      problems.add(new Problem("profile", profile, "is not a profile name; use 1-64 letters, "
          + "digits or _.@+-"));
    }
    String eni = settings.get("networkInterfaceId");
    if (eni != null && !ENI.matcher(eni).matches()) {
      problems.add(new Problem("networkInterfaceId", eni, "is not a network interface id; "
          + "write e.g. eni-0123456789abcdef0"));
    }
    if (kind == Kind.EIP) {
      checkEip(settings, problems);
    } else if (eni == null) {
      problems.add(new Problem("networkInterfaceId", null, "is missing; name this node's "
          + "network interface that takes the secondary address, e.g. eni-0123456789abcdef0"));
    }
    return problems;
  }

  private static void checkEip(Map<String, String> settings, List<Problem> problems) {
    String allocation = settings.get("allocationId");
    if (allocation != null && !ALLOCATION.matcher(allocation).matches()) {
      problems.add(new Problem("allocationId", allocation, "is not an Elastic IP allocation id; "
          + "write e.g. eipalloc-0123456789abcdef0, or leave it out to use the Elastic IP whose "
          + "public address is the VIP's"));
    }
    String eni = settings.get("networkInterfaceId");
    String instance = settings.get("instanceId");
    if (instance != null && !INSTANCE.matcher(instance).matches()) {
      problems.add(new Problem("instanceId", instance, "is not an instance id; write e.g. "
          + "i-0123456789abcdef0"));
    }
    if (eni == null && instance == null) {
      problems.add(new Problem("networkInterfaceId", null, "is missing; name this node's "
          + "network interface (or its instance with \"instanceId\") that the address is to "
          + "point at"));
    } else if (eni != null && instance != null) {
      problems.add(new Problem("instanceId", instance, "is set together with "
          + "\"networkInterfaceId\"; keep one of the two"));
    }
    String ip = settings.get("privateIpAddress");
    if (ip != null && !IPV4.matcher(ip).matches()) {
      problems.add(new Problem("privateIpAddress", ip, "is not an IPv4 address; write e.g. "
          + "10.0.0.12 (one of the interface's private addresses)"));
    }
  }

  private static @Nullable String endpointProblem(String endpoint) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      return "is not a URL; write e.g. https://ec2.us-east-1.amazonaws.com";
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equals("https") || scheme.equals("http"))
        || uri.getHost() == null) {
      return "is not an http(s) URL with a host; write e.g. https://ec2.us-east-1.amazonaws.com";
    }
    return null;
  }

  private static @Nullable String fileProblem(String file) {
    Path path;
    try {
      path = Paths.get(file);
    } catch (RuntimeException e) {
      return "is not a file path";
    }
    if (!Files.isRegularFile(path)) {
      return "is not a file; name an AWS credentials file (INI, [profile] sections)";
    }
    if (!Files.isReadable(path)) {
      return "is not readable by this process";
    }
    return null;
  }

  /** The settings of mover {@code kind}; throws naming every problem. */
  static Ec2Settings parse(Kind kind, Map<String, String> settings) {
    List<Problem> problems = check(kind, settings);
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    String endpoint = settings.get("endpoint");
    String file = settings.get("credentialsFile");
    return new Ec2Settings(kind, Objects.requireNonNull(settings.get("region"), "region"),
        endpoint == null ? null : URI.create(endpoint),
        file == null ? null : Paths.get(file), settings.get("profile"),
        settings.get("allocationId"), settings.get("networkInterfaceId"),
        settings.get("instanceId"), settings.get("privateIpAddress"));
  }

  /** What the address points at when it is ours: the interface or the instance. */
  String self() {
    String eni = networkInterfaceId;
    return eni != null ? eni : String.valueOf(instanceId);
  }
}
