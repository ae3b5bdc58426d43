package io.fedtt.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.TextTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FedProx's proximal term on the word-table classifier: the gradient gains exactly mu (w - w_global),
 * a large mu keeps the trained weights measurably closer to the round's global values, mu = 0 is the
 * plain path bit for bit, and frozen tensors are never touched.
 */
class ProximalTermTest {

    static final List<String> BOTH = LocalTrainingTest.BOTH;
    @TempDir
    static Path dir;
    static NDManager manager;
    static TextTokenizer tokenizer;
    static WordTableClassifier model;
    /** A non-zero global adapter, so that "closer to the global" is not "closer to zero". */
    static AdapterState global;

    @BeforeAll
    static void setUp() throws Exception {
        EngineSettings.fromEnvironment(System.getenv()).start();
        manager = NDManager.newBaseManager();
        tokenizer = WordTableClassifier.miniLmTokenizer(dir, 32);
        model = new WordTableClassifier(manager, tokenizer, 2);
        AdapterState zero = model.export(BOTH);
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String name : BOTH) {
            Tensor z = zero.get(name);
            float[] v = new float[z.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) Math.sin(0.7 * i + 1) * 0.3f;
            }
            t.put(name, new Tensor(z.shape(), v));
        }
        global = new AdapterState(t);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
        manager.close();
    }

    @BeforeEach
    void reset() {
        model.load(global);
    }

    /** ||w - w_global||^2 over the trainable tensors after a round with {@code mu}. */
    private static double distanceAfter(RoundTask task) {
        model.load(global);
        LocalTraining.run(model, LocalTrainingTest.separable(), task, TrainingOptions.defaults(), StepListener.NONE);
        AdapterState after = model.export(task.trainable());
        double d = 0;
        for (String name : task.trainable()) {
            float[] a = after.get(name).data();
            float[] g = global.get(name).data();
            for (int i = 0; i < a.length; i++) {
                d += (a[i] - g[i]) * (double) (a[i] - g[i]);
            }
        }
        return d;
    }

    @Test
    void aLargeMuKeepsTheWeightsCloserToTheGlobal() {
        double plain = distanceAfter(Tasks.steps(BOTH, 30, 4, 0.1, 1));
        double small = distanceAfter(Tasks.proximal(BOTH, 30, 4, 0.1, 1, 0.01));
        double large = distanceAfter(Tasks.proximal(BOTH, 30, 4, 0.1, 1, 10));
        assertTrue(plain > 0.1, "plain training moves the weights: " + plain);
        assertTrue(large < 0.5 * plain, "mu = 10: " + large + " vs mu = 0: " + plain);
        assertTrue(large < small, "mu = 10: " + large + " vs mu = 0.01: " + small);
    }

    @Test
    void muZeroIsThePlainPathBitForBit() {
        byte[] plain = train(Tasks.steps(BOTH, 8, 4, 0.05, 3));
        byte[] zero = train(Tasks.proximal(BOTH, 8, 4, 0.05, 3, 0.0));
        assertArrayEquals(plain, zero);
        try (ProximalTerm off = new ProximalTerm(manager, LocalTraining.trainableParameters(model, BOTH), 0)) {
            assertFalse(off.active(), "mu = 0 copies nothing");
            assertEquals(0.0, off.squaredDistance());
        } finally {
            LocalTraining.freezeAll(model);
        }
    }

    @Test
    void theFirstStepIsUnchangedBecauseTheRoundStartsAtTheGlobal() {
        // w = w_global before the first update: the proximal gradient is exactly zero.
        byte[] plain = train(Tasks.steps(BOTH, 1, 4, 0.05, 3));
        byte[] prox = train(Tasks.proximal(BOTH, 1, 4, 0.05, 3, 100));
        assertArrayEquals(plain, prox);
        byte[] plain2 = train(Tasks.steps(BOTH, 2, 4, 0.05, 3));
        byte[] prox2 = train(Tasks.proximal(BOTH, 2, 4, 0.05, 3, 100));
        assertFalse(java.util.Arrays.equals(plain2, prox2), "from the second step on, mu pulls back");
    }

    @Test
    void theGradientGainsExactlyMuTimesTheDistance() {
        Map<String, Parameter> trainable = LocalTraining.trainableParameters(model, List.of("table.bias"));
        Parameter bias = trainable.get("table.bias");
        float[] g0 = global.get("table.bias").data();
        try (ProximalTerm prox = new ProximalTerm(manager, trainable, 0.5);
             NDManager m = manager.newSubManager()) {
            assertTrue(prox.active());
            try (GradMode off = GradMode.disabled()) {
                bias.getArray().addi(m.create(new float[] {0.25f, -1f})); // the client moved away
            }
            assertEquals(0.25 * 0.25 + 1, prox.squaredDistance(), 1e-6);
            try (GradientCollector c = m.getEngine().newGradientCollector()) {
                c.backward(bias.getArray().mul(m.create(new float[] {2f, 3f})).sum()); // gradient [2, 3]
            }
            prox.addTo();
            NDArray grad = bias.getArray().getGradient();
            assertArrayEquals(new float[] {2f + 0.5f * 0.25f, 3f + 0.5f * -1f}, grad.toFloatArray(), 1e-6f);
            grad.close();
            float[] now = bias.getArray().toFloatArray();
            assertEquals(g0[0] + 0.25f, now[0], 1e-6);
        } finally {
            new AdamW(manager, trainable, AdamW.Settings.defaults(), AdamW.Kernel.FUSED).close(); // zero the gradient
            LocalTraining.freezeAll(model);
        }
    }

    @Test
    void frozenTensorsAreUntouched() {
        float[] bias = global.get("table.bias").data();
        LocalTraining.run(model, LocalTrainingTest.separable(), Tasks.proximal(List.of("table.weight"), 10, 4, 0.1, 1, 5),
                TrainingOptions.defaults(), StepListener.NONE);
        AdapterState after = model.export(BOTH);
        assertArrayEquals(bias, after.get("table.bias").data(), "the frozen bias, bit for bit");
        assertFalse(java.util.Arrays.equals(global.get("table.weight").data(), after.get("table.weight").data()));
        assertArrayEquals(new float[] {1f}, model.parameters().get("frozen.scale").getArray().toFloatArray());
    }

    @Test
    void aNegativeMuIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Tasks.proximal(BOTH, 1, 4, 0.1, 1, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new ProximalTerm(manager, Map.of(), Double.NaN));
    }

    private static byte[] train(RoundTask task) {
        model.load(global);
        LocalTraining.run(model, LocalTrainingTest.separable(), task, TrainingOptions.defaults(), StepListener.NONE);
        return SafetensorsCodec.encode(model.export(BOTH), DType.F32);
    }
}
