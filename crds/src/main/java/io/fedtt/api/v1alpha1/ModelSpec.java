package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fedtt.core.job.JobDefaults;
import io.fedtt.core.job.JobDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * The frozen base model and the task trained on top of it: sequence-classification (needs at least two
 * labels) or causal-lm (no labels; a LLAMA-family architecture).
 */
// Static messages only (no messageExpression): see ModelArchitecture on the API server's CEL cost budget.
// An absent task is sequence-classification (the default).
@ValidationRule(value = "(has(self.task) && self.task != 'sequence-classification') || (has(self.labels) && size(self.labels) >= 2)",
    message = "a sequence-classification job needs at least two labels", fieldPath = ".labels")
@ValidationRule(value = "!has(self.task) || self.task != 'causal-lm' || !has(self.labels) || size(self.labels) == 0",
    message = "a causal-lm job has no labels", fieldPath = ".labels")
// builtin:all-minilm-l6-v2 is BERT-family, builtin:smollm2-135m-instruct LLaMA-family; an architecture
// without family is BERT (the default). Without an architecture the family of any other model is only
// known from its config.json: the operator and fedtt simulate check it there (FederationJobMapper).
@ValidationRule(value = "!has(self.task) || self.task != 'causal-lm'"
    + " || (has(self.architecture) ? (has(self.architecture.family) && self.architecture.family == 'LLAMA')"
    + " : (self.uri == 'builtin:smollm2-135m-instruct' || !self.uri.startsWith('builtin:')))",
    message = "causal-lm needs a LLAMA-family model", fieldPath = ".task")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSpec extends ValueObject {

  @JsonPropertyDescription("Where the base model comes from: builtin:all-minilm-l6-v2 (shipped), builtin:smollm2-135m-instruct (LLaMA family; prepared by tools/models/smollm2/fetch.sh), file:<dir> (Hugging Face layout: config.json, tokenizer.json, model.safetensors or model.safetensors.index.json with its shards), pvc:<claim>/<dir> (the same layout on a claim the workers mount under FEDTT_PVC_ROOT), https://<host>/<dir> (the same files under that URL), or hf:<org>/<name> (the Hugging Face Hub, or HF_ENDPOINT). The operator reads the model's config.json from here (pvc: through a short probe pod).")
  @Required
  @Pattern("^(builtin:[a-z0-9][a-z0-9._-]*|file:.+|pvc:[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/.*)?|https://.+|hf:[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?)$")
  private String uri;

  @JsonPropertyDescription("The model's shape as in its config.json. Optional: the operator (and fedtt simulate) reads config.json from the uri and lays out the initial adapter from it; when given, it must match config.json field by field (a difference is InvalidSpec naming each field). Give it for a file: model the operator cannot read (a path only the workers mount). Each worker refuses a model whose config.json differs.")
  private ModelArchitecture architecture;

  @JsonPropertyDescription("The task: sequence-classification (a classification head over labels; data records have spec.data.textField and labelField; status accuracy is classification accuracy, loss the mean cross-entropy) or causal-lm (instruction tuning of a LLAMA-family decoder, no labels; data records have spec.data.promptField and responseField; status accuracy is the exact-match rate of greedy decoding, loss the mean response-token cross-entropy, perplexity = exp(loss)).")
  @Default(JobDescription.TASK_SEQUENCE_CLASSIFICATION)
  private Task task;

  @JsonPropertyDescription("The class names, in the order of the classifier's outputs; data labels must be one of these (or a 0-based index into them). Required (at least two) for sequence-classification; empty or absent for causal-lm.")
  @Size(max = 100)
  @ValidationRule(value = "self.all(l, self.exists_one(m, m == l))", message = "labels must be unique", messageExpression = "'label ' + self.filter(l, size(self.filter(m, m == l)) > 1)[0] + ' is listed more than once'")
  private List<@Size(min = 1, max = 63) String> labels;

  @JsonPropertyDescription("Tokens per example after truncation.")
  @Default(JobDefaults.MAX_SEQUENCE_LENGTH_TEXT)
  @Min(8)
  @Max(512)
  private Integer maxSequenceLength;

  @JsonPropertyDescription("Git revision (branch, tag or commit) for hf: models.")
  @Size(max = 255)
  private String revision;

  @JsonPropertyDescription("Expected SHA-256 (lowercase hex) of the downloaded https: archive or hf: weights file; the worker refuses a mismatch.")
  @Pattern("^[a-f0-9]{64}$")
  private String sha256;

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public ModelArchitecture getArchitecture() {
    return architecture;
  }

  public void setArchitecture(ModelArchitecture architecture) {
    this.architecture = architecture;
  }

  public Task getTask() {
    return task;
  }

  public void setTask(Task task) {
    this.task = task;
  }

  public List<String> getLabels() {
    return labels;
  }

  public void setLabels(List<String> labels) {
    this.labels = labels;
  }

  public Integer getMaxSequenceLength() {
    return maxSequenceLength;
  }

  public void setMaxSequenceLength(Integer maxSequenceLength) {
    this.maxSequenceLength = maxSequenceLength;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }
}
