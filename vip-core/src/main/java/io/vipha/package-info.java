/** The VIP group model: {@link io.vipha.VipGroup}, its VIPs, nodes and failover policy. */
@NullMarked
package io.vipha;

import org.jspecify.annotations.NullMarked;
