package io.fedtt.core.federation.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.Traffic;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficMeterTest {

    @Test
    void totalsCountEverythingWhileTheRoundTallyCountsOnlyTheOpenRoundsParticipants() {
        TrafficMeter m = new TrafficMeter();
        m.openRound(3, Set.of("silo-0", "silo-1"));
        m.record(3, "silo-0", 100, 0);
        m.record(3, "silo-0", 0, 40);
        m.record(3, "silo-1", 7, 9);
        m.record(2, "silo-1", 1000, 0);   // a late upload for a closed round
        m.record(-1, "silo-0", 0, 500);   // status or current-adapter download: no round
        m.record(3, null, 0, 60);         // refused before authentication
        m.record(3, "device-9", 0, 80);   // a participant the round did not select, long-polling
        assertEquals(Map.of("silo-0", new Traffic(100, 40), "silo-1", new Traffic(7, 9)), m.roundTraffic());
        assertEquals(new Traffic(1107, 689), m.total());
        assertEquals(new Traffic(107, 49), TrafficMeter.sum(m.roundTraffic()));
    }

    @Test
    void eachTryStartsAFreshTallyAndAFinishedJobOnlyGrowsItsTotals() {
        TrafficMeter m = new TrafficMeter();
        m.openRound(1, Set.of("silo-0"));
        m.record(1, "silo-0", 10, 20);
        m.openRound(1, Set.of("silo-0")); // a retry of round 1
        assertTrue(m.roundTraffic().isEmpty());
        m.record(1, "silo-0", 1, 2);
        assertEquals(Map.of("silo-0", new Traffic(1, 2)), m.roundTraffic());
        m.closeRounds();
        m.record(1, "silo-0", 5, 5);
        assertTrue(m.roundTraffic().isEmpty());
        assertEquals(new Traffic(16, 27), m.total());
    }

    @Test
    void restoredTotalsAreCountedOn() {
        TrafficMeter m = new TrafficMeter();
        m.restoreTotals(1000, 3000);
        m.record(-1, "silo-0", 1, 2);
        assertEquals(new Traffic(1001, 3002), m.total());
    }
}
