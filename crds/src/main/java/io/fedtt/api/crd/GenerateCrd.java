package io.fedtt.api.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Writes the FederatedFineTune CRD with fabric8's CRD generator (run by the build at
 * process-classes; see crds/pom.xml). It differs from the generator's Maven plugin in one point:
 * printer columns keep the order in which {@link FederatedFineTune} declares them, because the
 * generator sorts them by JSON path (fabric8 issue 7454) and {@code kubectl get fft} would then
 * start with Age.
 */
public final class GenerateCrd {
  private GenerateCrd() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: GenerateCrd <output directory>");
    }
    File dir = new File(args[0]);
    if (!dir.isDirectory() && !dir.mkdirs()) {
      throw new IllegalStateException("cannot create " + dir);
    }
    int written = new CRDGenerator()
        .customResourceClasses(FederatedFineTune.class)
        .forCRDVersions("v1")
        .withMinQuotes(true)
        .withPostProcessor(new DeclaredColumnOrder())
        .inOutputDir(dir)
        .generate();
    if (written != 1) {
      throw new IllegalStateException("expected one CRD, the generator wrote " + written);
    }
  }

  /** Reorders additionalPrinterColumns to the order of the annotations on the resource class. */
  static final class DeclaredColumnOrder implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      List<String> order = Arrays.stream(FederatedFineTune.class.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::name)
          .toList();
      for (CustomResourceDefinitionVersion version : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
        List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
        if (columns != null) {
          List<CustomResourceColumnDefinition> sorted = new ArrayList<>(columns);
          sorted.sort(Comparator.comparingInt(c -> rank(order, c.getName())));
          version.setAdditionalPrinterColumns(sorted);
        }
      }
      return crd;
    }

    private static int rank(List<String> order, String name) {
      int i = order.indexOf(name);
      return i < 0 ? Integer.MAX_VALUE : i;
    }
  }
}
