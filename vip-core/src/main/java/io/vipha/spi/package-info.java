/**
 * Service provider interfaces: what vipha needs from the host ({@link io.vipha.spi.AddressBackend}),
 * from time ({@link io.vipha.spi.Scheduler}), from the network
 * ({@link io.vipha.spi.DatagramTransport}) and from whatever points a cloud address at a node
 * ({@link io.vipha.spi.AddressMover}, found by type through {@link io.vipha.spi.MoverProvider}).
 * Implement them to run vipha on another platform or under a simulator.
 */
@NullMarked
package io.vipha.spi;

import org.jspecify.annotations.NullMarked;
