package io.fedtt.platform.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.fedtt.platform.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's crds/ holds exactly the CRD generated from the Java model (committed under crds/,
 * itself checked by the crds module's CrdUpToDateTest). Refresh with
 * {@code mvn -pl platform -am test -Dtest=ChartCrdTest -Dsurefire.failIfNoSpecifiedTests=false -Dfedtt.updateChartCrd=true}
 * (or {@code cp crds/federatedfinetunes.fedtt.io-v1.yml helm/fedtt-operator/crds/}).
 */
class ChartCrdTest {

  @Test
  void chartCrdEqualsTheGeneratedCrd() throws IOException {
    Path copy = Repo.CHART.resolve("crds").resolve(Repo.CRD.getFileName());
    if (Boolean.getBoolean("fedtt.updateChartCrd")) {
      Files.copy(Repo.CRD, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    String how = "refresh it with: cp crds/" + Repo.CRD.getFileName() + " helm/fedtt-operator/crds/"
        + " (or -Dfedtt.updateChartCrd=true on this test), then commit it";
    if (!Files.exists(copy)) {
      fail("helm/fedtt-operator/crds/" + Repo.CRD.getFileName() + " is missing; " + how);
    }
    if (!Files.readString(copy).equals(Files.readString(Repo.CRD))) {
      fail("helm/fedtt-operator/crds/" + Repo.CRD.getFileName() + " differs from the generated CRD; " + how);
    }
  }

  @Test
  void chartCrdsHoldsNothingElse() throws IOException {
    try (Stream<Path> files = Files.list(Repo.CHART.resolve("crds"))) {
      assertEquals(List.of(Repo.CRD.getFileName().toString()), files.map(p -> p.getFileName().toString()).toList());
    }
  }
}
