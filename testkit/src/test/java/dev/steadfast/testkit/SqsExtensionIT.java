package dev.steadfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.Message;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SqsExtensionIT {

  @RegisterExtension static final SqsExtension SQS = SqsExtension.create();

  private static final AtomicReference<String> firstQueueName = new AtomicReference<>();

  @Test
  @Order(1)
  void sendsAndReceivesWithTheBlockingClient() {
    String queueUrl = SQS.createQueue("orders");
    firstQueueName.set(queueUrl.substring(queueUrl.lastIndexOf('/') + 1));
    SQS.client().sendMessage(r -> r.queueUrl(queueUrl).messageBody("hello"));
    List<Message> messages =
        SQS.client().receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(5)).messages();
    assertThat(messages).extracting(Message::body).containsExactly("hello");
  }

  @Test
  @Order(2)
  void deletesTheQueuesOfTheTestBefore() {
    assertThat(firstQueueName.get()).isNotNull();
    assertThat(SQS.client().listQueues(r -> r.queueNamePrefix(firstQueueName.get())).queueUrls()).isEmpty();
  }

  @Test
  void sendsAndReceivesWithTheAsyncClient() throws Exception {
    String queueUrl =
        SQS.asyncClient()
            .createQueue(r -> r.queueName(SQS.queueName("async")))
            .get(10, TimeUnit.SECONDS)
            .queueUrl();
    SQS.asyncClient().sendMessage(r -> r.queueUrl(queueUrl).messageBody("async hello")).get(10, TimeUnit.SECONDS);
    List<Message> messages =
        SQS.asyncClient()
            .receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(5))
            .get(10, TimeUnit.SECONDS)
            .messages();
    assertThat(messages).extracting(Message::body).containsExactly("async hello");
  }

  @Test
  void fifoQueuesDropDuplicates() {
    String queueUrl = SQS.createQueue("orders.fifo");
    assertThat(queueUrl).endsWith(".fifo");
    for (int i = 0; i < 2; i++) {
      SQS.client()
          .sendMessage(
              r -> r.queueUrl(queueUrl).messageBody("once").messageGroupId("g").messageDeduplicationId("d1"));
    }
    List<Message> messages =
        SQS.client()
            .receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
            .messages();
    assertThat(messages).extracting(Message::body).containsExactly("once");
  }

  @Test
  void queueNamesAreUniqueAndChecked() {
    assertThat(SQS.queueName("a")).isNotEqualTo(SQS.queueName("a")).endsWith("-a");
    assertThatThrownBy(() -> SQS.queueName("no spaces"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 'no spaces'");
    assertThat(SQS.endpoint().getHost()).isEqualTo("127.0.0.1");
  }
}
