package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CommunicationBaselineTest {

    private static RoundRecord record(int round, boolean completed, List<String> selected, List<String> got) {
        return new RoundRecord(round, 0, completed ? RoundRecord.Outcome.COMPLETED : RoundRecord.Outcome.FAILED, "", 0, 1,
                selected, got, List.of(), 1, new TreeMap<>(), 0, 0, new TreeMap<>(), EvalMetrics.NONE,
                EvalMetrics.NONE, Double.NaN, Double.NaN, List.of(), null, null);
    }

    @Test
    void loraAndFullModelParametersAreThoseOfTheirLayoutsWithTheHead() {
        ModelConfig m = ModelConfig.allMiniLmL6V2(2);
        CommunicationBaseline b = CommunicationBaseline.of(m);
        assertEquals(AdapterLayout.of(m, AdapterConfig.lora(8, List.of("query", "value"))).parameterCount(),
                b.loraParameters());
        assertEquals(AdapterLayout.of(m, AdapterConfig.full()).parameterCount(), b.fullParameters());
    }

    @Test
    void completedRoundsCountAnUploadPerParticipantAndADownloadPerSelectedOne() {
        List<RoundRecord> h = List.of(
                record(1, true, List.of("a", "b", "c"), List.of("a", "b", "c")),
                record(2, false, List.of("a", "b", "c"), List.of("a")),
                record(2, true, List.of("a", "b", "c"), List.of("a", "b")));
        assertEquals(11, CommunicationBaseline.transfers(h));
        CommunicationBaseline b = new CommunicationBaseline(1000, 50_000);
        assertEquals(11 * 1000 * 4, b.loraBytes(11));
        assertEquals(11L * 50_000 * 4, b.fullBytes(11));
    }
}
