package io.fedtt.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;

/**
 * One federated fine-tuning job: a base model, an adapter, a method and a schedule, run across
 * silos (cross-silo) or virtual devices (cross-device). The operator reconciles it into worker
 * pods; {@code fedtt simulate} runs the same manifest on one machine.
 */
@Group(FederatedFineTune.GROUP)
@Version(FederatedFineTune.VERSION)
@Kind(FederatedFineTune.KIND)
@Plural(FederatedFineTune.PLURAL)
@Singular("federatedfinetune")
@ShortNames(FederatedFineTune.SHORT_NAME)
// The job name also names its Service and label values, which allow at most 63 characters.
@ValidationRule(value = "!has(self.metadata.name) || size(self.metadata.name) <= 63",
    message = "metadata.name must be at most 63 characters: it also names the job's Service and labels")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Round", jsonPath = ".status.round.display", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Accuracy", jsonPath = ".status.metrics.accuracy", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Comm", jsonPath = ".status.communication.display", type = AdditionalPrinterColumn.Type.STRING)
// priority 1: shown by kubectl get -o wide, so jobs without differential privacy keep the compact table
@AdditionalPrinterColumn(name = "Epsilon", jsonPath = ".status.privacy.epsilon", type = AdditionalPrinterColumn.Type.NUMBER, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class FederatedFineTune extends CustomResource<FederatedFineTuneSpec, FederatedFineTuneStatus>
    implements Namespaced {

  public static final String GROUP = "fedtt.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "FederatedFineTune";
  public static final String PLURAL = "federatedfinetunes";
  public static final String SHORT_NAME = "fft";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  /** Name of the generated CRD file (on the classpath under META-INF/fabric8/, committed under crds/). */
  public static final String CRD_FILE = PLURAL + "." + GROUP + "-v1.yml";
}
