package io.fedtt.core.federation;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One try of one round, as status, metrics and reports read it. Written when the round completes
 * or fails; byte counts are those seen until then (later traffic goes into the job's totals).
 *
 * @param selected participants asked to train
 * @param participants those whose update was accepted and aggregated (or, for a failed try, received)
 * @param stragglers selected participants with no accepted update when the round closed
 * @param examples the aggregation weight: training examples summed over the participants
 * @param examplesBy each participant's reported training examples (empty in records written before it existed)
 * @param federated the incoming global adapter's metrics on the clients' eval splits, averaged
 *     weighted by eval examples
 * @param central the new global adapter's metrics from the central evaluation hook, if any
 * @param accuracy what the stop conditions read: central accuracy if measured, else federated
 * @param trainable the round's trainable tensors (FedTT+ mask)
 * @param energy per-tensor update energy of the aggregated step (input to adaptive freezing)
 * @param globalDigest sha256 of the new global adapter as encoded on the wire (completed rounds)
 */
public record RoundRecord(
        int round,
        int attempt,
        Outcome outcome,
        String reason,
        long startedAtMillis,
        long endedAtMillis,
        List<String> selected,
        List<String> participants,
        List<String> stragglers,
        long examples,
        SortedMap<String, Long> examplesBy,
        long bytesUp,
        long bytesDown,
        SortedMap<String, Traffic> traffic,
        EvalMetrics federated,
        EvalMetrics central,
        double accuracy,
        double loss,
        List<String> trainable,
        Map<String, Double> energy,
        String globalDigest) {

    public enum Outcome { COMPLETED, FAILED }

    public RoundRecord {
        selected = List.copyOf(selected);
        participants = List.copyOf(participants);
        stragglers = List.copyOf(stragglers);
        examplesBy = examplesBy == null ? new TreeMap<>() : new TreeMap<>(examplesBy);
        traffic = new TreeMap<>(traffic);
        trainable = List.copyOf(trainable);
        energy = energy == null ? Map.of() : new TreeMap<>(energy);
    }

    public long durationMillis() {
        return endedAtMillis - startedAtMillis;
    }

    public boolean completed() {
        return outcome == Outcome.COMPLETED;
    }

    /**
     * Adapter-sized messages this round exchanged: one upload per participant and one download per
     * selected participant. What the LoRA and full-model comparisons multiply by.
     */
    public int transfers() {
        return participants.size() + selected.size();
    }
}
