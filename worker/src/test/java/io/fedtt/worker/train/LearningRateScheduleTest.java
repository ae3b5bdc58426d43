package io.fedtt.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    private static double[] all(LearningRateSchedule s) {
        double[] out = new double[s.totalSteps()];
        for (int t = 0; t < out.length; t++) {
            out[t] = s.at(t);
        }
        return out;
    }

    @Test
    void warmsUpLinearlyThenDecaysLinearly() {
        LearningRateSchedule s = LearningRateSchedule.of(1e-3, 10, 0.2);
        assertEquals(2, s.warmupSteps());
        assertArrayEquals(new double[] {0.5e-3, 1e-3, 1e-3, 0.875e-3, 0.75e-3, 0.625e-3, 0.5e-3, 0.375e-3, 0.25e-3,
            0.125e-3}, all(s), 1e-15);
    }

    @Test
    void withoutWarmupStartsAtThePeakAndNeverReachesZero() {
        assertArrayEquals(new double[] {4, 3, 2, 1}, all(LearningRateSchedule.of(4, 4, 0)), 1e-12);
        assertArrayEquals(new double[] {2}, all(LearningRateSchedule.of(2, 1, 0)), 0);
    }

    @Test
    void allWarmup() {
        assertArrayEquals(new double[] {1, 2, 3, 4}, all(LearningRateSchedule.of(4, 4, 1.0)), 1e-12);
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.of(0, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.of(1e-3, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.of(1e-3, 10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.of(1e-3, 10, 0).at(10));
    }
}
