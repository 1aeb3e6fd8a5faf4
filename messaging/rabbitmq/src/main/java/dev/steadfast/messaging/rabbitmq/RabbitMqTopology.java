package dev.steadfast.messaging.rabbitmq;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Exchanges, queues (classic or quorum), bindings and dead-letter wiring to declare, all durable; immutable.
 * Declaring is idempotent as long as the arguments match what exists (RabbitMQ refuses a queue redeclared with
 * other arguments: 406 PRECONDITION_FAILED). {@link RabbitMqAdapter#declare(RabbitMqTopology)} declares it.
 *
 * <p>Dead-lettering goes through the default exchange: a queue with a {@link Builder#deadLetterQueue dead-letter
 * queue} gets {@code x-dead-letter-exchange=""} and {@code x-dead-letter-routing-key=<that queue>}, so no extra
 * exchange is needed.
 *
 * @since 0.1.0
 */
public final class RabbitMqTopology {

  private final Map<String, BuiltinExchangeType> exchanges;
  private final Map<String, Map<String, Object>> queues;
  private final List<String[]> bindings;

  private RabbitMqTopology(Builder builder) {
    exchanges = Map.copyOf(builder.exchanges);
    Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
    builder.queues.forEach((name, arguments) -> copy.put(name, Map.copyOf(arguments)));
    queues = Collections.unmodifiableMap(copy);
    bindings = List.copyOf(builder.bindings);
  }

  /** An empty topology builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The queues with their declaration arguments ({@code x-queue-type}, dead-letter settings), in order. */
  public Map<String, Map<String, Object>> queues() {
    return queues;
  }

  /**
   * Declares everything on {@code channel}: exchanges, then queues (dead-letter queues first), then bindings.
   *
   * @throws IOException when the broker refuses a declaration (the channel is closed then)
   */
  public void declareOn(Channel channel) throws IOException {
    for (Map.Entry<String, BuiltinExchangeType> exchange : exchanges.entrySet()) {
      channel.exchangeDeclare(exchange.getKey(), exchange.getValue(), true);
    }
    for (Map.Entry<String, Map<String, Object>> queue : queues.entrySet()) {
      channel.queueDeclare(queue.getKey(), true, false, false, queue.getValue());
    }
    for (String[] binding : bindings) {
      channel.queueBind(binding[0], binding[1], binding[2]);
    }
  }

  /** Collects declarations; each method checks its arguments and names them. Not thread-safe. */
  public static final class Builder {
    private final Map<String, BuiltinExchangeType> exchanges = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> queues = new LinkedHashMap<>();
    private final List<String[]> bindings = new ArrayList<>();

    private Builder() {}

    /**
     * A durable exchange of {@code type}.
     *
     * @throws IllegalArgumentException when the name is blank
     */
    public Builder exchange(String name, BuiltinExchangeType type) {
      exchanges.put(name("exchange", name), Objects.requireNonNull(type, "type"));
      return this;
    }

    /**
     * A durable classic queue.
     *
     * @throws IllegalArgumentException when the name is blank or declared before
     */
    public Builder classicQueue(String name) {
      return queue(name, "classic");
    }

    /**
     * A quorum queue: replicated, and it counts deliveries ({@code x-delivery-count}), which {@link
     * ConsumerFailurePolicy#deadLetterAfter} reads.
     *
     * @throws IllegalArgumentException when the name is blank or declared before
     */
    public Builder quorumQueue(String name) {
      return queue(name, "quorum");
    }

    /**
     * Has the broker itself dead-letter (or drop) a message of quorum queue {@code queue} after {@code limit}
     * failed deliveries ({@code x-delivery-limit}).
     *
     * @throws IllegalArgumentException when {@code queue} is not a quorum queue declared here, or {@code limit < 1}
     */
    public Builder deliveryLimit(String queue, int limit) {
      Map<String, Object> arguments = declared(queue);
      if (!"quorum".equals(arguments.get("x-queue-type"))) {
        throw new IllegalArgumentException("deliveryLimit needs a quorum queue, '" + queue + "' is not one");
      }
      if (limit < 1) {
        throw new IllegalArgumentException("deliveryLimit must be >= 1, was " + limit);
      }
      arguments.put("x-delivery-limit", limit);
      return this;
    }

    /**
     * Dead-letters what {@code queue} rejects without requeue (or expires, or drops at its delivery limit) into a
     * durable classic queue {@code deadLetterQueue}, declared here before {@code queue}.
     *
     * @throws IllegalArgumentException when {@code queue} is not declared here, or a name is blank
     */
    public Builder deadLetterQueue(String queue, String deadLetterQueue) {
      Map<String, Object> arguments = declared(queue);
      String target = name("deadLetterQueue", deadLetterQueue);
      if (target.equals(queue)) {
        throw new IllegalArgumentException("deadLetterQueue must differ from the queue, was '" + target + "'");
      }
      arguments.put("x-dead-letter-exchange", "");
      arguments.put("x-dead-letter-routing-key", target);
      if (!queues.containsKey(target)) {
        // Declared first, so that nothing is dead-lettered into a queue that does not exist yet.
        Map<String, Map<String, Object>> reordered = new LinkedHashMap<>();
        reordered.put(target, new HashMap<>());
        reordered.putAll(queues);
        queues.clear();
        queues.putAll(reordered);
      }
      return this;
    }

    /**
     * Binds {@code queue} to {@code exchange} with {@code routingKey}.
     *
     * @throws IllegalArgumentException when the queue or exchange name is blank
     */
    public Builder bind(String queue, String exchange, String routingKey) {
      bindings.add(
          new String[] {
            name("queue", queue), name("exchange", exchange), Objects.requireNonNull(routingKey, "routingKey")
          });
      return this;
    }

    /** The topology; the builder is not changed and can build again. */
    public RabbitMqTopology build() {
      return new RabbitMqTopology(this);
    }

    private Builder queue(String name, String type) {
      String checked = name("queue", name);
      if (queues.containsKey(checked)) {
        throw new IllegalArgumentException("queue '" + checked + "' is declared twice");
      }
      Map<String, Object> arguments = new HashMap<>();
      if (!type.equals("classic")) {
        // Classic is the default; leaving the argument out also keeps other AMQP 0-9-1 brokers happy.
        arguments.put("x-queue-type", type);
      }
      queues.put(checked, arguments);
      return this;
    }

    private Map<String, Object> declared(String queue) {
      Map<String, Object> arguments = queues.get(Objects.requireNonNull(queue, "queue"));
      if (arguments == null) {
        throw new IllegalArgumentException("queue '" + queue + "' must be declared first (classicQueue/quorumQueue)");
      }
      return arguments;
    }

    private static String name(String what, String name) {
      Objects.requireNonNull(name, what);
      if (name.isBlank()) {
        throw new IllegalArgumentException(what + " name must not be blank, was '" + name + "'");
      }
      return name;
    }
  }
}
