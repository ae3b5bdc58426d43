package io.fedtt.worker.job;

import io.fedtt.core.job.JobDescription;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.core.model.DeclaredArchitecture;
import io.fedtt.core.model.HfConfig;
import io.fedtt.core.model.ModelUri;
import io.fedtt.worker.model.HfModelDirectory;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.model.source.ModelSources;
import io.fedtt.worker.train.AdaptedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a job's model gets ready to train, the same for {@code fedtt worker} and {@code fedtt simulate}:
 * start the engine with its thread count, resolve the model's source into a local Hugging Face
 * directory, check its config.json against the job's declared architecture (before any weights are
 * read, so a wrong model fails in a second, naming the field), load the encoder and tokenizer, then
 * lay out the job's adapter and attach it with the classifier head.
 */
public final class ModelLoader {

    private final Map<String, String> env;
    private final Path cacheDir;
    private final Path pvcRoot;

    /**
     * @param env environment the model sources read (tokens, mirrors)
     * @param cacheDir where models are converted or downloaded; null for {@link #defaultCacheDir()}
     */
    public ModelLoader(Map<String, String> env, Path cacheDir) {
        this(env, cacheDir, null);
    }

    /** @param pvcRoot where pvc: claims are mounted; null: FEDTT_PVC_ROOT from {@code env}, if set */
    public ModelLoader(Map<String, String> env, Path cacheDir, Path pvcRoot) {
        this.env = env;
        this.cacheDir = cacheDir != null ? cacheDir : defaultCacheDir();
        this.pvcRoot = pvcRoot;
    }

    /** Starts the engine with these settings, or applies their intra-op threads to the running one. */
    public static void startEngine(EngineSettings engine) {
        engine.start();
        if (EngineSettings.activeIntraOpThreads() != engine.intraOpThreads()) {
            EngineSettings.setActiveIntraOpThreads(engine.intraOpThreads()); // the engine was already running
        }
    }

    /**
     * The job's model, checked against its declared architecture before the weights load.
     *
     * @throws io.fedtt.core.model.ArchitectureMismatchException when config.json is another model
     */
    public PretrainedModel loadModel(JobDescription.Model model) throws IOException {
        Path dir = (pvcRoot != null ? ModelSources.defaults(env, pvcRoot) : ModelSources.defaults(env)).resolve(ModelUri.withRevision(model.uri(), model.revision()), cacheDir);
        DeclaredArchitecture.verify(model.architecture(), HfConfig.describe(HfModelDirectory.open(dir).config()));
        return PretrainedModel.load(dir, model.maxSequenceLength());
    }

    /** For an encoder loaded earlier (simulate keeps one across the methods it compares). */
    public static void verify(JobDescription.Model model, PretrainedModel loaded) {
        DeclaredArchitecture.verify(model.architecture(), loaded.config());
    }

    /** The job's adapter, laid out once from the description, attached to the encoder with its seed. */
    public static AdaptedModel attach(PretrainedModel model, JobDescription job) {
        return AdaptedModel.attach(model, job.layout(), job.seed());
    }

    /** ~/.cache/fedtt when the home folder is writable (not so in a read-only pod), else the temp dir. */
    public static Path defaultCacheDir() {
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && Files.isWritable(Path.of(home))) {
            return Path.of(home, ".cache", "fedtt");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "fedtt-cache");
    }
}
