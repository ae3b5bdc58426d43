package io.fedtt.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

    @Test
    void accuracyMacroF1AndLossOnAWorkedExample() {
        ClassificationMetrics m = new ClassificationMetrics(2);
        // label 0: 3 right, 1 wrong; label 1: 1 right, 1 wrong
        m.add(0, 0, 0.1);
        m.add(0, 0, 0.1);
        m.add(0, 0, 0.1);
        m.add(0, 1, 1.0);
        m.add(1, 1, 0.2);
        m.add(1, 0, 1.5);
        ClassificationMetrics.Result r = m.result();
        assertEquals(6, r.examples());
        assertEquals(4.0 / 6, r.accuracy(), 1e-12);
        // F1(0) = 2*3/(4+4) = 0.75; F1(1) = 2*1/(2+2) = 0.5
        assertEquals(0.625, r.macroF1(), 1e-12);
        assertEquals(3.0 / 6, r.loss(), 1e-12);
    }

    @Test
    void classesAbsentFromTheSplitAreLeftOutOfMacroF1() {
        ClassificationMetrics m = new ClassificationMetrics(3);
        m.add(0, 0, 0);
        m.add(1, 1, 0);
        assertEquals(1.0, m.result().macroF1(), 1e-12);
    }

    @Test
    void emptyEvaluationIsNaNAndBadLabelsAreRejected() {
        ClassificationMetrics m = new ClassificationMetrics(2);
        assertTrue(Double.isNaN(m.result().accuracy()));
        assertThrows(IllegalArgumentException.class, () -> m.add(2, 0, 0));
    }
}
