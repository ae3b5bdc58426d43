package io.fedtt.core.federation.budget;

import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.Traffic;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.core.wire.Encoding;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one sampled participant costs on the wire in a round: it downloads what changed since the
 * global it holds and uploads the mask's tensors, each in the job's encoding, plus a fixed allowance
 * for task answers, packed metadata and headers. The download is bounded from above: the whole
 * adapter in round 1 and for cross-device clients (a device may hold nothing yet), else the
 * tensors the previous completed round trained plus this round's mask. Where an earlier completed round used the same mask, its largest measured
 * per-participant count is used instead when larger, since the meter's count is what the budget
 * is held to and the formula cannot see the first round's full download or retries.
 */
public final class RoundCostModel {

    /**
     * Bytes per participant and round that are not tensor values: the task answer, the packed
     * body's names and shapes, the update's metadata. Generous on purpose: an estimate that is too
     * low could let a round overrun the budget.
     */
    public static final long OVERHEAD_BYTES = 16 * 1024;

    private RoundCostModel() {
    }

    /** Bytes one participant moves in a round that trains {@code mask} of {@code global}. */
    public static long perParticipant(TrainableMask mask, AdapterState global, Encoding encoding,
                                      List<RoundRecord> history, boolean crossDevice) {
        long formula = formula(mask, global, encoding, downloaded(mask, global, history, crossDevice));
        return Math.max(formula, measured(mask, history));
    }

    /** Download of {@code down} plus upload of the mask, in the encoding, plus the overhead. */
    public static long formula(TrainableMask mask, AdapterState global, Encoding encoding, Set<String> down) {
        return Math.addExact(Math.addExact(encoding.bytesFor(values(mask.trainable(), global)),
                encoding.bytesFor(values(down, global))), OVERHEAD_BYTES);
    }

    /** The names a participant may download this round (an upper bound, see the class comment). */
    static Set<String> downloaded(TrainableMask mask, AdapterState global, List<RoundRecord> history, boolean crossDevice) {
        RoundRecord last = null;
        for (int i = history.size() - 1; i >= 0 && last == null; i--) {
            if (history.get(i).completed()) {
                last = history.get(i);
            }
        }
        if (crossDevice || last == null) {
            return new TreeSet<>(global.names());
        }
        Set<String> names = new TreeSet<>(last.trainable());
        names.addAll(mask.trainable());
        return names;
    }

    private static long values(Iterable<String> names, AdapterState global) {
        long values = 0;
        for (String name : names) {
            if (global.contains(name)) {
                Tensor t = global.get(name);
                values += t.size();
            }
        }
        return values;
    }

    /** The largest per-participant count of the latest completed round with this mask; 0 when none. */
    static long measured(TrainableMask mask, List<RoundRecord> history) {
        for (int i = history.size() - 1; i >= 0; i--) {
            RoundRecord r = history.get(i);
            if (!r.completed() || !new HashSet<>(r.trainable()).equals(mask.trainable())) {
                continue;
            }
            long most = 0;
            for (Traffic t : r.traffic().values()) {
                most = Math.max(most, t.up() + t.down());
            }
            return most;
        }
        return 0;
    }
}
