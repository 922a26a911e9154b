package io.vipha.mover.openstack;

import io.vipha.ValidationException.Problem;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverProvider;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What both Neutron providers share: the settings' kind, the credentials, the clients. */
abstract class NeutronMoverProvider implements MoverProvider {
  /** Where the credentials and the network come from; tests give their own. */
  record Environment(Map<String, String> variables, Path home, HttpClient client, Clock clock,
      Duration readBackPause) {
    static Environment system() {
      return new Environment(System.getenv(), Path.of(System.getProperty("user.home", "/")),
          Http.defaultClient(), Clock.systemUTC(), Duration.ofMillis(50));
    }
  }

  /** Builds one mover from checked settings and a Neutron client. */
  interface Factory {
    NeutronMover<?> create(String node, Settings settings, Neutron neutron, Duration pause);
  }

  private final Settings.Kind kind;
  private final Environment environment;
  private final Factory factory;

  NeutronMoverProvider(Settings.Kind kind, Environment environment, Factory factory) {
    this.kind = kind;
    this.environment = environment;
    this.factory = factory;
  }

  @Override
  public String type() {
    return kind.type();
  }

  @Override
  public List<Problem> check(Map<String, String> settings) {
    return Settings.check(kind, settings);
  }

  /**
   * {@inheritDoc} Reads the credentials now (the {@code OS_*} variables or the clouds file) and
   * throws {@link io.vipha.ValidationException} naming every missing item; Keystone is first
   * asked at the first call.
   */
  @Override
  public AddressMover create(String node, Map<String, String> settings) {
    Settings s = Settings.parse(kind, settings);
    CloudCredentials credentials =
        CloudCredentials.resolve(s, environment.variables(), environment.home());
    Http http = new Http(environment.client(), environment.clock());
    Neutron neutron = new Neutron(http, new Keystone(http, credentials, s.neutronEndpoint()));
    return factory.create(node, s, neutron, environment.readBackPause());
  }
}
