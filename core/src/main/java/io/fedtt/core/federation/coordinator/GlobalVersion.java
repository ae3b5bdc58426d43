package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.tensor.SafetensorsCodec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One version of a job's global adapter: version v is the result of round v (0 = initial), held
 * decoded and as the exact float32 safetensors bytes stored, with their sha256. This is the master
 * copy: it stays float32 whatever the job's encoding ({@link AdapterCache} encodes what is sent).
 */
record GlobalVersion(int version, AdapterState adapter, byte[] bytes, String digest) {

    /**
     * Version {@code version} made of {@code tensors}, stamped with the job's metadata (the initial
     * adapter's, plus job name and version), encoded as float32.
     */
    static GlobalVersion of(FederationJobSpec spec, int version, AdapterState tensors) {
        Map<String, String> meta = new LinkedHashMap<>(spec.initialGlobal().metadata());
        meta.put(RoundCoordinator.META_JOB, spec.job().toString());
        meta.put(RoundCoordinator.META_VERSION, Integer.toString(version));
        AdapterState adapter = new AdapterState(tensors.tensors(), meta);
        byte[] bytes = SafetensorsCodec.encode(adapter, DType.F32);
        return new GlobalVersion(version, adapter, bytes, Digest.sha256Hex(bytes));
    }
}
