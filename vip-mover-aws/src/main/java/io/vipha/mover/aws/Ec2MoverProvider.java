package io.vipha.mover.aws;

import io.vipha.ValidationException.Problem;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverProvider;
import java.util.List;
import java.util.Map;

/** The provider of one EC2 mover type. */
abstract class Ec2MoverProvider implements MoverProvider {
  private final Ec2Settings.Kind kind;

  Ec2MoverProvider(Ec2Settings.Kind kind) {
    this.kind = kind;
  }

  @Override
  public String type() {
    return kind.type;
  }

  @Override
  public List<Problem> check(Map<String, String> settings) {
    return Ec2Settings.check(kind, settings);
  }

  @Override
  public AddressMover create(String node, Map<String, String> settings) {
    Ec2Settings s = Ec2Settings.parse(kind, settings);
    return create(s, node);
  }

  abstract AddressMover create(Ec2Settings settings, String node);
}
