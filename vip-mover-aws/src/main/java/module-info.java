/**
 * Address movers for AWS EC2: {@code aws-eip} moves an Elastic IP's association and {@code
 * aws-secondary-ip} a secondary private IPv4 address between network interfaces, each fenced by
 * an epoch kept as a resource tag. The providers are found through {@link java.util.ServiceLoader};
 * the package is not exported. The AWS SDK's jars are automatic modules.
 */
module io.vipha.mover.aws {
  requires io.vipha.core;
  requires static org.jspecify;
  requires org.slf4j;
  requires software.amazon.awssdk.services.ec2;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.identity.spi;
  requires software.amazon.awssdk.profiles;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.http.urlconnection;
  requires software.amazon.awssdk.retries.api;

  provides io.vipha.spi.MoverProvider with
      io.vipha.mover.aws.ElasticIpProvider,
      io.vipha.mover.aws.SecondaryIpProvider;
}
