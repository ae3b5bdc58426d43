package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.List;

/**
 * Desired state of a federated fine-tuning job.
 */
@ValidationRule(value = "has(self.silos) != has(self.devices)", message = "set exactly one of silos (cross-silo) or devices (cross-device)")
// Static message: a messageExpression concatenating string(int) is over the API server's CEL cost budget.
@ValidationRule(value = "!has(self.silos) || !has(self.rounds.minSilos) || self.rounds.minSilos <= size(self.silos)", message = "rounds.minSilos must not exceed the number of silos", fieldPath = ".rounds.minSilos")
// A Dirichlet partition deals out each label's examples; causal-lm data has no labels. partition and its
// by are defaulted ({} and dirichlet), so a causal-lm cross-device job names iid or field.
@ValidationRule(value = "!has(self.devices) || !has(self.devices.partition) || !has(self.devices.partition.by)"
    + " || self.devices.partition.by != 'dirichlet'"
    + " || !has(self.model) || !has(self.model.task) || self.model.task == 'sequence-classification'",
    message = "dirichlet partitions by label and needs task sequence-classification; use iid or field for causal-lm",
    fieldPath = ".devices.partition.by")
// adapter.wireDtype (deprecated) and communication.encoding must not disagree; F32 is wireDtype's default.
@ValidationRule(value = "!has(self.communication) || !has(self.communication.encoding) || !has(self.adapter)"
    + " || !has(self.adapter.wireDtype) || self.adapter.wireDtype == 'F32'"
    + " || (self.adapter.wireDtype == 'F16' && self.communication.encoding == 'float16')"
    + " || (self.adapter.wireDtype == 'BF16' && self.communication.encoding == 'bfloat16')",
    message = "adapter.wireDtype (deprecated) and communication.encoding disagree; set only communication.encoding",
    fieldPath = ".communication.encoding")
// Central DP averages clipped updates with equal weights and noise sized for that: robust rules and
// aggregation-level clipping would change the sensitivity.
@ValidationRule(value = "!has(self.privacy) || !has(self.privacy.differentialPrivacy)"
    + " || (has(self.privacy.differentialPrivacy.mode) && self.privacy.differentialPrivacy.mode == 'local')"
    + " || !has(self.method) || !has(self.method.aggregation)"
    + " || ((!has(self.method.aggregation.rule) || self.method.aggregation.rule == 'fedavg') && !has(self.method.aggregation.clipNorm))",
    message = "central differential privacy needs method.aggregation rule fedavg without clipNorm (privacy.differentialPrivacy.clipNorm clips)",
    fieldPath = ".method.aggregation")
// Secure aggregation hands the coordinator one sum per round: nothing that needs each update runs on it.
@ValidationRule(value = "!has(self.privacy) || !has(self.privacy.secureAggregation) || (has(self.privacy.secureAggregation.enabled) && !self.privacy.secureAggregation.enabled)"
    + " || !has(self.method) || !has(self.method.aggregation)"
    + " || ((!has(self.method.aggregation.rule) || self.method.aggregation.rule == 'fedavg') && !has(self.method.aggregation.clipNorm))",
    message = "privacy.secureAggregation needs method.aggregation rule fedavg without clipNorm: the coordinator sees only the sum of a round's updates",
    fieldPath = ".method.aggregation")
@ValidationRule(value = "!has(self.privacy) || !has(self.privacy.secureAggregation) || (has(self.privacy.secureAggregation.enabled) && !self.privacy.secureAggregation.enabled)"
    + " || !has(self.privacy.differentialPrivacy)"
    + " || (has(self.privacy.differentialPrivacy.mode) && self.privacy.differentialPrivacy.mode == 'local')",
    message = "privacy.secureAggregation hides each update from the coordinator, which central differential privacy clips; use differentialPrivacy.mode local",
    fieldPath = ".privacy.differentialPrivacy.mode")
@ValidationRule(value = "!has(self.privacy) || !has(self.privacy.secureAggregation) || (has(self.privacy.secureAggregation.enabled) && !self.privacy.secureAggregation.enabled)"
    + " || !has(self.communication) || !has(self.communication.budgetBytes)",
    message = "communication.budgetBytes cannot be combined with privacy.secureAggregation yet: the budget planner does not price its messages",
    fieldPath = ".communication.budgetBytes")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FederatedFineTuneSpec extends ValueObject {

  @JsonPropertyDescription("The frozen base model and the task (immutable).")
  @Required
  @ValidationRule(value = "self == oldSelf", message = "model cannot be changed after creation; create a new job")
  private ModelSpec model;

  @JsonPropertyDescription("The trainable, exchanged adapter (immutable).")
  @Default("{}")
  @ValidationRule(value = "self == oldSelf", message = "adapter cannot be changed after creation; create a new job")
  private AdapterSpec adapter;

  @JsonPropertyDescription("The federated algorithm (immutable).")
  @Default("{}")
  @ValidationRule(value = "self == oldSelf", message = "method cannot be changed after creation; create a new job")
  private MethodSpec method;

  @JsonPropertyDescription("How the adapter travels between silos and coordinator (immutable).")
  @ValidationRule(value = "self == oldSelf", message = "communication cannot be changed after creation; create a new job")
  private CommunicationSpec communication;

  @JsonPropertyDescription("Schedule and stop conditions.")
  @Required
  private RoundsSpec rounds;

  @JsonPropertyDescription("How examples are read from the data files.")
  @Default("{}")
  private DataSpec data;

  @JsonPropertyDescription("Held-out evaluation of the global adapter by fedtt simulate. The operator does not read it: on a cluster, accuracy is what the silos report on their own data.eval (federated evaluation).")
  private EvaluationSpec evaluation;

  // The message maps to names before filtering: filtering the silo objects and taking [0].name is over
  // the API server's CEL cost budget.
  @JsonPropertyDescription("Cross-silo participants, one worker pod each; set this or devices.")
  @Size(min = 1, max = 64)
  @ValidationRule(value = "self.all(s, self.exists_one(t, t.name == s.name))", message = "silo names must be unique", messageExpression = "'silo name ' + self.map(s, s.name).filter(n, size(self.filter(t, t.name == n)) > 1)[0] + ' is used more than once'")
  private List<SiloSpec> silos;

  @JsonPropertyDescription("Cross-device mode; set this or silos.")
  private DevicesSpec devices;

  @JsonPropertyDescription("Pod template for the workers (core/v1 PodTemplateSpec; image, security context, extra containers); silo fields override it.")
  private PodTemplateSpec workerTemplate;

  @JsonPropertyDescription("Privacy of the participants' updates: differential privacy and secure aggregation (immutable).")
  @ValidationRule(value = "self == oldSelf", message = "privacy cannot be changed after creation; create a new job")
  private PrivacySpec privacy;

  @JsonPropertyDescription("Where the final adapter and results go (default: the operator's store).")
  private OutputSpec output;

  @JsonPropertyDescription("true deletes the worker pods and keeps all round state; false resumes at the same round.")
  @Default("false")
  private Boolean suspend;

  @JsonPropertyDescription("Retries, deadline, clean-up.")
  @Default("{}")
  private RunPolicy runPolicy;

  public ModelSpec getModel() {
    return model;
  }

  public void setModel(ModelSpec model) {
    this.model = model;
  }

  public AdapterSpec getAdapter() {
    return adapter;
  }

  public void setAdapter(AdapterSpec adapter) {
    this.adapter = adapter;
  }

  public MethodSpec getMethod() {
    return method;
  }

  public void setMethod(MethodSpec method) {
    this.method = method;
  }

  public CommunicationSpec getCommunication() {
    return communication;
  }

  public void setCommunication(CommunicationSpec communication) {
    this.communication = communication;
  }

  public RoundsSpec getRounds() {
    return rounds;
  }

  public void setRounds(RoundsSpec rounds) {
    this.rounds = rounds;
  }

  public DataSpec getData() {
    return data;
  }

  public void setData(DataSpec data) {
    this.data = data;
  }

  public EvaluationSpec getEvaluation() {
    return evaluation;
  }

  public void setEvaluation(EvaluationSpec evaluation) {
    this.evaluation = evaluation;
  }

  public List<SiloSpec> getSilos() {
    return silos;
  }

  public void setSilos(List<SiloSpec> silos) {
    this.silos = silos;
  }

  public DevicesSpec getDevices() {
    return devices;
  }

  public void setDevices(DevicesSpec devices) {
    this.devices = devices;
  }

  public PodTemplateSpec getWorkerTemplate() {
    return workerTemplate;
  }

  public void setWorkerTemplate(PodTemplateSpec workerTemplate) {
    this.workerTemplate = workerTemplate;
  }

  public PrivacySpec getPrivacy() {
    return privacy;
  }

  public void setPrivacy(PrivacySpec privacy) {
    this.privacy = privacy;
  }

  public OutputSpec getOutput() {
    return output;
  }

  public void setOutput(OutputSpec output) {
    this.output = output;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public RunPolicy getRunPolicy() {
    return runPolicy;
  }

  public void setRunPolicy(RunPolicy runPolicy) {
    this.runPolicy = runPolicy;
  }
}
