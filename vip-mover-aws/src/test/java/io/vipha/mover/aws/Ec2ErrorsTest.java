package io.vipha.mover.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;

/** Each kind of SDK error maps to its outcome; what reaches the detail is never a secret. */
class Ec2ErrorsTest {
  static AwsServiceException service(int status, String code, String message,
      String... headers) {
    SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(status);
    for (int i = 0; i < headers.length; i += 2) {
      http.putHeader(headers[i], headers[i + 1]);
    }
    return AwsServiceException.builder().statusCode(status).message(message)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message)
            .sdkHttpResponse(http.build()).build())
        .build();
  }

  @Test
  void throttlingCodesAndStatusesAreThrottled() {
    for (AwsServiceException e : new AwsServiceException[] {
        service(400, "Throttling", "Rate exceeded"),
        service(503, "RequestLimitExceeded", "Request limit exceeded."),
        service(503, "Unavailable", "The server is overloaded"),
        service(429, "", "Too Many Requests")}) {
      MoverResult r = Ec2Errors.map(e, "AssociateAddress");
      assertThat(r.outcome()).as(e.getMessage()).isEqualTo(Outcome.THROTTLED);
      assertThat(r.retryAfter()).isEqualTo(Ec2Errors.DEFAULT_RETRY_AFTER);
    }
    assertThat(Ec2Errors.map(service(503, "RequestLimitExceeded", "slow down", "Retry-After",
        "12"), "CreateTags").retryAfter()).isEqualTo(Duration.ofSeconds(12));
    assertThat(Ec2Errors.map(service(503, "RequestLimitExceeded", "slow down", "Retry-After",
        "Wed, 21 Oct 2026 07:28:00 GMT"), "CreateTags").retryAfter())
        .isEqualTo(Ec2Errors.DEFAULT_RETRY_AFTER);
  }

  @Test
  void authErrorsFailNamingThePermissionAndNeverTheirMessage() {
    MoverResult r = Ec2Errors.map(service(403, "InvalidClientTokenId", "The security token "
        + Ec2Fixture.KEY_ID + " included in the request is invalid."), "DescribeAddresses");

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.detail()).contains("InvalidClientTokenId", "ec2:DescribeAddresses")
        .doesNotContain(Ec2Fixture.KEY_ID, "security token");
    assertThat(Ec2Errors.map(service(401, "", ""), "CreateTags").detail())
        .contains("refused: HTTP 401");
  }

  @Test
  void otherServiceErrorsFailWithCodeAndRedactedMessage() {
    MoverResult r = Ec2Errors.map(service(400, "InvalidParameterValue", "bad value "
        + Ec2Fixture.SECRET), "AssignPrivateIpAddresses");

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.detail()).isEqualTo("AssignPrivateIpAddresses failed: InvalidParameterValue: "
        + "bad value [redacted]");
    assertThat(Ec2Errors.map(service(500, "", ""), "CreateTags").detail())
        .isEqualTo("CreateTags failed: HTTP 500");
  }

  @Test
  void clientSideErrorsMapByKind() {
    assertThat(Ec2Errors.map(ApiCallTimeoutException.create(1000), "AssociateAddress")
        .outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(Ec2Errors.map(ApiCallAttemptTimeoutException.create(1000), "AssociateAddress")
        .outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(Ec2Errors.map(AbortedException.create("aborted"), "CreateTags").detail())
        .contains("aborted");
    MoverResult creds = Ec2Errors.map(SdkClientException.create("Unable to load credentials "
        + "from any of the providers in the chain"), "DescribeAddresses");
    assertThat(creds.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(creds.detail()).contains("no usable AWS credentials");
    MoverResult io = Ec2Errors.map(SdkClientException.create("Unable to execute HTTP request: "
        + "Connection refused"), "DescribeAddresses");
    assertThat(io.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(io.detail()).isEqualTo("DescribeAddresses failed: Unable to execute HTTP "
        + "request: Connection refused");
  }
}
