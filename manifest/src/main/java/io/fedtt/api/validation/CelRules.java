package io.fedtt.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates the CRD's own {@code x-kubernetes-validations} (CEL) at the schema node where each
 * rule is attached, with {@code self} bound to the value there, as the API server does. Rules that
 * mention {@code oldSelf} are transition rules: evaluated only on update, and only where the old
 * object has a value at the same place. Values are typed by the schema (integer fields as int,
 * number fields as double) so that comparisons behave as on a cluster.
 */
final class CelRules {
  private static final String SELF = "self";
  private static final String OLD_SELF = "oldSelf";

  private final CrdSchema crd;
  private final CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar(SELF, SimpleType.DYN)
      .addVar(OLD_SELF, SimpleType.DYN)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .build();
  private final CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();
  private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();

  private record Compiled(CelRuntime.Program program, boolean transition) {}

  /** Compiles every rule in the schema; a rule that does not compile is a bug in the model. */
  CelRules(CrdSchema crd) {
    this.crd = crd;
    compileAll(crd.root(), "");
  }

  private void compileAll(JsonNode schema, String where) {
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      compile(rule.path("rule").asText(), where);
      if (rule.hasNonNull("messageExpression")) {
        compile(rule.path("messageExpression").asText(), where);
      }
    }
    schema.path("properties").properties().forEach(p -> compileAll(p.getValue(), JsonPaths.child(where, p.getKey())));
    for (String key : List.of("items", "additionalProperties")) {
      if (schema.path(key).isObject()) {
        compileAll(schema.get(key), where + "[*]");
      }
    }
  }

  private Compiled compile(String expression, String where) {
    return compiled.computeIfAbsent(expression, e -> {
      try {
        CelAbstractSyntaxTree ast = compiler.compile(e).getAst();
        boolean transition = ast.getReferenceMap().values().stream().anyMatch(r -> OLD_SELF.equals(r.name()));
        return new Compiled(runtime.createProgram(ast), transition);
      } catch (CelValidationException | CelEvaluationException ex) {
        throw new IllegalStateException("CEL rule at " + (where.isEmpty() ? "the root" : where)
            + " does not compile: " + e + ": " + ex.getMessage(), ex);
      }
    });
  }

  /**
   * Evaluates the rules on {@code value} (defaulted, whole document); {@code old} is the previous
   * version for an update, or null for a create. Evaluation errors inside a subtree that already
   * has a schema problem are not reported again.
   */
  List<Problem> evaluate(JsonNode value, JsonNode old, List<Problem> schemaProblems) {
    List<Problem> problems = new ArrayList<>();
    walk(crd.root(), value, old, "", schemaProblems, problems);
    return problems;
  }

  private void walk(JsonNode schema, JsonNode value, JsonNode old, String path,
      List<Problem> schemaProblems, List<Problem> out) {
    if (schema == null || value == null || value.isMissingNode() || value.isNull()) {
      return;
    }
    JsonNode usableOld = old == null || old.isMissingNode() || old.isNull() ? null : old;
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      check(rule, schema, value, usableOld, path, schemaProblems, out);
    }
    if (value.isObject()) {
      for (Map.Entry<String, JsonNode> field : value.properties()) {
        JsonNode childOld = usableOld == null ? null : usableOld.get(field.getKey());
        walk(CrdSchema.child(schema, field.getKey()), field.getValue(), childOld,
            JsonPaths.child(path, field.getKey()), schemaProblems, out);
      }
    } else if (value.isArray()) {
      JsonNode items = schema.get("items");
      for (int i = 0; i < value.size(); i++) {
        // Like the API server for atomic lists: no old value is correlated with list items.
        walk(items, value.get(i), null, JsonPaths.index(path, i), schemaProblems, out);
      }
    }
  }

  private void check(JsonNode rule, JsonNode schema, JsonNode value, JsonNode old, String path,
      List<Problem> schemaProblems, List<Problem> out) {
    String expression = rule.path("rule").asText();
    Compiled program = compile(expression, path);
    if (program.transition() && old == null) {
      return;
    }
    Map<String, Object> vars = new HashMap<>();
    vars.put(SELF, toCel(value, schema));
    if (old != null) {
      vars.put(OLD_SELF, toCel(old, schema));
    }
    String target = JsonPaths.append(path, rule.path("fieldPath").asText(null));
    Object result;
    try {
      result = program.program().eval(vars);
    } catch (CelEvaluationException | RuntimeException e) {
      if (schemaProblems.stream().noneMatch(p -> JsonPaths.within(p.path(), path))) {
        out.add(new Problem(target, "could not evaluate rule " + expression + ": " + e.getMessage()));
      }
      return;
    }
    if (Boolean.TRUE.equals(result)) {
      return;
    }
    if (!(result instanceof Boolean)) {
      out.add(new Problem(target, "rule " + expression + " returned " + result + " instead of a boolean"));
      return;
    }
    out.add(new Problem(target, message(rule, vars, expression)));
  }

  private String message(JsonNode rule, Map<String, Object> vars, String expression) {
    if (rule.hasNonNull("messageExpression")) {
      try {
        Object text = compile(rule.get("messageExpression").asText(), "").program().eval(vars);
        if (text instanceof String s && !s.isBlank()) {
          return s;
        }
      } catch (CelEvaluationException | RuntimeException e) {
        // fall back to the static message, as the API server does
      }
    }
    if (rule.hasNonNull("message")) {
      return rule.get("message").asText();
    }
    return "failed rule: " + expression;
  }

  /** JSON to CEL values: objects as maps, arrays as lists, numbers typed by the schema. */
  static Object toCel(JsonNode node, JsonNode schema) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        JsonNode child = schema == null ? null : CrdSchema.child(schema, field.getKey());
        map.put(field.getKey(), toCel(field.getValue(), child));
      }
      return map;
    }
    if (node.isArray()) {
      JsonNode items = schema == null ? null : schema.get("items");
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(toCel(item, items)));
      return list;
    }
    if (node.isNumber()) {
      String type = schema == null ? "" : schema.path("type").asText();
      if ("number".equals(type) || (!"integer".equals(type) && !node.isIntegralNumber())) {
        return Double.valueOf(node.asDouble());
      }
      if (node.isIntegralNumber()) {
        return Long.valueOf(node.asLong()); // boxed apart: a ?: with a double would widen it
      }
      return Double.valueOf(node.asDouble());
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isNull()) {
      return NullValue.NULL_VALUE;
    }
    return node.asText();
  }
}
