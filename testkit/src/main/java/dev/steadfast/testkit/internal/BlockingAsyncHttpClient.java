package dev.steadfast.testkit.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;

/**
 * Thread-safe asynchronous HTTP client for the AWS SDK that runs a blocking {@link SdkHttpClient} on its own
 * threads, buffering each request and response body in memory.
 *
 * <p>Why: the SDK's own asynchronous clients are Netty-based ({@code netty-nio-client}, Netty 4.1, which clashes
 * with the Netty 4.2 of amqp-client and Broker-J on one test class path) or native ({@code aws-crt-client}). For
 * the small messages of SQS tests a thread per call is plenty. Not for large payloads or production.
 */
public final class BlockingAsyncHttpClient implements SdkAsyncHttpClient {

  private final SdkHttpClient delegate;
  private final ExecutorService executor;

  /** Takes ownership of {@code delegate}: {@link #close()} closes it. */
  public BlockingAsyncHttpClient(SdkHttpClient delegate) {
    this.delegate = delegate;
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "steadfast-sqs-async-http-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    collect(request.requestContentPublisher())
        .thenAcceptAsync(body -> call(request, body, done), executor)
        .exceptionally(
            failure -> {
              request.responseHandler().onError(failure);
              done.completeExceptionally(failure);
              return null;
            });
    return done;
  }

  private void call(AsyncExecuteRequest request, byte[] body, CompletableFuture<Void> done) {
    try {
      HttpExecuteRequest.Builder blocking = HttpExecuteRequest.builder().request(request.request());
      if (body.length > 0) {
        blocking.contentStreamProvider(() -> new ByteArrayInputStream(body));
      }
      HttpExecuteResponse response = delegate.prepareRequest(blocking.build()).call();
      byte[] responseBody = new byte[0];
      Optional<AbortableInputStream> stream = response.responseBody();
      if (stream.isPresent()) {
        try (InputStream in = stream.get()) {
          responseBody = in.readAllBytes();
        }
      }
      request.responseHandler().onHeaders(response.httpResponse());
      request.responseHandler().onStream(new SingleBufferPublisher(ByteBuffer.wrap(responseBody), done));
    } catch (IOException | RuntimeException e) {
      request.responseHandler().onError(e);
      done.completeExceptionally(e);
    }
  }

  private static CompletableFuture<byte[]> collect(Publisher<ByteBuffer> publisher) {
    CompletableFuture<byte[]> collected = new CompletableFuture<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    publisher.subscribe(
        new Subscriber<ByteBuffer>() {
          @Override
          public void onSubscribe(Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(ByteBuffer buffer) {
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            bytes.write(chunk, 0, chunk.length);
          }

          @Override
          public void onError(Throwable failure) {
            collected.completeExceptionally(failure);
          }

          @Override
          public void onComplete() {
            collected.complete(bytes.toByteArray());
          }
        });
    return collected;
  }

  @Override
  public String clientName() {
    return "SteadfastBlockingAsync";
  }

  @Override
  public void close() {
    executor.shutdownNow();
    delegate.close();
  }

  /** Emits one buffer on the first request, then completes {@code done}. */
  private static final class SingleBufferPublisher implements Publisher<ByteBuffer> {
    private final ByteBuffer buffer;
    private final CompletableFuture<Void> done;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    SingleBufferPublisher(ByteBuffer buffer, CompletableFuture<Void> done) {
      this.buffer = buffer;
      this.done = done;
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
      if (!subscribed.compareAndSet(false, true)) {
        subscriber.onSubscribe(
            new Subscription() {
              @Override
              public void request(long n) {}

              @Override
              public void cancel() {}
            });
        subscriber.onError(new IllegalStateException("the response body can be subscribed to once"));
        return;
      }
      AtomicBoolean finished = new AtomicBoolean();
      subscriber.onSubscribe(
          new Subscription() {
            @Override
            public void request(long n) {
              if (finished.get()) {
                return;
              }
              if (n <= 0) {
                finished.set(true);
                subscriber.onError(new IllegalArgumentException("request must be > 0, was " + n));
                done.complete(null);
                return;
              }
              if (finished.compareAndSet(false, true)) {
                if (buffer.hasRemaining()) {
                  subscriber.onNext(buffer);
                }
                subscriber.onComplete();
                done.complete(null);
              }
            }

            @Override
            public void cancel() {
              finished.set(true);
              done.complete(null);
            }
          });
    }
  }
}
