package dev.steadfast.messaging.outbox.internal;

import dev.steadfast.messaging.outbox.spi.OutboxDialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * MariaDB 10.6+ and MySQL 8 (InnoDB): ids as ASCII text (MySQL has no uuid type), composite indexes in place of
 * partial ones, no notifications (relays poll).
 */
public final class MariaDbDialect implements OutboxDialect {

  @Override
  public String name() {
    return "MariaDB";
  }

  @Override
  public List<String> createOutboxTable(String table) {
    String index = Identifiers.unqualified(table);
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + table + " ("
            + Sql.outboxColumns("seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY", "CHAR(36) CHARACTER SET ascii",
                "MEDIUMTEXT", "MEDIUMBLOB", "CHAR(36) CHARACTER SET ascii") + ", "
            + "UNIQUE KEY " + index + "_id (id), "
            + "KEY " + index + "_pending (status, seq), "
            + "KEY " + index + "_pending_key (msg_key, status, seq), "
            + "KEY " + index + "_done (status, done_at)"
            + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  }

  @Override
  public List<String> createInboxTable(String table) {
    String index = Identifiers.unqualified(table);
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + table + " (" + Sql.inboxColumns("CHAR(36) CHARACTER SET ascii") + ", "
            + "KEY " + index + "_processed (processed_at)"
            + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  }

  @Override
  public String claim(String table) {
    return Sql.claim(table, " FORCE INDEX (" + Identifiers.unqualified(table) + "_pending_key)",
        "LIMIT ? FOR UPDATE SKIP LOCKED");
  }

  @Override
  public boolean settlesWithNextClaim() {
    return false;
  }

  @Override
  public String deleteSentBefore(String table) {
    return "DELETE FROM " + table + " WHERE status = 1 AND done_at < ? ORDER BY done_at LIMIT ?";
  }

  @Override
  public String insertInboxIfAbsent(String table) {
    // INSERT IGNORE reports 0 rows for a duplicate key, whatever the driver's found-rows setting.
    return "INSERT IGNORE INTO " + table + " (consumer, message_id, processed_at) VALUES (?, ?, ?)";
  }

  @Override
  public String deleteInboxBefore(String table) {
    return "DELETE FROM " + table + " WHERE processed_at < ? LIMIT ?";
  }

  @Override
  public void setId(PreparedStatement statement, int index, UUID id) throws SQLException {
    statement.setString(index, id.toString());
  }

  @Override
  public UUID getId(ResultSet row, String column) throws SQLException {
    return UUID.fromString(row.getString(column));
  }
}
