package io.fedtt.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.fedtt.worker.engine.EngineSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both kernels against a double-precision reference AdamW with decoupled weight decay and global
 * norm clipping, on loss = sum(a·w + b·w²) over two tensors (one decayed, one a bias).
 */
class AdamWTest {

    static NDManager manager;

    @BeforeAll
    static void start() {
        EngineSettings.fromEnvironment(System.getenv()).start();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static final float[] A = {0.5f, -1.5f, 2.0f, 0.25f, -3.0f};
    static final float[] B = {0.1f, 0.3f, 0.05f, 1.0f, 0.2f};
    static final float[] W0 = {1.0f, -2.0f, 0.5f, 3.0f, -0.7f};
    static final float[] BIAS0 = {0.3f, -0.4f};
    static final float[] BIAS_A = {1.0f, -2.0f};

    @ParameterizedTest
    @EnumSource(AdamW.Kernel.class)
    void matchesTheReference(AdamW.Kernel kernel) {
        double lr = 0.1;
        AdamW.Settings s = new AdamW.Settings(0.9, 0.999, 1e-8, 0.05, 1.0);
        Parameter w = param("x.weight", W0);
        Parameter bias = param("x.bias", BIAS0);
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("x.weight", w);
        params.put("x.bias", bias);
        Reference ref = new Reference(s);
        try (AdamW opt = new AdamW(manager, params, s, kernel)) {
            for (int step = 1; step <= 6; step++) {
                try (NDManager m = manager.newSubManager(); GradientCollector c = m.getEngine().newGradientCollector()) {
                    NDArray a = m.create(A);
                    NDArray b = m.create(B);
                    NDArray loss = w.getArray().mul(a).add(w.getArray().square().mul(b)).sum()
                            .add(bias.getArray().mul(m.create(BIAS_A)).sum());
                    c.backward(loss);
                }
                double norm = opt.step(lr * step / 6.0);
                double refNorm = ref.step(lr * step / 6.0);
                assertEquals(refNorm, norm, 1e-4 * refNorm, "gradient norm at step " + step);
                assertClose(ref.w, w.getArray().toFloatArray(), kernel + " weight after step " + step);
                assertClose(ref.bias, bias.getArray().toFloatArray(), kernel + " bias after step " + step);
            }
            assertTrue(ref.clipped > 0, "the test exercises clipping");
        }
    }

    @ParameterizedTest
    @EnumSource(AdamW.Kernel.class)
    void aParameterGroupMovesAtItsOwnRate(AdamW.Kernel kernel) {
        // Same gradient, same state; the "head" has 10x the rate. Adam's first step is lr * sign(g)
        // (up to epsilon), so the head moves exactly 10x as far, and the others as with no groups.
        AdamW.Settings s = new AdamW.Settings(0.9, 0.999, 1e-8, 0, 0);
        Parameter body = param("body.weight", W0);
        Parameter head = param("head.weight", W0);
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put("body.weight", body);
        params.put("head.weight", head);
        try (AdamW opt = new AdamW(manager, params, s, kernel, n -> n.startsWith("head.") ? 10.0 : 1.0)) {
            try (NDManager m = manager.newSubManager(); GradientCollector c = m.getEngine().newGradientCollector()) {
                NDArray a = m.create(A);
                c.backward(body.getArray().mul(a).sum().add(head.getArray().mul(a).sum()));
            }
            opt.step(0.01);
        }
        float[] b = body.getArray().toFloatArray();
        float[] h = head.getArray().toFloatArray();
        for (int i = 0; i < W0.length; i++) {
            assertEquals(-0.01 * Math.signum(A[i]), b[i] - W0[i], 1e-6, "body element " + i);
            assertEquals(-0.1 * Math.signum(A[i]), h[i] - W0[i], 1e-5, "head element " + i);
        }
        assertThrows(IllegalArgumentException.class,
                () -> new AdamW(manager, Map.of("w", param("w", W0)), s, kernel, n -> 0.0));
    }

    @ParameterizedTest
    @EnumSource(AdamW.Kernel.class)
    void gradientsAreZeroedAfterAStep(AdamW.Kernel kernel) {
        Parameter w = param("y.weight", W0);
        try (AdamW opt = new AdamW(manager, Map.of("y.weight", w), AdamW.Settings.defaults(), kernel)) {
            try (NDManager m = manager.newSubManager(); GradientCollector c = m.getEngine().newGradientCollector()) {
                c.backward(w.getArray().mul(m.create(A)).sum());
            }
            opt.step(0.01);
            for (float g : w.getArray().getGradient().toFloatArray()) {
                assertEquals(0f, g);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(AdamW.Kernel.class)
    void aNonFiniteGradientStopsTraining(AdamW.Kernel kernel) {
        Parameter w = param("z.weight", W0);
        try (AdamW opt = new AdamW(manager, Map.of("z.weight", w), AdamW.Settings.defaults(), kernel)) {
            try (NDManager m = manager.newSubManager(); GradientCollector c = m.getEngine().newGradientCollector()) {
                c.backward(w.getArray().mul(m.create(new float[] {Float.NaN, 1, 1, 1, 1})).sum());
            }
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> opt.step(0.01));
            assertTrue(e.getMessage().contains("gradient norm is NaN"), e.getMessage());
        }
    }

    @org.junit.jupiter.api.Test
    void biasesAndNormsAreNotDecayed() {
        assertTrue(AdamW.decays("encoder.layer.0.output.adapter.down.core_0"));
        assertFalse(AdamW.decays("encoder.layer.0.output.adapter.down.bias"));
        assertFalse(AdamW.decays("encoder.layer.0.output.LayerNorm.weight"));
    }

    private static Parameter param(String name, float[] values) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(manager.create(values.clone()));
        p.freeze(false);
        return p;
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-5 * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }

    /** AdamW in doubles, as Loshchilov and Hutter write it, with the folded bias correction. */
    static final class Reference {
        final AdamW.Settings s;
        final double[] w = toDouble(W0);
        final double[] bias = toDouble(BIAS0);
        final double[] mw = new double[w.length];
        final double[] vw = new double[w.length];
        final double[] mb = new double[bias.length];
        final double[] vb = new double[bias.length];
        int t;
        int clipped;

        Reference(AdamW.Settings s) {
            this.s = s;
        }

        double step(double lr) {
            t++;
            double[] gw = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                gw[i] = A[i] + 2 * B[i] * w[i];
            }
            double[] gb = toDouble(BIAS_A);
            double sq = 0;
            for (double g : gw) {
                sq += g * g;
            }
            for (double g : gb) {
                sq += g * g;
            }
            double norm = Math.sqrt(sq);
            double scale = norm > s.maxGradNorm() ? s.maxGradNorm() / (norm + 1e-6) : 1;
            if (scale < 1) {
                clipped++;
            }
            update(w, gw, mw, vw, lr, s.weightDecay(), scale);
            update(bias, gb, mb, vb, lr, 0, scale);
            return norm;
        }

        private void update(double[] p, double[] g, double[] m, double[] v, double lr, double wd, double scale) {
            double corrected = lr * Math.sqrt(1 - Math.pow(s.beta2(), t)) / (1 - Math.pow(s.beta1(), t));
            for (int i = 0; i < p.length; i++) {
                double gi = g[i] * scale;
                m[i] = s.beta1() * m[i] + (1 - s.beta1()) * gi;
                v[i] = s.beta2() * v[i] + (1 - s.beta2()) * gi * gi;
                p[i] = p[i] * (1 - lr * wd) - corrected * m[i] / (Math.sqrt(v[i]) + s.epsilon());
            }
        }

        private static double[] toDouble(float[] f) {
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
    }
}
