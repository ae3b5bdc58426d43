package io.fedtt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.DataSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.ModelSpec;
import io.fedtt.api.v1alpha1.RoundsSpec;
import io.fedtt.api.v1alpha1.SiloData;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.api.validation.InvalidManifestException;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.core.federation.JobId;
import io.fedtt.worker.cli.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The manifest a local {@code fedtt worker --manifest} runs with: the FederatedFineTune from a file
 * (YAML or JSON, the whole resource or only its spec), with command-line overrides applied, validated
 * against the CRD schema and defaulted as the API server would; {@link ManifestWorkerCommand} then
 * resolves it into the worker's job description. Without a manifest, the flags alone describe a
 * one-silo job. Only schema checks run: a worker sees its own silo's files, not the others'.
 */
final class WorkerManifest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Command-line values that replace the manifest's (null: keep). */
    record Overrides(String model, List<String> labels, Integer maxSequenceLength, String train, String eval,
                     String textField, String labelField) {

        boolean describeJob() {
            return model != null && labels != null && !labels.isEmpty() && train != null;
        }

        boolean any() {
            return model != null || labels != null || maxSequenceLength != null || train != null || eval != null
                    || textField != null || labelField != null;
        }
    }

    private WorkerManifest() {
    }

    /**
     * @param file {@code --manifest}, or null for a job the overrides alone describe
     */
    static FederatedFineTune load(Path file, JobId job, String silo, Overrides overrides) {
        FederatedFineTune resource;
        if (file != null) {
            resource = parse(read(file), file.toString(), job);
        } else if (overrides.describeJob()) {
            resource = wrap(new FederatedFineTuneSpec(), job);
            resource.getSpec().setRounds(new RoundsSpec());
            resource.getSpec().getRounds().setTotal(1); // the server decides the rounds; required by the schema
        } else {
            throw new InvalidInputException("no job description: pass --manifest FILE, or give --model, --labels"
                    + " and --train");
        }
        apply(resource.getSpec(), silo, overrides);
        return validate(resource, file != null ? file.toString() : "the command line");
    }

    private static String read(Path file) {
        try {
            String text = ManifestValidator.readBounded(file);
            if (text == null) {
                throw new InvalidInputException("manifest file " + file + " is larger than "
                        + ManifestValidator.MAX_MANIFEST_BYTES + " bytes (1 MiB), the largest manifest read");
            }
            return text;
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("manifest file " + file + " not found");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read manifest file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A whole FederatedFineTune, or only its spec. */
    static FederatedFineTune parse(String text, String origin, JobId job) {
        JsonNode tree;
        try {
            tree = YAML.readTree(text);
        } catch (IOException e) {
            throw new InvalidInputException(origin + " is not valid YAML or JSON: " + firstLine(e.getMessage()), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidInputException(origin + " must hold a FederatedFineTune or its spec (a mapping)");
        }
        ObjectNode resource;
        if (tree.has("spec") && (tree.has("kind") || tree.has("apiVersion"))) {
            resource = (ObjectNode) tree;
        } else {
            resource = YAML.createObjectNode();
            resource.put("apiVersion", "fedtt.io/v1alpha1");
            resource.put("kind", "FederatedFineTune");
            resource.set("spec", tree);
        }
        ObjectNode meta = resource.has("metadata") && resource.get("metadata").isObject()
                ? (ObjectNode) resource.get("metadata") : resource.putObject("metadata");
        if (!meta.hasNonNull("name")) {
            meta.put("name", job.name());
        }
        if (!meta.hasNonNull("namespace")) {
            meta.put("namespace", job.namespace());
        }
        try {
            return ManifestValidator.standard().load(YAML.writeValueAsString(resource));
        } catch (InvalidManifestException e) {
            throw new InvalidInputException(origin + " is not a valid FederatedFineTune: " + problems(e), e);
        } catch (IOException e) {
            throw new InvalidInputException(origin + ": " + e.getMessage(), e);
        }
    }

    private static FederatedFineTune wrap(FederatedFineTuneSpec spec, JobId job) {
        FederatedFineTune r = new FederatedFineTune();
        r.getMetadata().setName(job.name());
        r.getMetadata().setNamespace(job.namespace());
        r.setSpec(spec);
        return r;
    }

    private static void apply(FederatedFineTuneSpec spec, String silo, Overrides o) {
        if (spec.getModel() == null) {
            spec.setModel(new ModelSpec());
        }
        ModelSpec m = spec.getModel();
        if (o.model() != null) {
            // The job's adapter was laid out for the manifest's model: another model must have its shape,
            // which DeclaredArchitecture checks once the model is loaded.
            if (m.getArchitecture() == null && m.getUri() != null && m.getLabels() != null) {
                FederationJobMapper.modelConfig(spec).map(FederationJobMapper::architecture).ifPresent(m::setArchitecture);
            }
            m.setUri(o.model());
        }
        if (o.labels() != null) {
            m.setLabels(List.copyOf(o.labels()));
        }
        if (o.maxSequenceLength() != null) {
            m.setMaxSequenceLength(o.maxSequenceLength());
        }
        if (o.textField() != null || o.labelField() != null) {
            if (spec.getData() == null) {
                spec.setData(new DataSpec());
            }
            if (o.textField() != null) {
                spec.getData().setTextField(o.textField());
            }
            if (o.labelField() != null) {
                spec.getData().setLabelField(o.labelField());
            }
        }
        if (o.train() != null || o.eval() != null) {
            if (spec.getDevices() != null) {
                throw new InvalidInputException("--train/--eval name a silo's data; this job is cross-device");
            }
            if (spec.getSilos() == null) {
                spec.setSilos(new ArrayList<>());
            }
            SiloSpec s = spec.getSilos().stream().filter(x -> silo.equals(x.getName())).findFirst().orElse(null);
            if (s == null) {
                s = new SiloSpec();
                s.setName(silo);
                spec.getSilos().add(s);
            }
            if (s.getData() == null) {
                s.setData(new SiloData());
            }
            if (o.train() != null) {
                s.getData().setTrain(o.train());
            }
            if (o.eval() != null) {
                s.getData().setEval(o.eval());
            }
        }
    }

    private static FederatedFineTune validate(FederatedFineTune resource, String origin) {
        try {
            return ManifestValidator.standard().load(resource);
        } catch (InvalidManifestException e) {
            throw new InvalidInputException(origin + " (with the command-line overrides) is not a valid job: "
                    + problems(e), e);
        }
    }

    static String problems(InvalidManifestException e) {
        return e.problems().stream()
                .map(p -> (p.path().isEmpty() ? "" : p.path() + ": ") + p.message())
                .collect(Collectors.joining("; "));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
