package io.fedtt.core.federation.coordinator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.Traffic;
import io.fedtt.core.federation.store.RoundStore;
import io.fedtt.core.federation.strategy.TaskConfig;
import java.io.IOException;
import java.util.List;
import java.util.SortedMap;

/**
 * The coordinator's durable state, saved as JSON after every transition. Accepted updates of the
 * open round are not in it: they are files of their own, written before each acknowledgement; nor
 * is the round history, whose entries are stored once each ({@code historySize} says how many count).
 *
 * @param completedRounds the version of the current global adapter
 * @param avoid participants silent in earlier tries of the open round (cross-device re-sampling)
 * @param reason the outcome's text, as stores written before {@code outcome} existed hold it (read only)
 * @param outcome how the job ended; null while it runs
 * @param task the open round's training parameters; null in stores written before it existed (then
 *     the job spec's)
 * @param strategyState the strategy's server-side state after round {@code completedRounds}
 *     ({@link io.fedtt.core.federation.strategy.AggregateResult#serverState()}); null when stateless
 *     and in older stores
 * @param roundTraffic the open try's bytes per participant so far; null in older stores (then the
 *     tally starts empty after a restart)
 * @param rejectedUp bytes of refused uploads, not in {@code bytesUp}; 0 in older stores
 * @param rejectedDown bytes of error answers, not in {@code bytesDown}; 0 in older stores
 */
public record CoordinatorSnapshot(
        int format,
        String job,
        JobPhase phase,
        String reason,
        int round,
        int attempt,
        int completedRounds,
        String globalDigest,
        long roundOpenedAtMillis,
        List<String> selected,
        List<String> avoid,
        List<String> trainable,
        long bytesUp,
        long bytesDown,
        int historySize,
        JobOutcome outcome,
        TaskConfig task,
        byte[] strategyState,
        SortedMap<String, Traffic> roundTraffic,
        long rejectedUp,
        long rejectedDown) {

    /** A snapshot without traffic beyond the totals (as stores before the per-try tally hold). */
    public CoordinatorSnapshot(int format, String job, JobPhase phase, String reason, int round, int attempt,
                               int completedRounds, String globalDigest, long roundOpenedAtMillis,
                               List<String> selected, List<String> avoid, List<String> trainable, long bytesUp,
                               long bytesDown, int historySize, JobOutcome outcome, TaskConfig task,
                               byte[] strategyState) {
        this(format, job, phase, reason, round, attempt, completedRounds, globalDigest, roundOpenedAtMillis, selected,
                avoid, trainable, bytesUp, bytesDown, historySize, outcome, task, strategyState, null, 0, 0);
    }

    /** The job's outcome, read from older stores' text when they have no typed one. */
    public JobOutcome outcomeOrLegacy() {
        return outcome != null ? outcome : JobOutcome.fromLegacyText(reason);
    }

    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize coordinator state of " + job, e);
        }
    }

    /** The history this snapshot counts, read from the store it was saved in. */
    public List<RoundRecord> history(RoundStore store) {
        List<RoundRecord> out = new java.util.ArrayList<>();
        for (byte[] r : store.history(historySize)) {
            out.add(recordFromJson(r, store.describe()));
        }
        return out;
    }

    public static byte[] recordToJson(RoundRecord record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize round record " + record.round(), e);
        }
    }

    public static RoundRecord recordFromJson(byte[] json, String where) {
        try {
            return JSON.readValue(json, RoundRecord.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable round record in " + where + ": " + e.getMessage(), e);
        }
    }

    public static CoordinatorSnapshot fromJson(byte[] json, String where) {
        try {
            CoordinatorSnapshot s = JSON.readValue(json, CoordinatorSnapshot.class);
            if (s.format() != FORMAT) {
                throw new IllegalArgumentException("unsupported coordinator state format " + s.format()
                        + " in " + where + " (this version reads " + FORMAT + ")");
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable coordinator state in " + where + ": " + e.getMessage(), e);
        }
    }
}
