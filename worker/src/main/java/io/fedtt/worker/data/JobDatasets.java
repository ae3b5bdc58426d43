package io.fedtt.worker.data;

import io.fedtt.core.data.DataFileException;
import io.fedtt.core.data.DataUri;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.DatasetReader;
import io.fedtt.core.data.Partitioners;
import io.fedtt.core.data.Shard;
import io.fedtt.core.job.JobDescription;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the data a {@link JobDescription} names, with its text/label fields, format and label set:
 * a silo's train and eval files, or a cross-device job's data partitioned into its devices (the same
 * rule and seed everywhere, so every shard and {@code fedtt simulate} see the same devices).
 */
public final class JobDatasets {

    /** A client's local data; {@code eval} is null when it has none. */
    public record ClientData(Dataset train, Dataset eval) {}

    private final JobDescription.Data data;
    private final List<String> labels;
    private final long seed;
    private final Path baseDir;
    private final Path pvcRoot;

    /**
     * @param baseDir what relative {@code file:} locations are resolved against
     * @param pvcRoot where {@code pvc:<claim>/...} claims are mounted (null outside a pod)
     */
    public JobDatasets(JobDescription job, Path baseDir, Path pvcRoot) {
        this(job.data(), job.model().labels(), job.seed(), baseDir, pvcRoot);
    }

    /** The parts of a description that reading needs ({@code fedtt simulate} reads every participant's data). */
    public JobDatasets(JobDescription.Data data, List<String> labels, long seed, Path baseDir, Path pvcRoot) {
        this.data = data;
        this.labels = List.copyOf(labels);
        this.seed = seed;
        this.baseDir = baseDir;
        this.pvcRoot = pvcRoot;
    }

    public List<String> labels() {
        return labels;
    }

    public long seed() {
        return seed;
    }

    /**
     * One data file with the job's fields, format and labels (a causal-lm job, which has no labels:
     * its prompt and response fields); errors name the file and line.
     */
    public Dataset read(String uri, int maxExamples) {
        Path file = DataUri.resolve(uri, baseDir, pvcRoot);
        if (labels.isEmpty()) { // causal-lm: prompt/response records
            return DatasetReader.readPromptResponse(file, data.format(), data.promptField(), data.responseField(),
                    maxExamples);
        }
        return DatasetReader.read(file, data.format(), data.textField(), data.labelField(), labels, maxExamples);
    }

    public Dataset read(String uri) {
        return read(uri, Integer.MAX_VALUE);
    }

    /** The local data of one silo. */
    public ClientData silo(JobDescription.Silo silo) {
        return new ClientData(read(silo.train()), silo.eval() == null ? null : read(silo.eval()));
    }

    /**
     * Every device's data, by device name (device-00000, ...), in device order.
     *
     * @throws DataFileException naming {@code spec.devices.count} when the partition leaves a device
     *     without a training example (more devices than the file has examples): such a device could
     *     never train a round it is sampled for, so the job is refused before it starts, the same way in
     *     {@code fedtt simulate} and in every worker shard
     */
    public Map<String, ClientData> devices(JobDescription.Devices devices) {
        Dataset train = read(devices.train());
        Dataset eval = devices.eval() == null ? null : read(devices.eval());
        List<Shard> trainShards = partition(train, devices);
        requireNoEmptyDevice(trainShards, train, devices);
        List<Shard> evalShards = eval == null ? null : partition(eval, devices);
        Map<String, ClientData> out = new LinkedHashMap<>();
        for (int i = 0; i < trainShards.size(); i++) {
            Shard shard = trainShards.get(i);
            out.put(shard.name(), new ClientData(train.subset(shard.indices()),
                    evalShards == null ? null : eval.subset(evalShards.get(i).indices())));
        }
        return out;
    }

    private void requireNoEmptyDevice(List<Shard> shards, Dataset train, JobDescription.Devices devices) {
        long empty = shards.stream().filter(s -> s.size() == 0).count();
        if (empty == 0) {
            return;
        }
        throw new DataFileException(DataUri.resolve(devices.train(), baseDir, pvcRoot), 0, String.format(Locale.ROOT,
                "spec.devices.count is %,d but the file has %,d training examples: the %s partition leaves %,d"
                        + " devices with none, and a device without data cannot train a round it is sampled for;"
                        + " set spec.devices.count to at most %,d, or give more data",
                devices.count(), train.size(), devices.partition().rule().name().toLowerCase(Locale.ROOT), empty,
                train.size()));
    }

    private List<Shard> partition(Dataset set, JobDescription.Devices devices) {
        JobDescription.Partition p = devices.partition();
        return switch (p.rule()) {
            case IID -> Partitioners.iid(set, devices.count(), seed);
            case DIRICHLET -> Partitioners.dirichlet(set, devices.count(), p.alpha(), seed);
            case FIELD -> Partitioners.byField(set, p.field());
        };
    }
}
