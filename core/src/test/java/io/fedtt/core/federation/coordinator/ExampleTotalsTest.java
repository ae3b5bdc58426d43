package io.fedtt.core.federation.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.core.federation.UpdateInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A round's example total is exact while it fits a long and saturates instead of turning negative. */
class ExampleTotalsTest {

    @Test
    void totalsAreExactOrSaturate() {
        assertEquals(0, RoundTry.totalExamples(List.of()));
        assertEquals(3L * UpdateInfo.MAX_EXAMPLES, RoundTry.totalExamples(
                List.of(UpdateInfo.MAX_EXAMPLES, UpdateInfo.MAX_EXAMPLES, UpdateInfo.MAX_EXAMPLES)));
        // the claim plus an honest one overflowed to a negative total before
        assertEquals(Long.MAX_VALUE, RoundTry.totalExamples(List.of(Long.MAX_VALUE, 120L)));
        assertEquals(Long.MAX_VALUE, RoundTry.totalExamples(List.of(Long.MAX_VALUE - 1, 1L, 5L, 7L)));
    }
}
