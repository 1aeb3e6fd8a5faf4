package dev.steadfast.messaging.outbox.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Headers as a flat JSON object of strings, the form the outbox table stores them in. Thread-safe. */
final class HeadersJson {

  private static final JsonFactory JSON = new JsonFactory();

  private HeadersJson() {}

  static String write(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return "{}";
    }
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      generator.writeStartObject();
      for (Map.Entry<String, String> header : headers.entrySet()) {
        generator.writeStringField(header.getKey(), header.getValue());
      }
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static Map<String, String> read(String json) {
    if (json.equals("{}")) {
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalStateException("outbox headers column is not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        if (parser.nextToken() != JsonToken.VALUE_STRING) {
          throw new IllegalStateException("outbox header '" + name + "' is not a string");
        }
        headers.put(name, parser.getText());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return headers;
  }
}
