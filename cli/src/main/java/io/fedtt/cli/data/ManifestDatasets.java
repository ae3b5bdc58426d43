package io.fedtt.cli.data;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.mapping.JobDescriptions;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.core.data.Dataset;
import io.fedtt.worker.data.JobDatasets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The data a manifest names, for {@code fedtt simulate}, which hosts every participant: each silo's
 * train and eval files, a cross-device job's partitioned devices, and the held-out evaluation set. The
 * reading and partitioning are the worker's ({@link JobDatasets}), with the fields the manifest mapping
 * resolves ({@link JobDescriptions}), so a simulated client reads exactly what its worker pod would.
 */
public final class ManifestDatasets {

    private final FederatedFineTuneSpec spec;
    private final JobDatasets reader;

    /**
     * @param baseDir what relative {@code file:} locations are resolved against
     * @param pvcRoot where {@code pvc:<claim>/...} claims are mounted (null outside a pod)
     */
    public ManifestDatasets(FederatedFineTuneSpec spec, Path baseDir, Path pvcRoot) {
        this.spec = spec;
        this.reader = new JobDatasets(JobDescriptions.data(spec.getData()), FederationJobMapper.labels(spec),
                FederationJobMapper.seed(spec),
                baseDir, pvcRoot);
    }

    public List<String> labels() {
        return reader.labels();
    }

    /** One data file with the manifest's fields, format and labels; errors name the file and line. */
    public Dataset read(String uri, int maxExamples) {
        return reader.read(uri, maxExamples);
    }

    public Dataset read(String uri) {
        return reader.read(uri);
    }

    /**
     * The held-out set of {@code spec.evaluation.data}, capped at {@code maxExamples} by a sample
     * seeded with the job's seed; null when there is none.
     */
    public Dataset evaluation(Integer maxExamplesOverride) {
        if (spec.getEvaluation() == null || spec.getEvaluation().getData() == null) {
            return null;
        }
        Integer cap = maxExamplesOverride != null ? maxExamplesOverride : spec.getEvaluation().getMaxExamples();
        Dataset all = read(spec.getEvaluation().getData());
        if (cap == null || cap >= all.size()) {
            return all;
        }
        // A seeded random sample, not the file's head: files are often grouped by source or label.
        List<Integer> order = new ArrayList<>(IntStream.range(0, all.size()).boxed().toList());
        Collections.shuffle(order, new Random(reader.seed()));
        return all.subset(order.subList(0, cap).stream().mapToInt(Integer::intValue).toArray());
    }

    /** The local data of one silo. */
    public JobDatasets.ClientData silo(SiloSpec silo) {
        return reader.silo(JobDescriptions.siloParticipant(spec, silo.getName()));
    }

    /** The local data of every participant, by name: silos as listed, or the devices of a cross-device job. */
    public Map<String, JobDatasets.ClientData> clients() {
        if (spec.getSilos() != null && !spec.getSilos().isEmpty()) {
            Map<String, JobDatasets.ClientData> out = new LinkedHashMap<>();
            for (SiloSpec s : spec.getSilos()) {
                out.put(s.getName(), silo(s));
            }
            return out;
        }
        return reader.devices(JobDescriptions.devicesParticipant(spec));
    }
}
