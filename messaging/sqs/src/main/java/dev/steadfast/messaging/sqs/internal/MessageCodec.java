package dev.steadfast.messaging.sqs.internal;

import dev.steadfast.messaging.outbox.OutboxMessage;
import dev.steadfast.messaging.sqs.SqsSenderFaultException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Turns outbox messages into SQS entries and received SQS messages back into outbox messages, and counts their
 * size as SQS does. Stateless and thread-safe.
 *
 * <p>The mapping (docs/sqs.md has it for users):
 *
 * <ul>
 *   <li>Body: the payload as text when it is valid UTF-8 of characters SQS accepts; otherwise Base64, marked by
 *       the attribute {@code steadfast-body=base64} (an empty payload: body {@code -}, {@code steadfast-body=empty},
 *       since SQS refuses empty bodies).
 *   <li>{@code steadfast-id}: the outbox id. {@code steadfast-key}: the key, when there is one.
 *   <li>Headers: one String attribute each, named as the header, when every header fits (a valid attribute name
 *       not starting with {@code steadfast-}, a non-empty value of accepted characters, and at most 10
 *       attributes in all); otherwise all headers in one attribute {@code steadfast-headers}
 *       (form-encoded {@code name=value&...}), plus {@code traceparent} on its own when there is one, so that
 *       tracing still sees it.
 *   <li>FIFO queues: {@code MessageGroupId} is the key when it is a valid group id (1 to 128 printable ASCII
 *       characters), {@code k-} and the key's SHA-256 otherwise, and the message id without a key (each such
 *       message its own group); {@code MessageDeduplicationId} is the message id.
 * </ul>
 */
public final class MessageCodec {

  /** SQS's limit on message attributes per message. */
  public static final int MAX_ATTRIBUTES = 10;

  static final String ID = "steadfast-id";
  static final String KEY = "steadfast-key";
  static final String BODY = "steadfast-body";
  static final String HEADERS = "steadfast-headers";
  static final String TRACEPARENT = "traceparent";
  private static final String RESERVED_PREFIX = "steadfast-";
  private static final String STRING = "String";
  private static final String EMPTY_BODY = "-";

  private MessageCodec() {}

  /**
   * The entry for {@code message} on a queue that is {@code fifo} or not.
   *
   * @throws SqsSenderFaultException if SQS cannot carry the message (a key or header value with characters it
   *     refuses, when it must travel as an attribute of its own); the size is checked by the caller
   */
  public static EncodedMessage encode(int index, OutboxMessage message, boolean fifo) {
    byte[] payload = message.payload();
    Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
    attributes.put(ID, string(message.id().toString()));
    String key = message.key();
    if (key != null) {
      if (key.isEmpty() || !isValidText(key)) {
        throw new SqsSenderFaultException("InvalidKey",
            "message " + message.id() + " has a key that is empty or has characters SQS does not accept");
      }
      attributes.put(KEY, string(key));
    }
    String body;
    if (payload.length == 0) {
      body = EMPTY_BODY;
      attributes.put(BODY, string("empty"));
    } else {
      String text = utf8OrNull(payload);
      if (text != null && isValidText(text)) {
        body = text;
      } else {
        body = Base64.getEncoder().encodeToString(payload);
        attributes.put(BODY, string("base64"));
      }
    }
    Map<String, String> headers = message.headers();
    if (!headers.isEmpty()) {
      if (headersFitOneEach(headers, attributes.size())) {
        headers.forEach((name, value) -> attributes.put(name, string(value)));
      } else {
        attributes.put(HEADERS, string(packHeaders(headers)));
        String traceparent = headers.get(TRACEPARENT);
        if (traceparent != null && !traceparent.isEmpty() && isValidText(traceparent)) {
          attributes.put(TRACEPARENT, string(traceparent));
        }
      }
    }
    String groupId = fifo ? groupId(message) : null;
    String deduplicationId = fifo ? message.id().toString() : null;
    return new EncodedMessage(index, message, body, Map.copyOf(attributes), groupId, deduplicationId,
        sizeOf(body, attributes));
  }

  /**
   * The outbox message a received SQS message carries, as delivered to {@code destination}. A message that was
   * not published by this adapter gets its SQS message id as id (SQS message ids are UUIDs), its body as UTF-8
   * payload and its String attributes as headers.
   */
  public static OutboxMessage decode(Message received, String destination) {
    Map<String, MessageAttributeValue> attributes = received.messageAttributes();
    String idText = text(attributes.get(ID));
    UUID id = idText != null ? UUID.fromString(idText) : idOf(received.messageId());
    String key = text(attributes.get(KEY));
    String encoding = text(attributes.get(BODY));
    byte[] payload;
    if ("empty".equals(encoding)) {
      payload = new byte[0];
    } else if ("base64".equals(encoding)) {
      payload = Base64.getDecoder().decode(received.body());
    } else {
      payload = received.body().getBytes(StandardCharsets.UTF_8);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    String packed = text(attributes.get(HEADERS));
    if (packed != null) {
      unpackHeaders(packed, headers);
    } else {
      attributes.forEach((name, value) -> {
        String valueText = text(value);
        if (!name.startsWith(RESERVED_PREFIX) && valueText != null) {
          headers.put(name, valueText);
        }
      });
    }
    return new OutboxMessage(id, destination, key, payload, headers);
  }

  /**
   * The bytes SQS counts for a message: the body, and each attribute's name, data type and value, in UTF-8.
   */
  public static int sizeOf(String body, Map<String, MessageAttributeValue> attributes) {
    long size = utf8Length(body);
    for (Map.Entry<String, MessageAttributeValue> attribute : attributes.entrySet()) {
      MessageAttributeValue value = attribute.getValue();
      size += utf8Length(attribute.getKey()) + utf8Length(value.dataType());
      String text = value.stringValue();
      if (text != null) {
        size += utf8Length(text);
      } else if (value.binaryValue() != null) {
        size += value.binaryValue().asByteArray().length;
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  /** The number of bytes {@code text} takes in UTF-8, without encoding it (a lone surrogate counts as one byte). */
  public static long utf8Length(String text) {
    long bytes = 0;
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes += 1; // encoded as '?' by the SDK's UTF-8 encoder
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * Whether SQS accepts every character of {@code text} in a body or String attribute: #x9, #xA, #xD, #x20 to
   * #xD7FF, #xE000 to #xFFFD, #x10000 to #x10FFFF (and no lone surrogates).
   */
  public static boolean isValidText(String text) {
    int length = text.length();
    for (int i = 0; i < length; ) {
      int cp = text.codePointAt(i);
      boolean ok = cp == 0x9 || cp == 0xA || cp == 0xD
          || (cp >= 0x20 && cp <= 0xD7FF)
          || (cp >= 0xE000 && cp <= 0xFFFD)
          || (cp >= 0x10000 && cp <= 0x10FFFF);
      if (!ok) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  /**
   * Whether {@code name} is a valid SQS message attribute name: 1 to 256 of {@code [A-Za-z0-9_.-]}, not starting
   * with {@code AWS.} or {@code Amazon.} (any case), not starting or ending with a period, no two periods in a row.
   */
  public static boolean isValidAttributeName(String name) {
    if (name.isEmpty() || name.length() > 256 || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
      return false;
    }
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("aws.") || lower.startsWith("amazon.")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '-' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code id} is a valid FIFO group or deduplication id: 1 to 128 printable ASCII characters (! to ~). */
  public static boolean isValidGroupId(String id) {
    if (id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '!' || c > '~') {
        return false;
      }
    }
    return true;
  }

  /** The {@code MessageGroupId} for {@code message} on a FIFO queue. */
  public static String groupId(OutboxMessage message) {
    String key = message.key();
    if (key == null) {
      return message.id().toString();
    }
    if (isValidGroupId(key)) {
      return key;
    }
    return "k-" + HexFormat.of().formatHex(sha256(key));
  }

  private static boolean headersFitOneEach(Map<String, String> headers, int reservedAttributes) {
    if (reservedAttributes + headers.size() > MAX_ATTRIBUTES) {
      return false;
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey();
      String value = header.getValue();
      if (!isValidAttributeName(name) || name.startsWith(RESERVED_PREFIX) || value.isEmpty() || !isValidText(value)) {
        return false;
      }
    }
    return true;
  }

  private static String packHeaders(Map<String, String> headers) {
    StringBuilder packed = new StringBuilder();
    headers.forEach((name, value) -> {
      if (packed.length() > 0) {
        packed.append('&');
      }
      packed.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    });
    return packed.toString();
  }

  private static void unpackHeaders(String packed, Map<String, String> headers) {
    if (packed.isEmpty()) {
      return;
    }
    for (String pair : packed.split("&", -1)) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      headers.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
  }

  private static @Nullable String utf8OrNull(byte[] bytes) {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static @Nullable String text(@Nullable MessageAttributeValue value) {
    return value == null ? null : value.stringValue();
  }

  private static UUID idOf(String messageId) {
    try {
      return UUID.fromString(messageId);
    } catch (IllegalArgumentException notUuid) {
      return UUID.nameUUIDFromBytes(messageId.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static MessageAttributeValue string(String value) {
    return MessageAttributeValue.builder().dataType(STRING).stringValue(value).build();
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
