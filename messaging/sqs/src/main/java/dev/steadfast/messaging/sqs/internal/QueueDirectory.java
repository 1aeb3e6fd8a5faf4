package dev.steadfast.messaging.sqs.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Thread-safe cache of queue URLs and attributes, by destination. A destination is a queue URL (it starts with
 * {@code http://} or {@code https://}) or a queue name, resolved with {@code GetQueueUrl}. Entries live for the
 * configured time; a failed lookup is not cached, and {@link #invalidate(String)} drops an entry (after SQS said
 * the queue does not exist, say).
 */
public final class QueueDirectory {

  private static final Pattern MAX_RECEIVE_COUNT = Pattern.compile("\"maxReceiveCount\"\\s*:\\s*\"?(\\d+)");
  private static final Pattern DEAD_LETTER_ARN = Pattern.compile("\"deadLetterTargetArn\"\\s*:\\s*\"([^\"]+)\"");
  private static final List<QueueAttributeName> ATTRIBUTES =
      List.of(QueueAttributeName.MAXIMUM_MESSAGE_SIZE, QueueAttributeName.FIFO_QUEUE,
          QueueAttributeName.REDRIVE_POLICY);

  private final SqsAsyncClient client;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  private record Entry(CompletableFuture<QueueInfo> info, long expiresAt) {}

  /** A directory asking {@code client}, keeping answers for {@code ttl} on {@code nanoTime}. */
  public QueueDirectory(SqsAsyncClient client, Duration ttl, LongSupplier nanoTime) {
    this.client = client;
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  /** Whether {@code destination} is a queue URL rather than a name. */
  public static boolean isUrl(String destination) {
    return destination.startsWith("https://") || destination.startsWith("http://");
  }

  /** The queue behind {@code destination}, from the cache or SQS. */
  public CompletableFuture<QueueInfo> resolve(String destination) {
    long now = nanoTime.getAsLong();
    Entry entry = entries.get(destination);
    if (entry != null && now - entry.expiresAt < 0 && !entry.info.isCompletedExceptionally()) {
      return entry.info;
    }
    CompletableFuture<QueueInfo> lookedUp = lookUp(destination);
    Entry fresh = new Entry(lookedUp, now + ttlNanos);
    entries.put(destination, fresh);
    // A failed lookup is not kept: the next call asks again.
    return lookedUp.whenComplete((info, failure) -> {
      if (failure != null) {
        entries.remove(destination, fresh);
      }
    });
  }

  /** Forgets what is cached for {@code destination}. */
  public void invalidate(String destination) {
    entries.remove(destination);
  }

  private CompletableFuture<QueueInfo> lookUp(String destination) {
    CompletableFuture<String> url =
        isUrl(destination)
            ? CompletableFuture.completedFuture(destination)
            : client.getQueueUrl(r -> r.queueName(destination)).thenApply(response -> response.queueUrl());
    return url.thenCompose(queueUrl ->
        client.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(ATTRIBUTES))
            .thenApply(response -> toInfo(queueUrl, response)));
  }

  private static QueueInfo toInfo(String url, GetQueueAttributesResponse response) {
    Map<QueueAttributeName, String> attributes = response.attributes();
    String name = QueueInfo.nameOf(url);
    String fifoValue = attributes.get(QueueAttributeName.FIFO_QUEUE);
    boolean fifo = fifoValue != null ? Boolean.parseBoolean(fifoValue) : name.endsWith(".fifo");
    int maxBytes = parseInt(attributes.get(QueueAttributeName.MAXIMUM_MESSAGE_SIZE),
        QueueInfo.LEGACY_MAX_MESSAGE_BYTES);
    String redrive = attributes.get(QueueAttributeName.REDRIVE_POLICY);
    String deadLetterArn = null;
    int maxReceiveCount = 0;
    if (redrive != null) {
      Matcher arn = DEAD_LETTER_ARN.matcher(redrive);
      if (arn.find()) {
        deadLetterArn = arn.group(1);
      }
      Matcher count = MAX_RECEIVE_COUNT.matcher(redrive);
      if (count.find()) {
        maxReceiveCount = parseInt(count.group(1), 0);
      }
    }
    return new QueueInfo(url, name, fifo, maxBytes, deadLetterArn, maxReceiveCount);
  }

  private static int parseInt(@Nullable String value, int fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
