package io.fedtt.platform.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.platform.Repo;
import io.fedtt.platform.chart.Helm;
import io.fedtt.platform.chart.Rendered;
import io.fedtt.platform.chart.StrictManifests;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/platform.md says only what is true: its helm commands render (same flags, through
 * {@code helm template}) into objects Fabric8 parses strictly, the files it names exist, the
 * conditions it waits for exist, and its RBAC table is the chart's rules. Its metric names are
 * checked against a real scrape in LiveOperatorTest.
 */
class PlatformGuideTest {

  static String guide;

  @BeforeAll
  static void read() throws IOException {
    guide = Files.readString(Repo.ROOT.resolve("docs/platform.md"));
  }

  /** Shell commands in ```sh blocks, continuation lines joined. */
  static List<String> commands() {
    List<String> out = new ArrayList<>();
    Matcher block = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(guide);
    while (block.find()) {
      String joined = block.group(1).replaceAll("\\\\\\n\\s*", " ");
      joined.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(out::add);
    }
    return out;
  }

  @Test
  void everyHelmInstallAndUpgradeRenders() {
    List<String> helmCommands = commands().stream()
        .filter(c -> c.startsWith("helm install ") || c.startsWith("helm upgrade ")).toList();
    assertTrue(helmCommands.size() >= 5, "helm commands found: " + helmCommands);
    Helm helm = Helm.require();
    for (String c : helmCommands) {
      List<String> words = new ArrayList<>(Arrays.asList(c.split("\\s+")));
      assertEquals("helm/fedtt-operator", words.get(3), c);
      words.set(1, "template");
      words.set(3, Repo.CHART.toString());
      words.removeIf(w -> Set.of("--create-namespace", "--reuse-values", "--wait").contains(w));
      List<String> args = new ArrayList<>(words.subList(1, words.size()));
      args.add("--include-crds");
      List<HasMetadata> objects = StrictManifests.parse(helm.ok(args.toArray(String[]::new)));
      assertFalse(objects.isEmpty(), c);
    }
  }

  @Test
  void namedFilesExist() {
    // Expand the guide's one loop ("for f in a b c; do ... $f ...") so that its files are checked too.
    String text = guide;
    Matcher loop = Pattern.compile("for f in ([^;]+); do\\n(.*?)\\ndone", Pattern.DOTALL).matcher(guide);
    while (loop.find()) {
      for (String f : loop.group(1).trim().split("\\s+")) {
        text += "\n" + loop.group(2).replace("$f", f);
      }
    }
    Matcher m = Pattern.compile("(?:examples|helm)/[A-Za-z0-9_./-]+\\.(?:yaml|yml|json|gz)").matcher(text);
    Set<String> named = new TreeSet<>();
    while (m.find()) {
      named.add(m.group());
    }
    assertTrue(named.size() >= 6, "file references found: " + named);
    assertEquals(List.of(), named.stream().filter(f -> !Files.exists(Repo.ROOT.resolve(f))).toList());
  }

  @Test
  void waitedForConditionsExist() {
    Matcher m = Pattern.compile("--for=condition=([A-Za-z]+)").matcher(guide);
    Set<String> types = Arrays.stream(ConditionType.values()).map(Enum::name).collect(Collectors.toSet());
    int found = 0;
    while (m.find()) {
      found++;
      if (m.group(0).contains("fft/")) {
        continue;
      }
      assertTrue(types.contains(m.group(1)) || "Ready".equals(m.group(1)), m.group());
    }
    for (String c : commands()) {
      Matcher w = Pattern.compile("--for=condition=([A-Za-z]+) fft/").matcher(c);
      if (w.find()) {
        assertTrue(types.contains(w.group(1)), "a FederatedFineTune has no condition " + w.group(1) + ": " + c);
      }
    }
    assertTrue(found >= 2);
  }

  @Test
  void rbacTableIsTheChartsRules() {
    Pattern row = Pattern.compile("^\\| `?([a-z0-9.]+)`? \\| `([a-z/]+)`[^|]* \\| ([a-z, ()`A-Za-z]+?) \\|$", Pattern.MULTILINE);
    String section = guide.substring(guide.indexOf("What the operator may do"), guide.indexOf("## 4."));
    Set<String> documented = new TreeSet<>();
    Matcher m = row.matcher(section);
    while (m.find()) {
      String group = m.group(1);
      String verbs = m.group(3).replaceAll("\\([^)]*\\)", "");
      for (String v : verbs.split(",")) {
        documented.add(group + "/" + m.group(2) + ":" + v.strip());
      }
    }
    Set<String> chart = new TreeSet<>(Rendered.grants(Rendered.of(null).one(ClusterRole.class).getRules()));
    Rendered le = Rendered.of("leader-election-values.yaml");
    le.all(Role.class).forEach(r -> chart.addAll(Rendered.grants(r.getRules())));
    assertEquals(chart, documented, "docs/platform.md's RBAC table vs the chart's rules");
  }
}
