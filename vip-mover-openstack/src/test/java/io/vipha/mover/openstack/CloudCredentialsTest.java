package io.vipha.mover.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudCredentialsTest {
  private static final String SECRET = "Xy9-very-secret";

  @TempDir Path home;

  private static Settings settings(Map<String, String> s) {
    Map<String, String> all = new java.util.HashMap<>(s);
    all.put("portId", FakeOpenStack.PORT_A);
    return Settings.parse(Settings.PORT_ADDRESS, all);
  }

  private static List<String> problems(Runnable r) {
    try {
      r.run();
    } catch (ValidationException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("no ValidationException");
  }

  @Test
  void passwordFromTheEnvironment() {
    CloudCredentials c = CloudCredentials.resolve(settings(Map.of()), Map.of(
        "OS_AUTH_URL", "https://keystone.example.net:5000", "OS_USERNAME", "vipha",
        "OS_PASSWORD", SECRET, "OS_PROJECT_ID", "p1", "OS_REGION_NAME", "RegionTwo"), home);

    assertThat(c.tokensUrl()).hasToString("https://keystone.example.net:5000/v3/auth/tokens");
    assertThat(c.region).isEqualTo("RegionTwo");
    assertThat(c.authRequest().toString()).contains(SECRET).contains("\"id\":\"p1\"")
        .contains("\"domain\":{\"name\":\"Default\"}");
    assertThat(c.toString()).contains("user vipha").contains("OS_*").doesNotContain(SECRET);
  }

  @Test
  void applicationCredentialFromTheEnvironmentNeedsNoProject() {
    CloudCredentials c = CloudCredentials.resolve(settings(Map.of("region", "R3")), Map.of(
        "OS_AUTH_URL", "https://k/v3/", "OS_APPLICATION_CREDENTIAL_ID", "ac1",
        "OS_APPLICATION_CREDENTIAL_SECRET", SECRET, "OS_REGION_NAME", "R1"), home);

    assertThat(c.tokensUrl()).hasToString("https://k/v3/auth/tokens");
    assertThat(c.region).as("the setting wins").isEqualTo("R3");
    assertThat(c.authRequest().path("auth").has("scope")).isFalse();
    assertThat(c.authRequest().path("auth").path("identity").path("methods").toString())
        .isEqualTo("[\"application_credential\"]");
    assertThat(c.toString()).doesNotContain(SECRET);
  }

  @Test
  void everyMissingVariableIsNamedAtOnce() {
    assertThat(problems(() -> CloudCredentials.resolve(settings(Map.of()), Map.of(), home)))
        .hasSize(4)
        .anySatisfy(p -> assertThat(p).startsWith("OS_AUTH_URL: is missing"))
        .anySatisfy(p -> assertThat(p).startsWith("OS_USERNAME: is missing"))
        .anySatisfy(p -> assertThat(p).startsWith("OS_PASSWORD: is missing"))
        .anySatisfy(p -> assertThat(p).startsWith("OS_PROJECT_NAME: is missing"));
    assertThat(problems(() -> CloudCredentials.resolve(settings(Map.of()), Map.of(
        "OS_AUTH_URL", "keystone", "OS_APPLICATION_CREDENTIAL_ID", "ac1"), home)))
        .containsExactly("OS_AUTH_URL: \"keystone\" is not an http(s) URL",
            "OS_APPLICATION_CREDENTIAL_SECRET: is missing; an application credential needs its "
                + "secret");
  }

  @Test
  void aCloudsYamlEntryByNameWithTheRegionOfTheEntry() throws Exception {
    Path file = home.resolve(".config/openstack/clouds.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n",
        "# two clouds",
        "clouds:",
        "  prod:",
        "    region_name: RegionOne",
        "    interface: internal",
        "    auth:",
        "      auth_url: https://keystone.prod:5000/v3",
        "      username: vipha",
        "      password: \"" + SECRET + "\"",
        "      project_name: ha",
        "      user_domain_name: Users",
        "      project_domain_id: default",
        "  lab:",
        "    auth:",
        "      auth_url: https://keystone.lab:5000",
        ""));

    CloudCredentials c = CloudCredentials.resolve(settings(Map.of("cloud", "prod")), Map.of(),
        home);
    assertThat(c.authUrl).hasToString("https://keystone.prod:5000/v3");
    assertThat(c.region).isEqualTo("RegionOne");
    assertThat(c.interfaceName).isEqualTo("internal");
    assertThat(c.authRequest().toString()).contains("\"domain\":{\"name\":\"Users\"}")
        .contains("\"domain\":{\"id\":\"default\"}");
    assertThat(c.toString()).contains("cloud \"prod\"").doesNotContain(SECRET);

    CloudCredentials viaEnv = CloudCredentials.resolve(settings(Map.of()),
        Map.of("OS_CLOUD", "prod"), home);
    assertThat(viaEnv.authUrl).isEqualTo(c.authUrl);

    assertThat(problems(() -> CloudCredentials.resolve(settings(Map.of("cloud", "lab")),
        Map.of(), home))).hasSize(3).allSatisfy(p -> assertThat(p).startsWith("auth."));
    assertThat(problems(() -> CloudCredentials.resolve(settings(Map.of("cloud", "test")),
        Map.of(), home))).singleElement().asString().contains("is not in").contains("prod");
  }

  @Test
  void aJsonCloudsFileNamedBySettingWithItsOnlyEntry() throws Exception {
    Path file = home.resolve("clouds.json");
    Files.writeString(file, "{\"clouds\": {\"only\": {\"auth\": {\"auth_url\": \"http://k:5000\","
        + " \"application_credential_id\": \"a\", \"application_credential_secret\": \"" + SECRET
        + "\"}}}}");

    CloudCredentials c = CloudCredentials.resolve(
        settings(Map.of("cloudsFile", file.toString())), Map.of(), home);
    assertThat(c.authUrl).hasToString("http://k:5000");
    assertThat(c.toString()).contains("cloud \"only\"").doesNotContain(SECRET);

    Path two = home.resolve("two.json");
    Files.writeString(two, "{\"clouds\": {\"x\": {}, \"y\": {}}}");
    assertThat(problems(() -> CloudCredentials.resolve(
        settings(Map.of("cloudsFile", two.toString())), Map.of(), home)))
        .singleElement().asString().contains("several clouds [x, y]");
  }

  @Test
  void aBrokenCloudsFileIsNamedByPlaceNeverQuoted() throws Exception {
    Path file = home.resolve("clouds.yaml");
    Files.writeString(file, "clouds:\n  prod:\n    auth:\n      password: [" + SECRET + "\n");

    List<String> p = problems(() -> CloudCredentials.resolve(
        settings(Map.of("cloudsFile", file.toString())), Map.of(), home));
    assertThat(p).singleElement().asString().contains("is not valid YAML or JSON (line")
        .doesNotContain(SECRET);
    assertThat(problems(() -> CloudCredentials.resolve(
        settings(Map.of("cloudsFile", home.resolve("none.yaml").toString())), Map.of(), home)))
        .singleElement().asString().contains("cannot be read");
    assertThat(problems(() -> CloudCredentials.resolve(settings(Map.of("cloud", "prod")),
        Map.of(), home))).singleElement().asString().contains("no clouds file was found");
  }

  @Test
  void theCredentialsOfAProviderAreReadAtCreate() {
    assertThatThrownBy(() -> new FloatingIpMoverProvider(new NeutronMoverProvider.Environment(
        Map.of(), home, Http.defaultClient(), java.time.Clock.systemUTC(),
        java.time.Duration.ZERO)).create("a", Map.of("floatingIpId", FakeOpenStack.FIP,
        "portId", FakeOpenStack.PORT_A)))
        .isInstanceOf(ValidationException.class).hasMessageContaining("OS_AUTH_URL");
  }
}
