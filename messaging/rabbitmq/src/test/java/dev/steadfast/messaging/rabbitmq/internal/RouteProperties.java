package dev.steadfast.messaging.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RouteProperties {

  @Property
  void formattingAnExchangeAndRoutingKeyParsesBackToThem(
      @ForAll("exchanges") String exchange, @ForAll("routingKeys") String routingKey) {
    Route route = Route.parse(Route.format(exchange, routingKey));

    assertThat(route).isEqualTo(new Route(exchange, routingKey));
  }

  @Example
  void aBareNameIsAQueueThroughTheDefaultExchange() {
    assertThat(Route.parse("orders")).isEqualTo(new Route("", "orders"));
    assertThat(Route.parse("orders").isQueue()).isTrue();
  }

  @Example
  void anExchangeAndRoutingKeyAreSplitAtTheFirstSlash() {
    assertThat(Route.parse("events/order/created")).isEqualTo(new Route("events", "order/created"));
  }

  @Example
  void aLeadingSlashNamesAQueueWithSlashes() {
    assertThat(Route.parse("/tenant/orders")).isEqualTo(new Route("", "tenant/orders"));
  }

  @Example
  void aLoneSlashIsRejectedNamingTheDestination() {
    assertThatThrownBy(() -> Route.parse("/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("destination must be 'queue', 'exchange/routingKey' or '/queue', was '/'");
  }

  @Provide
  Arbitrary<String> exchanges() {
    return Arbitraries.oneOf(
        Arbitraries.just(""), Arbitraries.strings().withChars("abc.-_:").ofMinLength(1).ofMaxLength(20));
  }

  @Provide
  Arbitrary<String> routingKeys() {
    return Arbitraries.strings().withChars("abc./#*-").ofMinLength(1).ofMaxLength(30);
  }
}
