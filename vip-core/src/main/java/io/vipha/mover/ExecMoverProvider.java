package io.vipha.mover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipha.ValidationException.Problem;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverProvider;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The provider of {@link ExecMover}, type {@code exec}. Its one field: {@code "command"}, a list
 * whose first element is an absolute path, e.g. {@code ["/usr/local/bin/move-vip", "--zone",
 * "a"]}.
 */
public final class ExecMoverProvider implements MoverProvider {
  /** The provider's type. */
  public static final String TYPE = "exec";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EXAMPLE = "write e.g. [\"/usr/local/bin/move-vip\"]";

  /** The provider, as {@link java.util.ServiceLoader} makes it. */
  public ExecMoverProvider() {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public List<Problem> check(Map<String, String> settings) {
    List<Problem> problems = new ArrayList<>();
    for (String key : settings.keySet()) {
      if (!key.equals("command")) {
        problems.add(new Problem(key, null, "is not a known field of an exec mover; allowed"
            + " here: type, vips, timeout, command"));
      }
    }
    String text = settings.get("command");
    if (text == null) {
      problems.add(new Problem("command", null, "is required; " + EXAMPLE));
      return problems;
    }
    JsonNode list;
    try {
      list = JSON.readTree(text);
    } catch (IOException e) {
      list = null;
    }
    if (list == null || !list.isArray() || list.isEmpty()) {
      problems.add(new Problem("command", text, "is not a list of strings; " + EXAMPLE));
      return problems;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode a = list.get(i);
      if (!a.isTextual() || a.textValue().isEmpty()) {
        problems.add(new Problem("command[" + i + "]", a.toString(), "is not a non-empty"
            + " string"));
      } else if (i == 0 && !absolute(a.textValue())) {
        problems.add(new Problem("command[0]", a.textValue(), "is not an absolute path; the"
            + " command runs without a shell or search path; " + EXAMPLE));
      }
    }
    return problems;
  }

  @Override
  public AddressMover create(String node, Map<String, String> settings) {
    List<String> command = new ArrayList<>();
    try {
      for (JsonNode a : JSON.readTree(settings.get("command"))) {
        command.add(a.textValue());
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("settings did not pass check: " + settings, e);
    }
    return new ExecMover(command, node);
  }

  private static boolean absolute(String path) {
    try {
      return Path.of(path).isAbsolute();
    } catch (InvalidPathException e) {
      return false;
    }
  }
}
