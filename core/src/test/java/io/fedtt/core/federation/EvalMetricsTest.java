package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvalMetricsTest {

    @Test
    void theMeanIsWeightedByExamplesPerMetricAndSkipsUnmeasuredOnes() {
        EvalMetrics m = EvalMetrics.weightedMean(List.of(
                new EvalMetrics(0.5, 2.0, 10),
                new EvalMetrics(1.0, Double.NaN, 30),   // loss not measured: left out of the loss mean only
                new EvalMetrics(0.0, 9.0, 0),           // no examples: left out entirely
                EvalMetrics.NONE));
        assertEquals((0.5 * 10 + 1.0 * 30) / 40, m.accuracy(), 1e-15);
        assertEquals(2.0, m.loss(), 0.0);
        assertEquals(40, m.examples());
    }

    @Test
    void nothingMeasuredIsNaN() {
        EvalMetrics m = EvalMetrics.weightedMean(List.of(EvalMetrics.NONE));
        assertTrue(Double.isNaN(m.accuracy()) && Double.isNaN(m.loss()));
        assertEquals(0, m.examples());
    }
}
