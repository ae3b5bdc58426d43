package io.fedtt.platform.chart;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.platform.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NOTES.txt as helm install would print it. helm template skips NOTES.txt, so a copy of the chart
 * renders it through tpl inside a YAML template; the text is the same.
 */
class NotesTest {

  private static Path chart;

  @BeforeAll
  static void copyChart() throws IOException {
    chart = Files.createTempDirectory("notes-chart").resolve("fedtt-operator");
    try (Stream<Path> files = Files.walk(Repo.CHART)) {
      for (Path f : files.toList()) {
        Path to = chart.resolve(Repo.CHART.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    Files.move(chart.resolve("templates/NOTES.txt"), chart.resolve("notes-src.txt"));
    Files.writeString(chart.resolve("templates/notes.yaml"),
        "notes: |\n{{ tpl (.Files.Get \"notes-src.txt\") . | indent 2 }}\n");
  }

  @AfterAll
  static void delete() throws IOException {
    try (Stream<Path> files = Files.walk(chart.getParent())) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  static String notes(String... set) {
    List<String> args = new ArrayList<>(List.of("template", "fedtt-operator", chart.toString(), "--namespace",
        "fedtt-system", "--show-only", "templates/notes.yaml"));
    for (String s : set) {
      args.add("--set");
      args.add(s);
    }
    String out = Helm.require().ok(args.toArray(String[]::new));
    assertFalse(out.contains("<no value>"), out);
    return out;
  }

  @Test
  void defaultsSayHowToApplyWatchAndUpgrade() {
    String n = notes("workerServiceAccount.extraNamespaces={ml}");
    assertTrue(n.contains("kubectl -n fedtt-system rollout status deployment/fedtt-operator"), n);
    assertTrue(n.contains("kubectl get fft -n ml -w"), n);
    assertTrue(n.contains("kubectl wait -n ml --for=condition=Succeeded fft/quickstart"), n);
    assertTrue(n.contains("ServiceAccount fedtt-operator-worker"), n);
    assertTrue(n.contains("It exists in: fedtt-system, ml."), n);
    assertTrue(n.contains("kubectl replace -f"), n);
    assertTrue(n.contains("port-forward svc/fedtt-operator 8080"), n);
    assertFalse(n.contains("WARNING"), n);
  }

  @Test
  void warnsWhenStateIsNotKeptOrNotShared() {
    assertTrue(notes("persistence.enabled=false").contains("WARNING: persistence.enabled=false"));
    String ha = notes("replicas=2", "leaderElection.enabled=true");
    assertTrue(ha.contains("a standby on another node cannot mount it"), ha);
    assertFalse(notes("replicas=2", "leaderElection.enabled=true", "persistence.accessModes={ReadWriteMany}")
        .contains("WARNING"));
  }

  @Test
  void namespacedInstallNamesItsNamespaces() {
    String n = notes("watchNamespaces={ml,research}");
    assertTrue(n.contains("It watches FederatedFineTune resources in: ml, research."), n);
    assertTrue(n.contains("It exists in: fedtt-system, ml, research."), n);
  }
}
