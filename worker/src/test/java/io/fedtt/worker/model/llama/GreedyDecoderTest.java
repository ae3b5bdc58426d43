package io.fedtt.worker.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.WeightPrecision;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Greedy decoding on the tiny fixture checkpoints (untied fp32 LLaMA; tied LLaMA 3 stored in fp16). */
class GreedyDecoderTest {

    static final long[] A = {1, 17, 203, 45, 9, 311, 88};
    static final long[] B = {1, 250, 4};
    static final long[] C = {7};

    @BeforeAll
    static void engine() {
        EngineSettings.fromEnvironment(System.getenv()).start();
    }

    /** Arg-max of the last position of a full forward pass, appended, n times: decoding by hand. */
    static long[] byHand(LlamaModel model, NDManager m, long[] prompt, int n) {
        long[] seq = prompt.clone();
        for (int k = 0; k < n; k++) {
            try (NDManager s = m.newSubManager()) {
                Shape shape = new Shape(1, seq.length);
                ParameterStore ps = new ParameterStore(s, false);
                NDArray h = model.forward(ps, new NDList(s.create(seq, shape), s.ones(shape, DataType.INT64)),
                        false).singletonOrThrow();
                NDArray logits = model.lmLogits(ps, h, false); // [1, T, V], every position
                long next = logits.get(0, seq.length - 1).argMax().getLong();
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = next;
            }
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama3"})
    void equalsArgMaxOfFullForwardPasses(String name) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = LlamaGoldenTest.load(name, m, WeightPrecision.AUTO);
            GreedyDecoder decoder = new GreedyDecoder(model, m);
            for (long[] prompt : List.of(A, B, C)) {
                assertArrayEquals(byHand(model, m, prompt, 8), decoder.generate(prompt, 8), name + " " + Arrays.toString(prompt));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama3"})
    void batchOfDifferentLengthsEqualsEachAlone(String name) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = LlamaGoldenTest.load(name, m, WeightPrecision.AUTO);
            GreedyDecoder decoder = new GreedyDecoder(model, m);
            List<long[]> batch = decoder.generate(List.of(A, B, C), 6);
            assertEquals(3, batch.size());
            assertArrayEquals(decoder.generate(A, 6), batch.get(0));
            assertArrayEquals(decoder.generate(B, 6), batch.get(1));
            assertArrayEquals(decoder.generate(C, 6), batch.get(2));
            for (long[] g : batch) {
                assertEquals(6, g.length);
            }
        }
    }

    @Test
    void stopsAfterAStopIdAndOtherRowsGoOn() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = LlamaGoldenTest.load("tiny-llama", m, WeightPrecision.AUTO);
            GreedyDecoder decoder = new GreedyDecoder(model, m);
            long[] free = decoder.generate(A, 8);
            int k = 1; // the first token that did not appear before it: stopping on it ends right there
            while (k < free.length && contains(Arrays.copyOf(free, k), free[k])) {
                k++;
            }
            assertTrue(k < free.length, "no fresh token in " + Arrays.toString(free));
            long stop = free[k];
            assertArrayEquals(Arrays.copyOf(free, k + 1), decoder.generate(A, 8, stop), "ends with the stop id");

            long[] other = decoder.generate(B, 8);
            List<long[]> batch = decoder.generate(List.of(A, B), 8, stop);
            assertArrayEquals(Arrays.copyOf(free, k + 1), batch.get(0));
            int j = 0;
            while (j < other.length && other[j] != stop) {
                j++;
            }
            assertArrayEquals(Arrays.copyOf(other, Math.min(other.length, j + 1)), batch.get(1), "the other row");
        }
    }

    @Test
    void leavesGradModeAsItWasAndChecksArguments() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = LlamaGoldenTest.load("tiny-llama", m, WeightPrecision.AUTO);
            GreedyDecoder decoder = new GreedyDecoder(model, m);
            boolean before = JniUtils.isGradMode();
            try {
                JniUtils.setGradMode(true);
                decoder.generate(B, 2);
                assertTrue(JniUtils.isGradMode(), "grad mode restored");
            } finally {
                JniUtils.setGradMode(before);
            }
            assertEquals(0, decoder.generate(B, 0).length);
            assertThrows(IllegalArgumentException.class, () -> decoder.generate(new long[0], 2));
            assertThrows(IllegalArgumentException.class, () -> decoder.generate(new long[] {1, 400}, 2));
            assertThrows(IllegalArgumentException.class, () -> decoder.generate(B, -1));
            assertThrows(IllegalArgumentException.class, () -> decoder.generate(B, 254));
            assertThrows(IllegalArgumentException.class, () -> decoder.generate(List.of(), 2));
        }
    }

    private static boolean contains(long[] ids, long id) {
        return Arrays.stream(ids).anyMatch(x -> x == id);
    }
}
