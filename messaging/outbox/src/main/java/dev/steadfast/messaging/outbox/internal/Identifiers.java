package dev.steadfast.messaging.outbox.internal;

import java.util.regex.Pattern;

/** Validates the table names and channels that are pasted into SQL, so configuration cannot inject any. */
public final class Identifiers {

  // A plain identifier, optionally schema-qualified; at most 50 characters each, so that index names derived by
  // appending a suffix stay within PostgreSQL's 63 and MySQL's 64.
  private static final Pattern NAME = Pattern.compile("(?:[A-Za-z_][A-Za-z0-9_]{0,49}\\.)?[A-Za-z_][A-Za-z0-9_]{0,49}");

  private Identifiers() {}

  /**
   * Returns {@code value} if it is a plain SQL identifier (letters, digits, underscore; not starting with a digit;
   * at most 50 characters), optionally qualified by one schema.
   *
   * @throws IllegalArgumentException naming {@code setting} and the value otherwise
   */
  public static String requireTableName(String setting, String value) {
    if (!NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(setting
          + " must be an SQL identifier (letters, digits and _, not starting with a digit, at most 50 characters,"
          + " optionally schema.table), was '" + value + "'");
    }
    return value;
  }

  /** The table part of a possibly schema-qualified name. */
  static String unqualified(String table) {
    return table.substring(table.lastIndexOf('.') + 1);
  }
}
