/**
 * Service provider interfaces: what vipha needs from the host ({@link io.vipha.spi.AddressBackend}),
 * from time ({@link io.vipha.spi.Scheduler}) and from the network
 * ({@link io.vipha.spi.DatagramTransport}). Implement them to run vipha on another platform or
 * under a simulator.
 */
@NullMarked
package io.vipha.spi;

import org.jspecify.annotations.NullMarked;
