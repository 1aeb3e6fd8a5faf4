package dev.steadfast.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a proxied connection: {@link #read()} and {@link #write()} each run on their own thread and
 * share a bounded queue of chunks.
 */
final class Pump {

  private static final Logger LOG = LoggerFactory.getLogger(Pump.class);
  private static final int BUFFER_SIZE = 16 * 1024;
  private static final int QUEUE_CHUNKS = 16;

  /** Bytes read at one time; an empty one marks the end of the stream (a read never returns zero bytes). */
  static final class Chunk {
    private final byte[] bytes;
    private final long arrivalNanos;
    private final double jitterSample;

    Chunk(byte[] bytes, long arrivalNanos, double jitterSample) {
      this.bytes = bytes;
      this.arrivalNanos = arrivalNanos;
      this.jitterSample = jitterSample;
    }

    long arrivalNanos() {
      return arrivalNanos;
    }

    /** Uniform in [-1, 1): where this chunk's latency falls within the jitter. */
    double jitterSample() {
      return jitterSample;
    }

    boolean isEnd() {
      return bytes.length == 0;
    }
  }

  private static final Chunk END = new Chunk(new byte[0], 0, 0);

  private final ProxyEngine engine;
  private final ProxyConnection connection;
  private final Socket from;
  private final Socket to;
  private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);

  /** When the rate limit lets the next slice go; only the writer thread uses it. */
  long nextSendNanos;

  Pump(ProxyEngine engine, ProxyConnection connection, Socket from, Socket to) {
    this.engine = engine;
    this.connection = connection;
    this.from = from;
    this.to = to;
  }

  void read() {
    byte[] buffer = new byte[BUFFER_SIZE];
    try {
      InputStream in = from.getInputStream();
      while (true) {
        int read = in.read(buffer);
        if (read < 0) {
          queue.put(END);
          return;
        }
        queue.put(
            new Chunk(
                Arrays.copyOf(buffer, read),
                System.nanoTime(),
                ThreadLocalRandom.current().nextDouble(-1.0, 1.0)));
      }
    } catch (IOException e) {
      if (!connection.isClosed()) {
        LOG.debug("proxied connection failed reading: {}", e.toString());
        connection.abort();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void write() {
    try {
      OutputStream out = to.getOutputStream();
      while (true) {
        Chunk chunk = queue.take();
        if (chunk.isEnd()) {
          if (!connection.isClosed()) {
            to.shutdownOutput();
          }
          connection.directionDone();
          return;
        }
        byte[] bytes = chunk.bytes;
        int offset = 0;
        while (offset < bytes.length) {
          int allowed = engine.awaitSendable(connection, this, chunk, bytes.length - offset);
          if (allowed < 0) {
            return;
          }
          if (allowed == 0) {
            connection.close(); // byte limit used up
            return;
          }
          out.write(bytes, offset, allowed);
          out.flush();
          offset += allowed;
          engine.sent(this, allowed);
          long limit = engine.faults().closeAfterBytes();
          if (limit >= 0 && connection.forwarded() >= limit) {
            connection.close();
            return;
          }
        }
      }
    } catch (IOException e) {
      if (!connection.isClosed()) {
        LOG.debug("proxied connection failed writing: {}", e.toString());
        connection.abort();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
