package io.fedtt.api.mapping;

import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.ModelSpec;
import io.fedtt.api.v1alpha1.status.ModelStatus;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataUri;
import io.fedtt.core.model.ConfigJsonException;
import io.fedtt.core.model.DeclaredArchitecture;
import io.fedtt.core.model.HubClient;
import io.fedtt.core.model.ModelConfigFetcher;
import io.fedtt.core.model.ModelUri;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;

/**
 * A job's base model's shape, the same way for the operator and {@code fedtt simulate}: a
 * {@code builtin:} model's preset; else the model's own config.json, read from {@code file:},
 * {@code hf:} or {@code https:} ({@link ModelConfigFetcher}) or, for {@code pvc:}, by whoever can mount
 * the claim (the operator's probe pod: {@link Outcome.NeedsProbe}, then {@link #found}). When the
 * manifest also gives {@code spec.model.architecture}, the two must agree field by field; a causal-lm
 * job needs a LLaMA-family model. Only when config.json cannot be read by the caller (a file: path only
 * the workers mount, a gated model without a token) does a declared architecture stand on its own; the
 * workers check it against the model they load.
 */
public final class ModelShapes {

    private ModelShapes() {
    }

    /** What became of finding a job's model shape. */
    public sealed interface Outcome permits Outcome.Known, Outcome.Invalid, Outcome.Unavailable, Outcome.NeedsProbe {

        /**
         * The shape (with the job's number of labels).
         *
         * @param note why config.json was not read, for {@link ModelStatus.Source#DECLARED}; else null
         */
        record Known(ModelConfig model, ModelStatus.Source source, String note) implements Outcome {
        }

        /** The job cannot run on this model as specified; {@code path} is the manifest field at fault. */
        record Invalid(String path, String message) implements Outcome {
            @Override
            public String toString() {
                return path + ": " + message;
            }
        }

        /** config.json could not be fetched for now (network, a server error, a timeout): worth another try. */
        record Unavailable(String message) implements Outcome {
        }

        /** A pvc: model: only a pod that mounts {@code claim} can read {@code path}/config.json ("" is the root). */
        record NeedsProbe(String claim, String path) implements Outcome {
        }
    }

    /**
     * The model reference the shape belongs to: spec.model.uri, with spec.model.revision applied to an
     * hf: URI ({@link ModelUri#withRevision}); what the operator keeps a found shape under.
     *
     * @throws IllegalArgumentException the URI and spec.model.revision name different revisions
     */
    public static String reference(FederatedFineTuneSpec spec) {
        ModelSpec m = spec.getModel();
        return ModelUri.withRevision(m.getUri(), m.getRevision());
    }

    /**
     * The job's model shape: the built-in preset, or config.json read through {@code fetcher}
     * (synchronously: a few seconds at most), or {@link Outcome.NeedsProbe} for a pvc: model.
     */
    public static Outcome resolve(FederatedFineTuneSpec spec, ModelConfigFetcher fetcher) {
        Optional<String> problem = FederationJobMapper.modelProblem(spec);
        if (problem.isPresent()) {
            return new Outcome.Invalid("spec.model.uri", problem.get());
        }
        String uri = spec.getModel().getUri();
        Optional<ModelConfig> builtin = FederationJobMapper.builtinModel(spec);
        if (builtin.isPresent()) {
            return found(spec, builtin.get(), ModelStatus.Source.BUILTIN);
        }
        if (uri.startsWith(DataUri.PVC)) {
            String rest = uri.substring(DataUri.PVC.length());
            int slash = rest.indexOf('/');
            return new Outcome.NeedsProbe(slash < 0 ? rest : rest.substring(0, slash),
                    slash < 0 ? "" : rest.substring(slash + 1));
        }
        String ref;
        try {
            ref = reference(spec);
        } catch (IllegalArgumentException e) {
            return new Outcome.Invalid("spec.model.revision", e.getMessage());
        }
        Optional<ModelConfig> declared = FederationJobMapper.modelConfig(spec);
        try {
            return found(spec, fetcher.fetch(ref), ModelStatus.Source.CONFIG_JSON);
        } catch (NoSuchFileException e) {
            return declaredOr(declared, e, uri + ": " + describe(e) + "; a file: path only the workers mount"
                    + " needs spec.model.architecture");
        } catch (HubClient.HttpStatusException e) {
            if (e.status() == 401 || e.status() == 403) {
                return declaredOr(declared, e, e.getMessage() + " (a gated or private model needs HF_TOKEN where"
                        + " config.json is read, or spec.model.architecture)");
            }
            return e.permanent() ? new Outcome.Invalid("spec.model.uri", e.getMessage())
                    : declaredOrUnavailable(declared, e);
        } catch (ConfigJsonException e) {
            return new Outcome.Invalid("spec.model.uri", e.getMessage());
        } catch (IOException e) {
            return declaredOrUnavailable(declared, e);
        } catch (IllegalArgumentException e) {
            return new Outcome.Invalid("spec.model.uri", e.getMessage());
        }
    }

    /**
     * The job's shape, given the model's own ({@code found}, e.g. from config.json or a probe pod): checked
     * against spec.model.architecture when the manifest gives one, and against the task's family.
     */
    public static Outcome found(FederatedFineTuneSpec spec, ModelConfig found, ModelStatus.Source source) {
        Optional<ModelConfig> declared = Optional.ofNullable(spec.getModel().getArchitecture())
                .map(a -> FederationJobMapper.modelConfig(a, FederationJobMapper.numLabels(spec)));
        if (declared.isPresent()) {
            List<String> diffs = DeclaredArchitecture.differences(declared.get(), found);
            if (!diffs.isEmpty()) {
                return new Outcome.Invalid("spec.model.architecture", "does not match "
                        + (source == ModelStatus.Source.BUILTIN ? "the built-in model " : "the config.json of ")
                        + spec.getModel().getUri() + ": " + String.join("; ", diffs)
                        + " (leave spec.model.architecture out, or fix it)");
            }
        }
        Optional<String> family = FederationJobMapper.familyProblem(spec, found);
        if (family.isPresent()) {
            return new Outcome.Invalid("spec.model.task", family.get());
        }
        return new Outcome.Known(found.withNumLabels(FederationJobMapper.numLabels(spec)), source, null);
    }

    /** The declared shape when config.json cannot be read here; without one, the job cannot be laid out. */
    private static Outcome declaredOr(Optional<ModelConfig> declared, Exception e, String invalid) {
        if (declared.isPresent()) {
            return new Outcome.Known(declared.get(), ModelStatus.Source.DECLARED,
                    "config.json not read: " + describe(e) + "; the workers check spec.model.architecture");
        }
        return new Outcome.Invalid("spec.model.uri", invalid);
    }

    private static Outcome declaredOrUnavailable(Optional<ModelConfig> declared, IOException e) {
        if (declared.isPresent()) {
            return declaredOr(declared, e, null);
        }
        return new Outcome.Unavailable("cannot read the model's config.json for now: " + describe(e));
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException n) {
            return "no " + n.getFile() + (n.getReason() == null ? "" : " (" + n.getReason() + ")");
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
