package io.vipha.mover.aws;

import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

/** Builds the SDK's EC2 client for a mover's settings. */
final class Ec2Clients {
  private Ec2Clients() {}

  /**
   * A client for {@code s}: the JDK's HTTP client, no SDK retries (the agent decides when to try
   * again, and a throttled call answers THROTTLED at once), credentials from the file or profile
   * named, or the SDK's default chain.
   */
  static Ec2Client of(Ec2Settings s) {
    Ec2ClientBuilder b = Ec2Client.builder()
        .region(Region.of(s.region()))
        .credentialsProvider(credentials(s))
        .httpClient(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(30))
            .build())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    if (s.endpoint() != null) {
      b.endpointOverride(s.endpoint());
    }
    return b.build();
  }

  private static AwsCredentialsProvider credentials(Ec2Settings s) {
    Path file = s.credentialsFile();
    String profile = s.profile();
    if (file != null) {
      return ProfileCredentialsProvider.builder()
          .profileFile(ProfileFile.builder().content(file).type(ProfileFile.Type.CREDENTIALS)
              .build())
          .profileName(profile == null ? "default" : profile)
          .build();
    }
    if (profile != null) {
      return ProfileCredentialsProvider.builder().profileName(profile).build();
    }
    return DefaultCredentialsProvider.builder().build();
  }
}
