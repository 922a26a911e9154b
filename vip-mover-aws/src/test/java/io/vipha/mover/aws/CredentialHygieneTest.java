package io.vipha.mover.aws;

import static io.vipha.mover.aws.Ec2Fixture.FAST;
import static io.vipha.mover.aws.Ec2Fixture.KEY_ID;
import static io.vipha.mover.aws.Ec2Fixture.SECRET;
import static io.vipha.mover.aws.Ec2Fixture.TIMEOUT;
import static io.vipha.mover.aws.Ec2Fixture.await;
import static io.vipha.mover.aws.Ec2Fixture.vip;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credentials never show in a result, a log line or a mover's text. */
class CredentialHygieneTest {
  static final String ENI = "eni-0aaaaaaaaaaaaaaa1";
  static final String ALLOC = "eipalloc-0aaaaaaaaaaaaaaa1";

  @TempDir Path dir;

  /** Runs {@code call} against a fake set up by {@code setup}; returns result and stderr. */
  String[] run(Function<FakeEc2, FakeEc2> setup, Path credentials) throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (FakeEc2 fake = setup.apply(new FakeEc2().eip(ALLOC, "203.0.113.7")
        .eni(ENI, "subnet-0a", "10.0.1.10", null))) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try (ElasticIpMover m = Ec2Fixture.eip("a", Ec2Fixture.settings(fake, credentials,
          "allocationId", ALLOC, "networkInterfaceId", ENI), FAST)) {
        MoverResult r = await(m.claim(vip("203.0.113.7/32"), 5, null, TIMEOUT));
        return new String[] {r.outcome().name(), r.toString(), m.toString(),
            captured.toString(StandardCharsets.UTF_8)};
      }
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void rejectedCredentialsFailWithoutShowingThem() throws Exception {
    String[] out = run(FakeEc2::rejectCredentials, Ec2Fixture.credentials(dir));

    assertThat(out[0]).isEqualTo(Outcome.FAILED.name());
    // EC2 answers AuthFailure with HTTP 401; the JDK's HttpURLConnection hands the SDK no body
    // for a 401 to a streamed POST, so the status is all there is to name.
    assertThat(out[1]).contains("was refused: HTTP 401", "check that the credentials are valid");
    assertThat(out[3]).as("the failure is logged").contains("was refused");
    for (String s : out) {
      assertThat(s).doesNotContain(KEY_ID, SECRET);
    }
  }

  @Test
  void aSignatureErrorThatQuotesTheKeyIdIsNotPassedOn() throws Exception {
    String[] out = run(FakeEc2::signatureMismatch, Ec2Fixture.credentials(dir));

    assertThat(out[0]).isEqualTo(Outcome.FAILED.name());
    assertThat(out[1]).contains("SignatureDoesNotMatch");
    for (String s : out) {
      assertThat(s).doesNotContain(KEY_ID, SECRET);
    }
  }

  @Test
  void aCredentialsFileWithoutTheProfileFailsClearly() throws Exception {
    Path file = dir.resolve("other");
    Files.writeString(file, "[other]\naws_access_key_id = " + KEY_ID
        + "\naws_secret_access_key = " + SECRET + "\n");

    String[] out = run(f -> f, file);

    assertThat(out[0]).isEqualTo(Outcome.FAILED.name());
    assertThat(out[1]).contains("no usable AWS credentials");
    for (String s : out) {
      assertThat(s).doesNotContain(KEY_ID, SECRET);
    }
  }

  @Test
  void redactionBlanksKeyIdsAndSecretShapedText() {
    assertThat(Ec2Errors.redact("Credential=" + KEY_ID + "/20261206/us-east-1 key " + SECRET))
        .isEqualTo("Credential=[key id]/20261206/us-east-1 key [redacted]");
  }
}
