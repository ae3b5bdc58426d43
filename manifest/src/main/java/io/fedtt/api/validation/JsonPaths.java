package io.fedtt.api.validation;

import java.util.regex.Pattern;

/** Builds the JSON paths used in {@link Problem}: {@code spec.silos[1].name}, {@code spec.nodeSelector[kubernetes.io/os]}. */
final class JsonPaths {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private JsonPaths() {}

  static String child(String parent, String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      return parent + "[" + name + "]";
    }
    return parent.isEmpty() ? name : parent + "." + name;
  }

  static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  /** Appends a CEL rule's fieldPath such as {@code .rounds.minSilos}. */
  static String append(String parent, String fieldPath) {
    if (fieldPath == null || fieldPath.isEmpty()) {
      return parent;
    }
    String tail = fieldPath.startsWith(".") ? fieldPath.substring(1) : fieldPath;
    return parent.isEmpty() ? tail : parent + "." + tail;
  }

  /** True when {@code path} is {@code ancestor} or lies below it. */
  static boolean within(String path, String ancestor) {
    if (ancestor.isEmpty() || path.equals(ancestor)) {
      return true;
    }
    return path.startsWith(ancestor)
        && (path.charAt(ancestor.length()) == '.' || path.charAt(ancestor.length()) == '[');
  }
}
