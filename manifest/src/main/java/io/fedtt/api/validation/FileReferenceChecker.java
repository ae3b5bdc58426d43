package io.fedtt.api.validation;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.DataSpec;
import io.fedtt.api.v1alpha1.DevicesSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.PartitionBy;
import io.fedtt.api.v1alpha1.SiloData;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.core.data.DataFileException;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.data.DatasetReader;
import io.fedtt.core.job.JobDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks the manifest's local {@code file:} references, for running without a cluster
 * ({@code fedtt simulate}): the model path exists; each data file exists, is readable, and in its
 * first records (at most {@code maxRecords}) has the fields the task reads: for sequence-classification
 * the text and label fields, with labels that are names from {@code spec.model.labels} or 0-based indices
 * into it; for causal-lm the prompt and response fields, with a response that is not empty (as
 * {@link DatasetReader#readPromptResponse} requires). Other schemes (pvc:, https:, hf:, builtin:) are left
 * to the worker that resolves them.
 */
public final class FileReferenceChecker implements ReferenceChecker {
  public static final int DEFAULT_MAX_RECORDS = 5000;
  private static final int MAX_REPORTED_LABELS = 3;

  private final Path baseDir;
  private final int maxRecords;

  /** Resolves relative {@code file:} URIs against {@code baseDir} (usually the working directory). */
  public FileReferenceChecker(Path baseDir) {
    this(baseDir, DEFAULT_MAX_RECORDS);
  }

  public FileReferenceChecker(Path baseDir, int maxRecords) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be positive, was " + maxRecords);
    }
    this.baseDir = baseDir.toAbsolutePath().normalize();
    this.maxRecords = maxRecords;
  }

  @Override
  public List<Problem> check(FederatedFineTune resource) {
    FederatedFineTuneSpec spec = resource.getSpec();
    List<Problem> problems = new ArrayList<>();
    if (spec == null) {
      return problems;
    }
    List<String> labels = FederationJobMapper.labels(spec);
    boolean causalLm = FederationJobMapper.causalLm(spec);
    DataSpec data = spec.getData() == null ? new DataSpec() : spec.getData();
    if (spec.getModel() != null) {
      FileUris.resolve(spec.getModel().getUri(), baseDir).ifPresent(path -> {
        if (!Files.exists(path)) {
          problems.add(new Problem("spec.model.uri", "not found: " + path));
        } else if (!Files.isReadable(path)) {
          problems.add(new Problem("spec.model.uri", "cannot read " + path));
        }
      });
    }
    if (spec.getEvaluation() != null) {
      checkData("spec.evaluation.data", spec.getEvaluation().getData(), data, causalLm, labels, null, problems);
    }
    List<SiloSpec> silos = spec.getSilos() == null ? List.of() : spec.getSilos();
    for (int i = 0; i < silos.size(); i++) {
      checkSiloData("spec.silos[" + i + "].data", silos.get(i).getData(), data, causalLm, labels, null, problems);
    }
    DevicesSpec devices = spec.getDevices();
    if (devices != null) {
      String partitionField = devices.getPartition() != null && devices.getPartition().getBy() == PartitionBy.FIELD
          ? devices.getPartition().getField() : null;
      checkSiloData("spec.devices.data", devices.getData(), data, causalLm, labels, partitionField, problems);
    }
    if (spec.getOutput() != null) {
      FileUris.resolve(spec.getOutput().getUri(), baseDir).ifPresent(path -> {
        if (Files.exists(path) && !Files.isDirectory(path)) {
          problems.add(new Problem("spec.output.uri", path + " exists and is not a directory"));
        }
      });
    }
    return problems;
  }

  private void checkSiloData(String path, SiloData siloData, DataSpec data, boolean causalLm, List<String> labels,
      String partitionField, List<Problem> problems) {
    if (siloData == null) {
      return;
    }
    checkData(path + ".train", siloData.getTrain(), data, causalLm, labels, partitionField, problems);
    checkData(path + ".eval", siloData.getEval(), data, causalLm, labels, null, problems);
  }

  private void checkData(String path, String uri, DataSpec data, boolean causalLm, List<String> labels,
      String extraField, List<Problem> problems) {
    Optional<Path> resolved = FileUris.resolve(uri, baseDir);
    if (resolved.isEmpty()) {
      return;
    }
    Path file = resolved.get();
    if (!Files.exists(file)) {
      problems.add(new Problem(path, "file not found: " + file));
      return;
    }
    if (Files.isDirectory(file)) {
      problems.add(new Problem(path, file + " is a directory, not a data file"));
      return;
    }
    if (!Files.isReadable(file)) {
      problems.add(new Problem(path, "cannot read " + file));
      return;
    }
    DataFormat declared = data.getFormat() == null ? DataFormat.AUTO
        : DataFormat.parse(data.getFormat().name());
    if (declared == DataFormat.AUTO && DataFormat.fromFileName(file).isEmpty()) {
      problems.add(new Problem(path, "cannot tell the format of " + file.getFileName()
          + " from its extension (.jsonl, .csv, .tsv, optionally .gz); set spec.data.format"));
      return;
    }
    List<DatasetReader.Record> sample;
    try {
      // The reader the workers use, so a file that passes here parses the same way there.
      sample = DatasetReader.records(file, declared, maxRecords);
    } catch (DataFileException e) {
      problems.add(new Problem(path, e.getMessage()));
      return;
    } catch (RuntimeException e) {
      problems.add(new Problem(path, "cannot read " + file + ": " + e.getMessage()));
      return;
    }
    if (sample.isEmpty()) {
      problems.add(new Problem(path, file + " has no examples"));
      return;
    }
    String[][] fields;
    if (causalLm) {
      fields = new String[][] {
          {or(data.getPromptField(), JobDefaults.PROMPT_FIELD), "spec.data.promptField"},
          {or(data.getResponseField(), JobDefaults.RESPONSE_FIELD), "spec.data.responseField"},
          {extraField, "spec.devices.partition.field"}};
    } else {
      fields = new String[][] {
          {or(data.getTextField(), JobDefaults.TEXT_FIELD), "spec.data.textField"},
          {or(data.getLabelField(), JobDefaults.LABEL_FIELD), "spec.data.labelField"},
          {extraField, "spec.devices.partition.field"}};
    }
    for (String[] field : fields) {
      if (field[0] == null) {
        continue;
      }
      for (DatasetReader.Record row : sample) {
        if (!row.fields().containsKey(field[0])) {
          problems.add(new Problem(path, file + " line " + row.line() + " has no field \"" + field[0]
              + "\" (it has " + String.join(", ", row.fields().keySet()) + "); see " + field[1]));
          return;
        }
      }
    }
    if (causalLm) {
      String responseField = fields[1][0];
      for (DatasetReader.Record row : sample) {
        if (row.fields().get(responseField).isBlank()) {
          problems.add(new Problem(path, file + " line " + row.line() + " has an empty response (field \""
              + responseField + "\"): a causal-lm example needs a response to learn"));
          return;
        }
      }
      return;
    }
    String labelField = fields[1][0];
    Map<String, Integer> unknown = new LinkedHashMap<>();
    for (DatasetReader.Record row : sample) {
      String label = row.fields().get(labelField);
      if (!isKnownLabel(label, labels)) {
        unknown.putIfAbsent(label, row.line());
      }
    }
    if (!unknown.isEmpty()) {
      String listed = unknown.entrySet().stream().limit(MAX_REPORTED_LABELS)
          .map(e -> "\"" + e.getKey() + "\" (line " + e.getValue() + ")")
          .collect(Collectors.joining(", "));
      String more = unknown.size() > MAX_REPORTED_LABELS ? " and " + (unknown.size() - MAX_REPORTED_LABELS) + " more" : "";
      problems.add(new Problem(path, file + " has labels that are not in spec.model.labels " + labels + ": " + listed + more));
    }
  }

  private static String or(String value, String fallback) {
    return value == null ? fallback : value;
  }

  /** A label is a name from the list or, for integer-coded data, a 0-based index into it. */
  static boolean isKnownLabel(String label, List<String> labels) {
    if (labels.contains(label)) {
      return true;
    }
    try {
      int index = Integer.parseInt(label.strip());
      return index >= 0 && index < labels.size();
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
