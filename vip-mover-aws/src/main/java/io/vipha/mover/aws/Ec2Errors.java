package io.vipha.mover.aws;

import io.vipha.spi.MoverResult;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Turns what the SDK threw into a mover result whose detail never holds a secret. */
final class Ec2Errors {
  /** How long to wait after throttling when EC2 does not say. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  private static final Set<String> THROTTLING = Set.of("RequestLimitExceeded", "Throttling",
      "ThrottlingException", "RequestThrottled", "RequestThrottledException",
      "TooManyRequestsException", "SlowDown", "Unavailable", "ServiceUnavailable");
  private static final Set<String> AUTH = Set.of("AuthFailure", "UnauthorizedOperation",
      "InvalidClientTokenId", "SignatureDoesNotMatch", "MissingAuthenticationToken",
      "ExpiredToken", "RequestExpired", "OptInRequired", "Blocked", "AccessDenied",
      "AccessDeniedException", "IncompleteSignature", "InvalidSecurity");
  /** An access key id (AKIA…/ASIA…) and anything shaped like a secret key or token. */
  private static final Pattern KEY_ID = Pattern.compile("\\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{8,}");
  private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9/+=]{40,}");

  private Ec2Errors() {}

  /** The result for {@code e}, thrown while {@code doing} (e.g. "AssociateAddress"). */
  static MoverResult map(SdkException e, String doing) {
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      return MoverResult.timedOut(doing + " had no answer within the call's timeout");
    }
    if (e instanceof AwsServiceException service) {
      return mapService(service, doing);
    }
    if (e instanceof AbortedException) {
      return MoverResult.failed(doing + " was aborted (the mover is closing)");
    }
    if (e instanceof SdkClientException && isCredentialProblem(e)) {
      return MoverResult.failed(doing + ": no usable AWS credentials; provide them through the "
          + "SDK's default chain (environment, instance profile), \"profile\" or "
          + "\"credentialsFile\"");
    }
    return MoverResult.failed(doing + " failed: " + redact(String.valueOf(e.getMessage())));
  }

  private static MoverResult mapService(AwsServiceException e, String doing) {
    AwsErrorDetails details = e.awsErrorDetails();
    String code = details == null || details.errorCode() == null ? "" : details.errorCode();
    int status = e.statusCode();
    if (THROTTLING.contains(code) || e.isThrottlingException() || status == 429
        || status == 503) {
      return MoverResult.throttled(retryAfter(e), doing + " was throttled by EC2 ("
          + (code.isEmpty() ? "HTTP " + status : code) + ")");
    }
    if (AUTH.contains(code) || status == 401 || status == 403) {
      // The message of a signature error can quote the request's credential scope: not used.
      return MoverResult.failed(doing + " was refused: " + (code.isEmpty() ? "HTTP " + status
          : code) + "; check that the credentials are valid and that the IAM policy allows "
          + "ec2:" + doing);
    }
    String message = details == null || details.errorMessage() == null
        || details.errorMessage().isBlank() ? "" : ": " + redact(details.errorMessage());
    return MoverResult.failed(doing + " failed: " + (code.isEmpty() ? "HTTP " + status : code)
        + message);
  }

  private static Duration retryAfter(AwsServiceException e) {
    AwsErrorDetails details = e.awsErrorDetails();
    if (details == null || details.sdkHttpResponse() == null) {
      return DEFAULT_RETRY_AFTER;
    }
    Optional<String> header = details.sdkHttpResponse().firstMatchingHeader("Retry-After");
    if (header.isPresent()) {
      try {
        long seconds = Long.parseLong(header.get().trim());
        if (seconds >= 0 && seconds <= 3600) {
          return Duration.ofSeconds(seconds);
        }
      } catch (NumberFormatException ignored) {
        // An HTTP date or garbage: fall back to the default.
      }
    }
    return DEFAULT_RETRY_AFTER;
  }

  private static boolean isCredentialProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("credential") || m.contains("profile")) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} with access key ids and secret-shaped strings blanked out. */
  static String redact(String text) {
    return SECRET.matcher(KEY_ID.matcher(text).replaceAll("[key id]")).replaceAll("[redacted]");
  }
}
