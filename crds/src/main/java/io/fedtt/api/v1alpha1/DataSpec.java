package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fedtt.core.job.JobDefaults;
import io.fabric8.generator.annotation.Size;

/**
 * How examples are read from the data files (JSONL objects or CSV/TSV with a header row).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataSpec extends ValueObject {

  @JsonPropertyDescription("Field (or column) holding the input text.")
  @Default(JobDefaults.TEXT_FIELD)
  @Size(min = 1, max = 253)
  private String textField;

  @JsonPropertyDescription("Field (or column) holding the label: a name from model.labels or a 0-based index into it.")
  @Default(JobDefaults.LABEL_FIELD)
  @Size(min = 1, max = 253)
  private String labelField;

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

  public DataFormat getFormat() {
    return format;
  }

  public void setFormat(DataFormat format) {
    this.format = format;
  }
}
