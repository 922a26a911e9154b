package io.vipha.mover.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vipha.spi.MoverResult;

/**
 * The fencing epoch as a Neutron tag: {@code prefix + N}. A resource's epoch is the highest N
 * among its tags (0 when none); writing one replaces every tag of the prefix and keeps the rest.
 */
record EpochTag(String prefix) {
  /** Neutron refuses longer tags. */
  static final int MAX_LENGTH = 60;

  long epoch(JsonNode tags) {
    long max = 0;
    for (JsonNode t : tags) {
      String s = t.asText("");
      if (s.startsWith(prefix) && s.length() > prefix.length() && s.length() - prefix.length() < 19
          && s.substring(prefix.length()).chars().allMatch(c -> c >= '0' && c <= '9')) {
        max = Math.max(max, Long.parseLong(s.substring(prefix.length())));
      }
    }
    return max;
  }

  /** {@code tags} with this prefix's tags replaced by the one for {@code epoch}. */
  ArrayNode with(JsonNode tags, long epoch) throws Refusal {
    String tag = prefix + epoch;
    if (tag.length() > MAX_LENGTH) {
      throw new Refusal(MoverResult.failed("the epoch tag " + tag + " is longer than Neutron's "
          + MAX_LENGTH + " characters"));
    }
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (JsonNode t : tags) {
      if (!t.asText("").startsWith(prefix)) {
        out.add(t.asText(""));
      }
    }
    out.add(tag);
    return out;
  }
}
