package io.vipha.mover.aws;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test against one {@link FakeEc2}, closing the movers it made and the fake after each. */
abstract class FakeEc2Test {
  static final String ENI_A = "eni-0aaaaaaaaaaaaaaa1";
  static final String ENI_B = "eni-0bbbbbbbbbbbbbbb2";

  @TempDir Path dir;
  FakeEc2 fake;
  Path credentials;
  final List<Ec2Mover> movers = new ArrayList<>();

  /** Two interfaces in one subnet, A on instance ...1 and B on instance ...2. */
  @BeforeEach
  void startFake() throws Exception {
    fake = new FakeEc2()
        .eni(ENI_A, "subnet-0a", "10.0.1.10", "i-0aaaaaaaaaaaaaaa1")
        .eni(ENI_B, "subnet-0a", "10.0.1.20", "i-0bbbbbbbbbbbbbbb2");
    credentials = Ec2Fixture.credentials(dir);
  }

  @AfterEach
  void stopFake() throws Exception {
    movers.forEach(Ec2Mover::close);
    fake.close();
  }

  <M extends Ec2Mover> M closedAfter(M mover) {
    movers.add(mover);
    return mover;
  }
}
