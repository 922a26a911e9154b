/**
 * The JSON configuration file: {@link io.vipha.config.VipConfig} reads, validates and writes one
 * or more {@link io.vipha.VipGroup}s.
 */
@NullMarked
package io.vipha.config;

import org.jspecify.annotations.NullMarked;
