/**
 * The mode advisor: turns what a user knows (appliance, VIP exposure, needs) into a recommended
 * {@link io.vipha.Mode} with its reasons and warnings, and checks a configured {@link
 * io.vipha.VipGroup} against them. Start at {@link io.vipha.advisor.ModeAdvisor}.
 */
@NullMarked
package io.vipha.advisor;

import org.jspecify.annotations.NullMarked;
