package io.fedtt.worker.data;

import io.fedtt.api.v1alpha1.DataSpec;
import io.fedtt.api.v1alpha1.DevicesSpec;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.PartitionBy;
import io.fedtt.api.v1alpha1.PartitionSpec;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.data.DataUri;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.DatasetReader;
import io.fedtt.core.data.Partitioners;
import io.fedtt.core.data.Shard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Reads the data a manifest names, with its text/label fields, format and label set: each silo's
 * train and eval files, a cross-device job's partitioned shards, and the held-out evaluation set.
 * Used by {@code fedtt worker} (one client) and {@code fedtt simulate} (all of them).
 */
public final class ManifestDatasets {

    /** A client's local data; {@code eval} is null when it has none. */
    public record ClientData(Dataset train, Dataset eval) {}

    private final FederatedFineTuneSpec spec;
    private final Path baseDir;
    private final Path pvcRoot;

    /**
     * @param baseDir what relative {@code file:} locations are resolved against
     * @param pvcRoot where {@code pvc:<claim>/...} claims are mounted (null outside a pod)
     */
    public ManifestDatasets(FederatedFineTuneSpec spec, Path baseDir, Path pvcRoot) {
        this.spec = spec;
        this.baseDir = baseDir;
        this.pvcRoot = pvcRoot;
    }

    public List<String> labels() {
        return spec.getModel().getLabels();
    }

    /** One data file with the manifest's fields, format and labels; errors name the file and line. */
    public Dataset read(String uri, int maxExamples) {
        DataSpec d = spec.getData() == null ? new DataSpec() : spec.getData();
        String text = d.getTextField() == null ? "text" : d.getTextField();
        String label = d.getLabelField() == null ? "label" : d.getLabelField();
        DataFormat format = d.getFormat() == null ? DataFormat.AUTO
                : DataFormat.parse(d.getFormat().name().toLowerCase(Locale.ROOT));
        return DatasetReader.read(DataUri.resolve(uri, baseDir, pvcRoot), format, text, label, labels(), maxExamples);
    }

    public Dataset read(String uri) {
        return read(uri, Integer.MAX_VALUE);
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
        Collections.shuffle(order, new Random(seed()));
        return all.subset(order.subList(0, cap).stream().mapToInt(Integer::intValue).toArray());
    }

    private long seed() {
        return spec.getRounds() == null || spec.getRounds().getSeed() == null ? 0 : spec.getRounds().getSeed();
    }

    /** The local data of one silo. */
    public ClientData silo(SiloSpec silo) {
        String eval = silo.getData().getEval();
        return new ClientData(read(silo.getData().getTrain()), eval == null ? null : read(eval));
    }

    /** The local data of every participant, by name: silos as listed, or the shards of a cross-device job. */
    public Map<String, ClientData> clients() {
        Map<String, ClientData> out = new LinkedHashMap<>();
        if (spec.getSilos() != null && !spec.getSilos().isEmpty()) {
            for (SiloSpec s : spec.getSilos()) {
                out.put(s.getName(), silo(s));
            }
            return out;
        }
        DevicesSpec devices = spec.getDevices();
        Dataset train = read(devices.getData().getTrain());
        Dataset eval = devices.getData().getEval() == null ? null : read(devices.getData().getEval());
        List<Shard> trainShards = partition(train, devices);
        List<Shard> evalShards = eval == null ? null : partition(eval, devices);
        for (int i = 0; i < trainShards.size(); i++) {
            Shard shard = trainShards.get(i);
            out.put(shard.name(), new ClientData(train.subset(shard.indices()),
                    evalShards == null ? null : eval.subset(evalShards.get(i).indices())));
        }
        return out;
    }

    private List<Shard> partition(Dataset data, DevicesSpec devices) {
        PartitionSpec p = devices.getPartition() == null ? new PartitionSpec() : devices.getPartition();
        long seed = seed();
        int count = devices.getCount();
        PartitionBy by = p.getBy() == null ? PartitionBy.DIRICHLET : p.getBy();
        return switch (by) {
            case IID -> Partitioners.iid(data, count, seed);
            case DIRICHLET -> Partitioners.dirichlet(data, count, p.getAlpha() == null ? 0.5 : p.getAlpha(), seed);
            case FIELD -> Partitioners.byField(data, p.getField());
        };
    }
}
