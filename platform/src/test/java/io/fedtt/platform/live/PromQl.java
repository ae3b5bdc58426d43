package io.fedtt.platform.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough PromQL reading to check a dashboard: the metric names an expression selects and the
 * label names its selectors match on. Function and aggregation names (followed by "(" or by a
 * by/without clause), keywords,
 * label lists after by/without/on/ignoring/group_left/group_right, durations in [...] and Grafana
 * variables ($job, $__rate_interval) are not metric names.
 */
public final class PromQl {

  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "and", "or", "unless", "offset", "atan2");
  private static final Set<String> LABEL_LIST_BEFORE = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right");
  private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$");
  private static final Pattern MODIFIER_NEXT = Pattern.compile("(by|without)\\s*\\(");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

  private PromQl() {}

  /** Metric name -> label names its selectors match on, in order of appearance. */
  public static Map<String, Set<String>> selectors(String expr) {
    Matcher lv = LABEL_VALUES.matcher(expr);
    String e = lv.matches() ? lv.group(1) : expr;
    e = e.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    Map<String, Set<String>> out = new LinkedHashMap<>();
    int i = 0;
    String previousWord = null;
    while (i < e.length()) {
      char c = e.charAt(i);
      if (c == '[') {
        i = e.indexOf(']', i) + 1;
      } else if (c == '$') {
        i++;
        while (i < e.length() && (Character.isLetterOrDigit(e.charAt(i)) || e.charAt(i) == '_')) {
          i++;
        }
      } else if (c == '(' && previousWord != null && LABEL_LIST_BEFORE.contains(previousWord)) {
        i = e.indexOf(')', i) + 1;
        previousWord = null;
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int start = i;
        while (i < e.length() && (Character.isLetterOrDigit(e.charAt(i)) || e.charAt(i) == '_' || e.charAt(i) == ':')) {
          i++;
        }
        String word = e.substring(start, i);
        int j = skipSpaces(e, i);
        // A call, or an aggregation written with its modifier first: sum by (x) (...).
        boolean call = j < e.length() && e.charAt(j) == '(' || MODIFIER_NEXT.matcher(e.substring(j)).lookingAt();
        previousWord = word;
        if (call || KEYWORDS.contains(word)) {
          continue;
        }
        Set<String> labels = out.computeIfAbsent(word, k -> new LinkedHashSet<>());
        if (j < e.length() && e.charAt(j) == '{') {
          int end = e.indexOf('}', j);
          Matcher m = MATCHER.matcher(e.substring(j + 1, end));
          while (m.find()) {
            labels.add(m.group(1));
          }
          i = end + 1;
        }
      } else if (Character.isDigit(c) || c == '.') {
        while (i < e.length() && (Character.isLetterOrDigit(e.charAt(i)) || e.charAt(i) == '.')) {
          i++;
        }
      } else {
        if (!Character.isWhitespace(c)) {
          previousWord = null;
        }
        i++;
      }
    }
    return out;
  }

  /** Sample name -> label names seen on its samples, from a Prometheus text exposition. */
  public static Map<String, Set<String>> exposition(String text) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    for (String line : text.lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      int end = brace >= 0 && (space < 0 || brace < space) ? brace : space;
      String name = line.substring(0, end);
      Set<String> labels = out.computeIfAbsent(name, k -> new LinkedHashSet<>());
      if (end == brace) {
        String inside = line.substring(brace + 1, line.lastIndexOf('}'));
        Matcher m = label.matcher(inside.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\""));
        while (m.find()) {
          labels.add(m.group(1));
        }
      }
    }
    return out;
  }

  /** Every expression in a Grafana dashboard: panel targets and query variables. */
  public static List<String> dashboardExpressions(com.fasterxml.jackson.databind.JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    for (var panel : dashboard.path("panels")) {
      for (var t : panel.path("targets")) {
        if (t.hasNonNull("expr")) {
          out.add(t.get("expr").asText());
        }
      }
    }
    for (var v : dashboard.path("templating").path("list")) {
      if ("query".equals(v.path("type").asText())) {
        var q = v.path("query");
        out.add(q.isTextual() ? q.asText() : q.path("query").asText());
      }
    }
    return out;
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }
}
