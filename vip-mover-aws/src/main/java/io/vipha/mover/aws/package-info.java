/**
 * The AWS EC2 address movers and their providers. EC2 has no conditional write, so a claim
 * writes its epoch as a tag first, then moves the address, then reads both back.
 */
@NullMarked
package io.vipha.mover.aws;

import org.jspecify.annotations.NullMarked;
