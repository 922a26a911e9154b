package io.vipha.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.config.ConfigProblems.Position;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/**
 * The syntax of a configuration document: one pass over the JSON tokens builds a tree and notes
 * in {@link ConfigProblems} where every value and field name starts and how each scalar is
 * written. A syntax error, a repeated field and content after the object are reported there.
 */
final class JsonTreeReader {
  private static final JsonFactory JSON = new JsonFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String json;
  private final ConfigProblems problems;
  /** The path of the value being read, blamed for a syntax error. */
  private String reading = "";
  /** True while looking for the next field of the object at {@link #reading}. */
  private boolean betweenFields;

  JsonTreeReader(String json, ConfigProblems problems) {
    // A byte order mark is not JSON, but editors write one.
    this.json = json.startsWith("\uFEFF") ? json.substring(1) : json;
    this.problems = problems;
  }

  /** The document's tree, or null when it is empty or not valid JSON (reported). */
  @Nullable JsonNode read() {
    try (JsonParser p = JSON.createParser(json)) {
      try {
        if (p.nextToken() == null) {
          problems.report("", null, "is empty; a configuration is a JSON object with a"
              + " \"groups\" list", Position.of(p.currentLocation()));
          return null;
        }
        JsonNode root = readValue(p, "");
        checkNothingFollows(p.currentLocation());
        return root;
      } catch (StreamReadException e) {
        JsonLocation at = e.getLocation();
        // Jackson's end-of-input message names the source and the start marker; we have both.
        String why = e instanceof JsonEOFException
            ? "the document ends early; a closing } or ] is missing"
            : e.getOriginalMessage();
        problems.report(blamed(p), null, "is not valid JSON: " + why,
            Position.of(at == null ? p.currentLocation() : at));
        return null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String fails with syntax errors only
    }
  }

  /**
   * The path a syntax error is blamed on. Jackson reads a number or {@code true}/{@code
   * false}/{@code null} together with the field name before it, so an error there comes while the
   * name is still new to us: blame that field rather than its object.
   */
  private String blamed(JsonParser p) {
    JsonStreamContext context = p.getParsingContext();
    String name = betweenFields && context.inObject() ? context.getCurrentName() : null;
    return name != null && !problems.names.containsKey(ConfigProblems.child(reading, name))
        ? ConfigProblems.child(reading, name) : reading;
  }

  private JsonNode readValue(JsonParser p, String path) throws IOException {
    reading = path;
    problems.values.put(path, Position.of(p.currentTokenLocation()));
    JsonToken token = p.currentToken();
    return switch (token) {
      case START_OBJECT -> readObject(p, path);
      case START_ARRAY -> readArray(p, path);
      case VALUE_STRING -> NODES.textNode(scalar(p, path));
      case VALUE_NUMBER_INT -> {
        scalar(p, path);
        yield switch (p.getNumberType()) {
          case INT -> NODES.numberNode(p.getIntValue());
          case LONG -> NODES.numberNode(p.getLongValue());
          default -> NODES.numberNode(p.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        scalar(p, path);
        yield NODES.numberNode(p.getDecimalValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(scalar(p, path).equals("true"));
      case VALUE_NULL -> NODES.nullNode();
      default -> throw new IllegalStateException("unexpected JSON token " + token + " at " + path);
    };
  }

  /** Notes a scalar's text as written, and returns it. */
  private String scalar(JsonParser p, String path) throws IOException {
    String text = p.getText();
    problems.scalars.put(path, text);
    return text;
  }

  private ArrayNode readArray(JsonParser p, String path) throws IOException {
    ArrayNode array = NODES.arrayNode();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      array.add(readValue(p, path + "[" + array.size() + "]"));
      reading = path;
    }
    return array;
  }

  private ObjectNode readObject(JsonParser p, String path) throws IOException {
    ObjectNode object = NODES.objectNode();
    while (nextField(p)) {
      String name = p.currentName();
      String child = ConfigProblems.child(path, name);
      Position at = Position.of(p.currentTokenLocation());
      reading = child;
      p.nextToken();
      if (object.has(name)) {
        // Reported like any other problem, so the pass goes on and finds all repeats.
        Position first = problems.names.getOrDefault(child, at);
        problems.report(child, null, "is repeated (first at line " + first.line() + ", column "
            + first.column() + "); each field may appear once", at);
        p.skipChildren();
      } else {
        problems.names.put(child, at);
        object.set(name, readValue(p, child));
      }
      reading = path;
    }
    return object;
  }

  private boolean nextField(JsonParser p) throws IOException {
    betweenFields = true;
    boolean found = p.nextToken() == JsonToken.FIELD_NAME;
    betweenFields = false;
    return found;
  }

  private void checkNothingFollows(JsonLocation end) {
    int line = end.getLineNr();
    int column = end.getColumnNr();
    for (int i = (int) end.getCharOffset(); i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < json.length() && json.charAt(i + 1) == '\n') {
          i++;
        }
        line++;
        column = 1;
      } else if (c == ' ' || c == '\t') {
        column++;
      } else {
        problems.report("", null, "has content after the end of the JSON object; a"
            + " configuration is exactly one object", new Position(line, column));
        return;
      }
    }
  }
}
