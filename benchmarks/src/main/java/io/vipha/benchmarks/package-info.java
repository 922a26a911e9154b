/**
 * JMH benchmarks of the vipha planner and the placement-quality comparison with two baselines
 * (hash mod n and plain rendezvous hashing). Build with {@code mvn -B -q -pl vip-core,benchmarks
 * -am package}, then run {@code java -jar benchmarks/target/benchmarks.jar -prof gc}; see
 * benchmarks/README.md.
 */
@NullMarked
package io.vipha.benchmarks;

import org.jspecify.annotations.NullMarked;
