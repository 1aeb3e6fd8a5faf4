-- Steadfast outbox and inbox tables for MariaDB, default names.
-- The same statements Outbox.createSchemaIfMissing() and Inbox.createSchemaIfMissing() run; for migration tools.

CREATE TABLE IF NOT EXISTS steadfast_outbox (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, id CHAR(36) CHARACTER SET ascii NOT NULL, destination VARCHAR(1000) NOT NULL, msg_key VARCHAR(500), headers MEDIUMTEXT NOT NULL, payload MEDIUMBLOB NOT NULL, created_at BIGINT NOT NULL, status SMALLINT NOT NULL DEFAULT 0, attempts INT NOT NULL DEFAULT 0, available_at BIGINT NOT NULL, lease_token CHAR(36) CHARACTER SET ascii, done_at BIGINT, last_error VARCHAR(1000), UNIQUE KEY steadfast_outbox_id (id), KEY steadfast_outbox_pending (status, seq), KEY steadfast_outbox_pending_key (msg_key, status, seq), KEY steadfast_outbox_done (status, done_at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS steadfast_inbox (consumer VARCHAR(200) NOT NULL, message_id CHAR(36) CHARACTER SET ascii NOT NULL, processed_at BIGINT NOT NULL, PRIMARY KEY (consumer, message_id), KEY steadfast_inbox_processed (processed_at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
