package io.fedtt.platform.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fedtt.platform.Repo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The chart rendered with one values file (or the defaults): lint-clean, typed, and cached per JVM. */
public final class Rendered {

  public static final String RELEASE = "fedtt";
  public static final String NAMESPACE = "fedtt-system";
  private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

  public final String valuesFile;
  public final List<HasMetadata> objects;

  private Rendered(String valuesFile, List<HasMetadata> objects) {
    this.valuesFile = valuesFile;
    this.objects = objects;
  }

  /**
   * {@code helm lint --strict} and {@code helm template --include-crds} with ci/{@code valuesFile}
   * (null: the defaults), then every object parsed strictly.
   */
  public static Rendered of(String valuesFile) {
    return CACHE.computeIfAbsent(valuesFile == null ? "" : valuesFile, k -> render(valuesFile));
  }

  private static Rendered render(String valuesFile) {
    Helm helm = Helm.require();
    List<String> values = valuesFile == null ? List.of()
        : List.of("-f", Repo.CHART.resolve("ci").resolve(valuesFile).toString());
    List<String> lint = new ArrayList<>(List.of("lint", "--strict", Repo.CHART.toString()));
    lint.addAll(values);
    String lintOut = helm.ok(lint.toArray(String[]::new));
    if (!lintOut.contains("0 chart(s) failed")) {
      throw new AssertionError("helm lint --strict: " + lintOut);
    }
    List<String> template = new ArrayList<>(List.of("template", RELEASE, Repo.CHART.toString(), "--namespace",
        NAMESPACE, "--include-crds"));
    template.addAll(values);
    return new Rendered(valuesFile, StrictManifests.parse(helm.ok(template.toArray(String[]::new))));
  }

  public <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  public <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    assertEquals(1, found.size(), "one " + type.getSimpleName() + " expected with " + describe() + ", got " + found.size());
    return found.get(0);
  }

  public <T extends HasMetadata> Optional<T> find(Class<T> type, String namespace, String name) {
    return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())
        && (namespace == null || namespace.equals(o.getMetadata().getNamespace()))).findFirst();
  }

  public String describe() {
    return valuesFile == null ? "default values" : "ci/" + valuesFile;
  }

  /** A rule as a comparable string per (group, resource, verb), the unit RBAC decides on. */
  public static List<String> grants(List<PolicyRule> rules) {
    List<String> out = new ArrayList<>();
    for (PolicyRule r : rules) {
      for (String g : r.getApiGroups()) {
        for (String res : r.getResources()) {
          for (String v : r.getVerbs()) {
            out.add((g.isEmpty() ? "core" : g) + "/" + res + ":" + v);
          }
        }
      }
    }
    return out.stream().sorted().toList();
  }
}
