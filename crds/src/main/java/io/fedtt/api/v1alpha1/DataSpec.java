package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fedtt.core.job.JobDefaults;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How examples are read from the data files (JSONL objects or CSV/TSV with a header row): textField and
 * labelField for a sequence-classification job, promptField and responseField for a causal-lm job.
 */
@ValidationRule(value = "!has(self.promptField) || !has(self.responseField) || self.promptField != self.responseField",
    message = "promptField and responseField must name different fields", fieldPath = ".responseField")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataSpec extends ValueObject {

  @JsonPropertyDescription("Field (or column) holding the input text (sequence-classification).")
  @Default(JobDefaults.TEXT_FIELD)
  @Size(min = 1, max = 253)
  @Pattern("\\S")
  private String textField;

  @JsonPropertyDescription("Field (or column) holding the label: a name from model.labels or a 0-based index into it (sequence-classification).")
  @Default(JobDefaults.LABEL_FIELD)
  @Size(min = 1, max = 253)
  @Pattern("\\S")
  private String labelField;

  @JsonPropertyDescription("Field (or column) holding the prompt (instruction) of a causal-lm example; may be empty.")
  @Default(JobDefaults.PROMPT_FIELD)
  @Size(min = 1, max = 253)
  @Pattern("\\S")
  private String promptField;

  @JsonPropertyDescription("Field (or column) holding the response a causal-lm model learns to produce after the prompt; must not be empty.")
  @Default(JobDefaults.RESPONSE_FIELD)
  @Size(min = 1, max = 253)
  @Pattern("\\S")
  private String responseField;

  @JsonPropertyDescription("File format; auto picks it from the extension (.jsonl, .csv, .tsv, each optionally .gz).")
  @Default("auto")
  private DataFormat format;

  public String getTextField() {
    return textField;
  }

  public void setTextField(String textField) {
    this.textField = textField;
  }

  public String getLabelField() {
    return labelField;
  }

  public void setLabelField(String labelField) {
    this.labelField = labelField;
  }

  public String getPromptField() {
    return promptField;
  }

  public void setPromptField(String promptField) {
    this.promptField = promptField;
  }

  public String getResponseField() {
    return responseField;
  }

  public void setResponseField(String responseField) {
    this.responseField = responseField;
  }

  public DataFormat getFormat() {
    return format;
  }

  public void setFormat(DataFormat format) {
    this.format = format;
  }
}
