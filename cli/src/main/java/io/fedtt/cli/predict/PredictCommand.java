package io.fedtt.cli.predict;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.validation.InvalidManifestException;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.api.validation.Problem;
import io.fedtt.cli.predict.PredictInputs.Input;
import io.fedtt.cli.predict.Predictor.Prediction;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.job.JobDefaults;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.adapter.ClassificationHead;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.job.ModelLoader;
import io.fedtt.core.model.HfConfig;
import io.fedtt.worker.model.HfModelDirectory;
import io.fedtt.worker.model.ModelWeightsException;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.model.llama.GreedyDecoder;
import io.fedtt.worker.model.llama.LlamaModel;
import io.fedtt.worker.model.source.ModelSources;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedtt predict}: a base model, optionally with the adapter a job produced, on new inputs; one
 * output line per input line. With an adapter that has labels it classifies ({@code text} field); a
 * causal LM (LLaMA family) with or without an adapter completes prompts greedily ({@code prompt} field).
 * Exit codes: 0 success, 1 the prediction failed, 2 an option, file, model or adapter is invalid (one
 * line on stderr naming it, nothing written).
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Use a base model, optionally with the adapter a job produced, on new inputs: one JSON line "
                + "out per JSON line in, in the same order.",
                "Classification (an adapter with labels): {\"label\": ..., \"probabilities\": {...}} for each "
                        + "{\"text\": ...}.",
                "Causal LM (LLaMA family, adapter optional): {\"completion\": ..., \"tokens\": N} for each "
                        + "{\"prompt\": ...}, greedy, stopping at end of sequence."})
public final class PredictCommand implements Callable<Integer> {

    public static final int EXIT_FAILED = 1;
    public static final int EXIT_INVALID = 2;
    public static final int DEFAULT_MAX_NEW_TOKENS = 64;
    public static final int DEFAULT_BATCH_SIZE = 16;
    /**
     * How a BERT-family head pools, as every job trains it (the worker's AdapterClassifier.POOLING, named
     * AdaptedModel.POOLING since the causal-lm work): the adapter file does not record it.
     */
    static final ClassificationHead.Pooling POOLING = ClassificationHead.Pooling.MEAN;

    @Option(names = "--model", paramLabel = "URI",
            description = "The base model: builtin:NAME, file:/path or a path, hf:org/name[@rev], https://... "
                    + "(default: the model the adapter's metadata names).")
    String model;

    @Option(names = "--adapter", paramLabel = "FILE",
            description = "The adapter a job produced (adapter.safetensors from fedtt simulate or spec.output).")
    Path adapter;

    @Option(names = "--manifest", paramLabel = "FILE.yaml",
            description = "The job's manifest, describing an adapter whose own metadata does not (the operator's "
                    + "spec.output).")
    Path manifest;

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl",
            description = "One JSON object per line (blank lines are skipped).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE.jsonl",
            description = "Where the predictions go; written only once all are done.")
    Path output;

    @Option(names = "--text-field", paramLabel = "NAME",
            description = "The input field with the text (default: text to classify, prompt to complete).")
    String textField;

    @Option(names = "--logits",
            description = "Also write \"logits\": the class logits, or a causal LM's next-token logits at the last "
                    + "input position.")
    boolean logits;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "Causal LM: the most tokens to generate per prompt (default: " + DEFAULT_MAX_NEW_TOKENS + ").")
    int maxNewTokens = DEFAULT_MAX_NEW_TOKENS;

    @Option(names = "--batch-size", paramLabel = "N",
            description = "Inputs per forward pass, grouped by length (default: " + DEFAULT_BATCH_SIZE + ").")
    int batchSize = DEFAULT_BATCH_SIZE;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Tokens kept per text (default: the job's maxSequenceLength for classification, else "
                    + JobDefaults.MAX_SEQUENCE_LENGTH + "; a causal LM's context for prompts).")
    Integer maxLength;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch intra-op threads (default: every core).")
    Integer threads;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where converted and downloaded models are kept (default: ~/.cache/fedtt).")
    Path cacheDir;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often a long run says how far it is. */
    static final long PROGRESS_NANOS = 10_000_000_000L;

    private final Map<String, String> env;
    private final PrintStream stderr;

    public PredictCommand(Map<String, String> env, PrintStream stderr) {
        this.env = env;
        this.stderr = stderr;
    }

    @Override
    public Integer call() {
        try {
            run();
            return 0;
        } catch (PredictException e) {
            stderr.println("fedtt: " + e.getMessage());
            return e.exitCode();
        } catch (OutOfMemoryError e) {
            stderr.println("fedtt: predict ran out of memory (" + e.getMessage() + "); try a smaller --batch-size or a"
                    + " larger -Xmx in FEDTT_JAVA_OPTS");
            return EXIT_FAILED;
        } catch (Exception e) { // an engine or I/O failure mid-run: say what, without a stack trace
            stderr.println("fedtt: predict failed: " + describe(e));
            return EXIT_FAILED;
        }
    }

    private void run() throws IOException {
        checkOptions();
        long started = System.nanoTime();
        AdapterFile described = readAdapter();
        String uri = model != null ? model : described == null ? null : described.modelUri();
        if (uri == null) {
            throw PredictException.invalid("--model is required (the adapter's metadata does not name its base model)");
        }
        String trainedOn = model != null && described != null && described.modelUri() != null
                && !model.equals(described.modelUri()) ? described.modelUri() : null;
        boolean classify = described != null && described.classifies();
        String field = textField != null ? textField : classify ? "text" : "prompt";
        List<Input> inputs = PredictInputs.read(input, field, textField);

        Path cache = cacheDir != null ? cacheDir : ModelLoader.defaultCacheDir();
        Path dir = resolveModel(uri, cache);
        ModelConfig declared;
        try {
            declared = HfConfig.describe(HfModelDirectory.open(dir).config());
        } catch (IOException | IllegalArgumentException e) {
            throw PredictException.invalid("--model " + uri + ": " + e.getMessage(), e);
        }
        boolean llama = declared.family() == ModelConfig.Family.LLAMA;
        if (!classify && !llama) {
            throw PredictException.invalid(described == null
                    ? "--model " + uri + " is a BERT-family encoder: it has no classification head of its own, so it "
                            + "needs --adapter with the head a job trained (only a causal LM runs without one)"
                    : "--adapter " + adapter + " has no labels (no classification head), and --model " + uri
                            + " is a BERT-family encoder, which cannot generate text");
        }
        if (inputs.isEmpty()) {
            PredictOutput.write(output, new Prediction[0], null, ids -> "", false);
            stderr.println("fedtt: " + input + " has no inputs; wrote an empty " + output);
            return;
        }
        int length = maxLength != null ? maxLength
                : !classify ? declared.maxPositions()
                : described.maxSequenceLength() != null ? described.maxSequenceLength()
                : JobDefaults.MAX_SEQUENCE_LENGTH;

        ModelLoader.startEngine(EngineSettings.threads(threads != null ? threads : Runtime.getRuntime().availableProcessors()));
        try (PretrainedModel base = load(uri, dir, length)) {
            AdapterModel attached = described == null ? null : attach(base, described, classify, uri, trainedOn);
            if (trainedOn != null) {
                stderr.println("fedtt: note: the adapter was trained on " + trainedOn + "; using --model " + uri);
            }
            Predictor predictor = new Predictor(base, attached, classify ? null
                    : new GreedyDecoder((LlamaModel) base.backbone(), base.manager()), classify);
            Prediction[] predictions = predictor.run(inputs, input, batchSize, logits, maxNewTokens,
                    classify ? new long[0] : stopIds(dir), progress(started));
            if (classify) {
                List<String> labels = described.labels();
                PredictOutput.write(output, predictions, labels, null, logits);
            } else {
                try (HuggingFaceTokenizer decoder = HuggingFaceTokenizer.newInstance(dir.resolve(HfModelDirectory.TOKENIZER))) {
                    PredictOutput.write(output, predictions, null, ids -> decoder.decode(ids, true), logits);
                }
            }
        }
        stderr.printf(Locale.ROOT, "fedtt: wrote %d prediction%s to %s (%.1f s)%n", inputs.size(),
                inputs.size() == 1 ? "" : "s", output, (System.nanoTime() - started) / 1e9);
    }

    private void checkOptions() {
        if (batchSize < 1) {
            throw PredictException.invalid("--batch-size must be at least 1, got " + batchSize);
        }
        if (maxNewTokens < 0) {
            throw PredictException.invalid("--max-new-tokens must be at least 0, got " + maxNewTokens);
        }
        if (maxLength != null && maxLength < 2) {
            throw PredictException.invalid("--max-length must be at least 2, got " + maxLength);
        }
        if (threads != null && threads < 1) {
            throw PredictException.invalid("--threads must be at least 1, got " + threads);
        }
        if (manifest != null && adapter == null) {
            throw PredictException.invalid("--manifest describes an adapter: give the adapter with --adapter FILE");
        }
        if (textField != null && textField.isEmpty()) {
            throw PredictException.invalid("--text-field must not be empty");
        }
        String problem = PredictOutput.problem(output, input);
        if (problem != null) {
            throw PredictException.invalid("--output " + output + ": " + problem);
        }
    }

    /** The adapter and its description (metadata, or the manifest); null without --adapter. */
    private AdapterFile readAdapter() {
        if (adapter == null) {
            return null;
        }
        AdapterState state = AdapterFile.readState(adapter);
        if (manifest == null) {
            return AdapterFile.fromMetadata(adapter, state);
        }
        FederatedFineTune resource;
        try {
            resource = ManifestValidator.standard().load(manifest);
        } catch (InvalidManifestException e) {
            Problem p = e.problems().get(0);
            throw PredictException.invalid("--manifest " + manifest + " is not a valid FederatedFineTune: "
                    + (p.path().isEmpty() ? "" : p.path() + ": ") + p.message()
                    + (e.problems().size() > 1 ? " (and " + (e.problems().size() - 1) + " more problems)" : ""), e);
        }
        return AdapterFile.fromManifest(adapter, state, manifest, resource.getSpec());
    }

    private Path resolveModel(String uri, Path cache) {
        try {
            return ModelSources.defaults(env).resolve(uri, cache);
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw PredictException.invalid("--model " + uri + ": " + e.getMessage(), e);
        }
    }

    private static PretrainedModel load(String uri, Path dir, int length) {
        try {
            return PretrainedModel.load(dir, length);
        } catch (IOException | ModelWeightsException | IllegalArgumentException e) {
            throw PredictException.invalid("--model " + uri + ": " + e.getMessage(), e);
        }
    }

    /**
     * The adapter's layout rebuilt on the loaded model (its config.json, the adapter's configuration, a
     * head for its labels), checked against the file's tensors (every one present, each of its layout
     * shape) and attached with those values.
     */
    private AdapterModel attach(PretrainedModel base, AdapterFile a, boolean classify, String uri, String trainedOn) {
        String doesNotFit = "--adapter " + a.path() + " does not fit --model " + uri + ": ";
        String hint = trainedOn != null ? " (the adapter was trained on " + trainedOn + ")"
                : manifest != null ? " (was it trained on another model, or with another spec.adapter than --manifest "
                        + manifest + " gives? An omitted field takes this version's default, e.g. ttRank "
                        + JobDefaults.TT_RANK + ": write out the values the job ran with)"
                : " (was it trained on another model?)";
        AdapterLayout layout;
        try {
            layout = AdapterLayout.of(base.config().withNumLabels(classify ? a.labels().size() : 0), a.adapter());
        } catch (IllegalArgumentException e) {
            throw PredictException.invalid(doesNotFit + e.getMessage() + hint, e);
        }
        try {
            layout.check(a.state(), true);
        } catch (IllegalArgumentException e) {
            throw PredictException.invalid(doesNotFit + e.getMessage() + hint, e);
        }
        try {
            return AdapterModel.attach(base, layout, a.state(), POOLING);
        } catch (IllegalArgumentException e) {
            throw PredictException.invalid(doesNotFit + e.getMessage(), e);
        }
    }

    /** End-of-sequence ids from config.json and generation_config.json (an id or a list of them). */
    static long[] stopIds(Path dir) {
        Set<Long> ids = new LinkedHashSet<>();
        for (String file : List.of(HfModelDirectory.CONFIG, "generation_config.json")) {
            Path f = dir.resolve(file);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            try {
                JsonNode eos = JSON.readTree(f.toFile()).get("eos_token_id");
                if (eos != null && eos.isIntegralNumber()) {
                    ids.add(eos.asLong());
                } else if (eos != null && eos.isArray()) {
                    eos.forEach(e -> {
                        if (e.isIntegralNumber()) {
                            ids.add(e.asLong());
                        }
                    });
                }
            } catch (IOException e) {
                throw PredictException.invalid("--model: " + f + ": " + e.getMessage(), e);
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /** A line on stderr at most every {@link #PROGRESS_NANOS} while it runs. */
    private Predictor.Progress progress(long started) {
        long[] last = {System.nanoTime()};
        return (done, total) -> {
            long now = System.nanoTime();
            if (done < total && now - last[0] >= PROGRESS_NANOS) {
                last[0] = now;
                stderr.printf(Locale.ROOT, "fedtt: predicted %d of %d inputs (%.0f s)%n", done, total,
                        (now - started) / 1e9);
            }
        };
    }

    private static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 3; t = t.getCause()) {
            String m = t.getMessage();
            String part = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
            if (parts.isEmpty() || !parts.get(parts.size() - 1).contains(part)) {
                parts.add(part);
            }
        }
        return String.join(": ", parts).replace('\n', ' ');
    }
}
