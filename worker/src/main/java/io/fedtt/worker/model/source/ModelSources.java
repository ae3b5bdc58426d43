package io.fedtt.worker.model.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Chooses the source for a model URI by its scheme: builtin:, hf:/https:, pvc:, file: or a plain path. */
public final class ModelSources implements ModelSource {

    private final List<ModelSource> sources;

    public ModelSources(List<ModelSource> sources) {
        this.sources = List.copyOf(sources);
    }

    /**
     * The built-in models, the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN) over https, claims mounted under
     * FEDTT_PVC_ROOT, and local directories.
     */
    public static ModelSources defaults(Map<String, String> env) {
        String root = env.get("FEDTT_PVC_ROOT");
        return defaults(env, root == null || root.isBlank() ? null : Path.of(root));
    }

    /** As {@link #defaults(Map)}, with pvc: claims mounted under {@code pvcRoot} (null: none). */
    public static ModelSources defaults(Map<String, String> env, Path pvcRoot) {
        return new ModelSources(List.of(new BuiltinModelSource(), HttpModelSource.fromEnvironment(env),
                new PvcModelSource(pvcRoot), new LocalModelSource()));
    }

    @Override
    public boolean supports(String uri) {
        return sources.stream().anyMatch(s -> s.supports(uri));
    }

    @Override
    public Path resolve(String uri, Path cacheDir) throws IOException {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("model uri is empty");
        }
        for (ModelSource s : sources) {
            if (s.supports(uri)) {
                return s.resolve(uri, cacheDir);
            }
        }
        throw new IllegalArgumentException("unsupported model uri '" + uri
                + "' (expected builtin:NAME, hf:org/name[@revision], https://..., pvc:claim/path, file:/path or a path)");
    }
}
