package io.vipha.vipd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The control socket's protocol: one JSON object per line each way, UTF-8, at most {@link
 * #MAX_LINE} bytes a line.
 *
 * <pre>
 * request:  {"v":1,"cmd":"switchover","target":"n2","vip":"192.0.2.10/24"}
 * reply:    {"v":1,"ok":true,"result":{...}}
 *           {"v":1,"ok":false,"error":{"code":"bad-argument","message":"..."}}
 *           {"v":1,"ok":false,"error":{"code":"rejected","message":"...","problems":[...]}}
 * </pre>
 *
 * <p>Every request names the protocol version {@code "v"} (1) and the command {@code "cmd"};
 * each command allows its own arguments ({@link Command}) and nothing else. A request that is
 * not valid JSON, too long, of another version, an unknown command or with wrong arguments gets
 * an error reply whose {@code code} is one of {@link Error}.
 */
final class ControlProtocol {
  /** The protocol version this daemon speaks. */
  static final int VERSION = 1;
  /** The longest request line, in bytes, without its newline. */
  static final int MAX_LINE = 64 * 1024;

  static final ObjectMapper JSON = new ObjectMapper();

  static {
    JSON.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(64).maxStringLength(MAX_LINE).maxNumberLength(100).build());
  }

  private ControlProtocol() {}

  /** The commands and the arguments each allows (all of them strings). */
  enum Command {
    STATUS("status", List.of(), List.of()),
    SWITCHOVER("switchover", List.of("target"), List.of("vip")),
    CLEAR_SWITCHOVER("clear-switchover", List.of(), List.of()),
    DRAIN("drain", List.of(), List.of()),
    UNDRAIN("undrain", List.of(), List.of()),
    ANNOUNCE("announce", List.of(), List.of()),
    RELOAD("reload", List.of(), List.of());

    final String wire;
    final List<String> required;
    final List<String> optional;

    Command(String wire, List<String> required, List<String> optional) {
      this.wire = wire;
      this.required = required;
      this.optional = optional;
    }

    static @Nullable Command of(String wire) {
      for (Command c : values()) {
        if (c.wire.equals(wire)) {
          return c;
        }
      }
      return null;
    }

    static String names() {
      List<String> out = new ArrayList<>();
      for (Command c : values()) {
        out.add(c.wire);
      }
      return String.join(", ", out);
    }
  }

  /** Why a request failed; the reply's {@code error.code}. */
  enum Error {
    /** The line is not one JSON object. */
    BAD_JSON("bad-json"),
    /** The line is longer than {@link #MAX_LINE} bytes; the connection is closed after it. */
    TOO_LONG("too-long"),
    /** {@code "v"} is missing or not a version this daemon speaks. */
    BAD_VERSION("bad-version"),
    /** {@code "cmd"} is missing or names no command. */
    UNKNOWN_COMMAND("unknown-command"),
    /** An argument is missing, unknown, of the wrong type or refused by the agent. */
    BAD_ARGUMENT("bad-argument"),
    /** Too many clients are connected; try again. */
    BUSY("busy"),
    /** The agent did not answer in time (its event loop is busy or stalled). */
    TIMEOUT("timeout"),
    /** The daemon failed to carry the command out; the message says why. */
    FAILED("failed"),
    /**
     * A reload found problems and changed nothing; the message lists them one per line and the
     * error's {@code problems} holds them.
     */
    REJECTED("rejected");

    final String wire;

    Error(String wire) {
      this.wire = wire;
    }
  }

  /** A request refused, with the error to reply. */
  static final class RequestException extends Exception {
    private static final long serialVersionUID = 1L;
    final Error error;
    /** The problems, when the reply lists them ({@link Error#REJECTED}); else empty. */
    final List<String> problems;

    RequestException(Error error, String message) {
      this(error, message, List.of());
    }

    RequestException(Error error, String message, List<String> problems) {
      super(message);
      this.error = error;
      this.problems = List.copyOf(problems);
    }

    /** The error reply line. */
    String reply() {
      return error(error, String.valueOf(getMessage()), problems);
    }
  }

  /**
   * A valid request.
   *
   * @param command the command
   * @param args its arguments, each one it allows, all strings
   */
  record Request(Command command, Map<String, String> args) {
    Request {
      args = Map.copyOf(args);
    }

    @Nullable String arg(String name) {
      return args.get(name);
    }

    /** The request as one line of JSON, without the newline. */
    String toLine() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("v", VERSION);
      o.put("cmd", command.wire);
      for (String name : command.required) {
        o.put(name, args.get(name));
      }
      for (String name : command.optional) {
        String v = args.get(name);
        if (v != null) {
          o.put(name, v);
        }
      }
      return o.toString();
    }
  }

  /** Parses one request line; throws the error to reply. */
  static Request parse(String line) throws RequestException {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new RequestException(Error.BAD_JSON, "the request is not valid JSON: "
          + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new RequestException(Error.BAD_JSON, "a request is one JSON object on one line,"
          + " e.g. {\"v\":1,\"cmd\":\"status\"}");
    }
    JsonNode v = node.get("v");
    if (v == null) {
      throw new RequestException(Error.BAD_VERSION, "\"v\" is missing; this daemon speaks"
          + " version " + VERSION + ": {\"v\":1,...}");
    }
    if (!v.isInt() || v.intValue() != VERSION) {
      throw new RequestException(Error.BAD_VERSION, "version " + v + " is not supported; this"
          + " daemon speaks version " + VERSION);
    }
    JsonNode cmd = node.get("cmd");
    if (cmd == null || !cmd.isTextual()) {
      throw new RequestException(Error.UNKNOWN_COMMAND, "\"cmd\" must name a command: "
          + Command.names());
    }
    Command c = Command.of(cmd.textValue());
    if (c == null) {
      throw new RequestException(Error.UNKNOWN_COMMAND, "unknown command " + cmd
          + "; the commands are " + Command.names());
    }
    Map<String, String> args = new java.util.LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (name.equals("v") || name.equals("cmd")) {
        continue;
      }
      if (!c.required.contains(name) && !c.optional.contains(name)) {
        List<String> allowed = new ArrayList<>(c.required);
        allowed.addAll(c.optional);
        problems.add("\"" + name + "\" is not an argument of " + c.wire
            + (allowed.isEmpty() ? ", which takes none" : "; it takes " + allowed));
        continue;
      }
      JsonNode value = node.get(name);
      if (!value.isTextual() || value.textValue().isBlank()) {
        problems.add("\"" + name + "\" must be a non-empty string; got " + abbreviate(value));
        continue;
      }
      args.put(name, value.textValue());
    }
    for (String name : c.required) {
      if (!node.has(name)) {
        problems.add("\"" + name + "\" is required by " + c.wire);
      }
    }
    if (!problems.isEmpty()) {
      throw new RequestException(Error.BAD_ARGUMENT, String.join("; ", problems));
    }
    return new Request(c, args);
  }

  /** A successful reply line carrying {@code result}. */
  static String ok(JsonNode result) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("v", VERSION);
    o.put("ok", true);
    o.set("result", result);
    return o.toString();
  }

  /** An error reply line. */
  static String error(Error error, String message) {
    return error(error, message, List.of());
  }

  /** An error reply line; {@code problems}, unless empty, as the error's list. */
  static String error(Error error, String message, List<String> problems) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("v", VERSION);
    o.put("ok", false);
    ObjectNode e = o.putObject("error");
    e.put("code", error.wire);
    e.put("message", message);
    if (!problems.isEmpty()) {
      problems.forEach(e.putArray("problems")::add);
    }
    return o.toString();
  }

  /** A value as short JSON text for a message. */
  private static String abbreviate(JsonNode value) {
    String text = value.toString();
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
