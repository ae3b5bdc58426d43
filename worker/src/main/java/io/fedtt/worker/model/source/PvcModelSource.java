package io.fedtt.worker.model.source;

import io.fedtt.core.data.DataUri;
import io.fedtt.worker.model.HfModelDirectory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code pvc:<claim>/<dir>} (or {@code pvc:<claim>} for the claim's root): a model in Hugging Face
 * layout on a PersistentVolumeClaim the worker pod mounts at {@code <pvcRoot>/<claim>} (the job's
 * workerTemplate mounts it, as for data; {@code FEDTT_PVC_ROOT} or {@code --pvc-root} says where).
 * Nothing is copied into the cache.
 */
public final class PvcModelSource implements ModelSource {

    private final Path pvcRoot;

    /** @param pvcRoot where claims are mounted; null outside a pod (every pvc: URI is then refused) */
    public PvcModelSource(Path pvcRoot) {
        this.pvcRoot = pvcRoot;
    }

    @Override
    public boolean supports(String uri) {
        return uri.startsWith(DataUri.PVC);
    }

    @Override
    public Path resolve(String uri, Path cacheDir) throws IOException {
        String claimOnly = uri.substring(DataUri.PVC.length()).contains("/") ? uri : uri + "/.";
        return HfModelDirectory.open(DataUri.resolve(claimOnly, null, pvcRoot)).dir();
    }
}
