package dev.steadfast.jwt.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A small parsed JSON object: an immutable, thread-safe map of its members in document order, kept as two
 * arrays. A JWT header or claims set has a handful of members, so a linear scan (the usual member names are
 * shared instances from {@link JsonReader}, so {@code equals} usually matches on identity) costs less than
 * hashing and allocates far less than a {@code LinkedHashMap}. {@link JsonReader} uses it up to
 * {@link #MAX_MEMBERS} members and a {@code LinkedHashMap} beyond, so lookups never degrade to long scans.
 */
final class JsonObject extends AbstractMap<String, Object> {
  static final int MAX_MEMBERS = 16;

  private final String[] names;
  private final Object[] values;
  private final int size;

  /** Takes ownership of the arrays; the first {@code size} entries are the members, names distinct. */
  JsonObject(String[] names, Object[] values, int size) {
    this.names = names;
    this.values = values;
    this.size = size;
  }

  private int indexOf(@Nullable Object name) {
    if (name == null) {
      return -1;
    }
    // Identity first: known names are shared instances, and equal to the callers' literals. Then the cached
    // hash codes, so that a miss costs no character comparisons.
    for (int i = 0; i < size; i++) {
      if (names[i] == name) {
        return i;
      }
    }
    int hash = name.hashCode();
    for (int i = 0; i < size; i++) {
      String n = names[i];
      if (n.hashCode() == hash && n.equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public @Nullable Object get(@Nullable Object name) {
    int i = indexOf(name);
    return i < 0 ? null : values[i];
  }

  @Override
  public boolean containsKey(@Nullable Object name) {
    return indexOf(name) >= 0;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<Map.Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Map.Entry<String, Object> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new AbstractMap.SimpleImmutableEntry<>(names[i], values[i]);
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o == this || super.equals(o);
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (int i = 0; i < size; i++) {
      h += Objects.hashCode(names[i]) ^ Objects.hashCode(values[i]);
    }
    return h;
  }
}
