package io.fedtt.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.adapter.Role;
import io.fedtt.core.adapter.TensorSpec;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.Example;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.worker.model.PretrainedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Local training on the real pretrained MiniLM with TT adapters (loaded once; sequences of at
 * most 32 tokens, batches of 8, a few steps): the loss goes down, frozen base weights and frozen
 * FedTT+ cores stay bit-identical, and the same seed gives the same update bytes, dropout included.
 */
class MiniLmTrainingTest {

    static final List<String> LABELS = List.of("ham", "spam");
    static PretrainedModel base;
    static AdaptedModel model;
    static AdapterState initial;
    static AdapterLayout layout;

    @BeforeAll
    static void load() throws Exception {
        base = MiniLm.load(32);
        layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt(5, 64));
        model = AdaptedModel.attach(base, layout, 1);
        initial = model.export(layout.names());
    }

    @AfterAll
    static void close() {
        if (base != null) {
            base.close();
        }
    }

    @BeforeEach
    void reset() {
        model.load(initial);
    }

    static Dataset data() {
        String[] ham = {"Are we still meeting for lunch tomorrow?", "The build failed again, see the attached log.",
            "Minutes of the kernel mailing list meeting", "Can you review my patch to the RPM spec file?",
            "Thanks for the photos from the weekend trip", "The quarterly report is due on Friday",
            "Re: question about the exmh sequences window", "I pushed the fix for the razor config bug"};
        String[] spam = {"WIN a FREE iPhone now!!! Click here", "Cheap meds online, no prescription needed",
            "You have been selected for a $1,000,000 prize", "Lose 20 pounds in 2 weeks, guaranteed!!!",
            "Earn $5000 a week working from home", "URGENT: your account is suspended, verify now",
            "Hot singles in your area want to meet you", "Limited offer: 90% off replica watches"};
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < ham.length; i++) {
            ex.add(new Example(ham[i], 0));
            ex.add(new Example(spam[i], 1));
        }
        return new Dataset("tiny-spam", LABELS, ex);
    }

    @Test
    void trainingReducesTheLoss() {
        ClassificationMetrics.Result before = Evaluator.evaluate(model, data(), 16, 100);
        LocalTraining.Report r = LocalTraining.run(model, data(), Tasks.steps(layout.names(), 8, 8, 3e-3, 1),
                TrainingOptions.defaults(), StepListener.NONE);
        ClassificationMetrics.Result after = Evaluator.evaluate(model, data(), 16, 100);
        System.out.printf("MiniLM TT: loss %.4f -> %.4f, accuracy %.2f -> %.2f, 8 steps in %d ms%n",
                before.loss(), after.loss(), before.accuracy(), after.accuracy(), r.millis());
        assertTrue(after.loss() < before.loss() - 0.1, before.loss() + " -> " + after.loss());
        assertTrue(after.accuracy() >= 0.75, "accuracy " + after.accuracy());
    }

    @Test
    void frozenBaseWeightsAndFrozenCoresStayBitIdentical() {
        // FedTT+: one core per TT layer trains, plus biases and the head's out_proj.
        List<String> mask = new ArrayList<>();
        for (TensorSpec s : layout.tensors()) {
            if (!s.isTtCore() || s.coreIndex() == 2) {
                mask.add(s.name());
            }
        }
        Map<String, float[]> before = new HashMap<>();
        model.parameters().forEach((n, p) -> {
            if (!mask.contains(n)) {
                before.put(n, p.getArray().toFloatArray());
            }
        });
        LocalTraining.run(model, data(), Tasks.steps(mask, 3, 8, 1e-2, 2), TrainingOptions.defaults(),
                StepListener.NONE);
        int checked = 0;
        for (Map.Entry<String, float[]> e : before.entrySet()) {
            Parameter p = model.parameters().get(e.getKey());
            assertArrayEquals(e.getValue(), p.getArray().toFloatArray(), e.getKey() + " changed");
            checked++;
        }
        assertTrue(checked > 100, "checked " + checked + " frozen tensors");
        AdapterState after = model.export(mask);
        long changed = mask.stream().filter(n -> !Arrays.equals(initial.get(n).data(), after.get(n).data())).count();
        assertTrue(changed >= mask.size() / 2, changed + " of " + mask.size() + " trainable tensors changed");
        long ttCores = layout.tensors().stream().filter(s -> s.role() == Role.TT_CORE && s.coreIndex() == 2).count();
        assertTrue(ttCores > 0);
    }

    @Test
    void theSameSeedGivesTheSameUpdateBytesDropoutIncluded() {
        byte[] a = train(11);
        byte[] b = train(11);
        byte[] c = train(12);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    private byte[] train(long seed) {
        model.load(initial);
        LocalTraining.run(model, data(), Tasks.steps(layout.names(), 2, 4, 1e-3, seed), TrainingOptions.defaults(),
                StepListener.NONE);
        return SafetensorsCodec.encode(model.export(layout.names()), DType.F32);
    }

    /**
     * DJL's mul/div(Number) free their scalar's memory right after the op; autograd keeps the scalar
     * for backward. A garbage collection between forward and backward must not change a gradient.
     */
    @Test
    void gradientsDoNotDependOnGarbageCollection() throws Exception {
        model.model().detach();
        try {
            AdapterLayout lora = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.lora(8,
                    AdapterConfig.DEFAULT_LORA_TARGETS)); // scaling alpha/r != 1 exercises LoRA's scalar too
            AdaptedModel m = AdaptedModel.attach(base, lora, 3);
            Map<String, Parameter> trainable = LocalTraining.trainableParameters(m, lora.names());
            // B = 0 at the start would hide the scaling: give every tensor a value.
            for (Parameter p : trainable.values()) {
                float[] v = p.getArray().toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) Math.sin(i * 0.37 + v.length) * 0.05f;
                }
                p.getArray().set(v);
            }
            float[][] calm = gradients(m, trainable, false);
            for (int repeat = 0; repeat < 3; repeat++) {
                float[][] collected = gradients(m, trainable, true);
                for (int i = 0; i < calm.length; i++) {
                    assertArrayEquals(calm[i], collected[i], "gradient " + i + " after a GC, try " + repeat);
                }
            }
            LocalTraining.freezeAll(m);
            m.model().detach();
        } finally {
            model = AdaptedModel.attach(base, layout, 1);
            model.load(initial);
        }
    }

    private static float[][] gradients(AdaptedModel m, Map<String, Parameter> trainable, boolean gc)
            throws InterruptedException {
        var tokens = m.tokenizer().encode(data().examples().subList(0, 4).stream().map(Example::text).toList());
        try (ai.djl.ndarray.NDManager scope = m.manager().newSubManager();
             ai.djl.training.GradientCollector c = scope.getEngine().newGradientCollector()) {
            var inputs = tokens.toNDList(scope);
            var logits = m.logits(new ai.djl.training.ParameterStore(scope, false), inputs, false);
            var loss = CrossEntropy.perExample(logits, scope.create(new long[] {0, 1, 0, 1})).mean();
            if (gc) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    Thread.sleep(20);
                }
            }
            c.backward(loss);
            float[][] out = new float[trainable.size()][];
            int i = 0;
            for (Parameter p : trainable.values()) {
                var g = p.getArray().getGradient();
                out[i++] = g.toFloatArray();
                g.subi(g);
            }
            return out;
        }
    }

    @Test
    void theLoraBaselineTrainsOnTheSameBase() {
        model.model().detach();
        try {
            AdapterLayout lora = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.lora(8,
                    AdapterConfig.DEFAULT_LORA_TARGETS));
            AdaptedModel m = AdaptedModel.attach(base, lora, 3);
            AdapterState start = m.export(lora.names());
            LocalTraining.Report r = LocalTraining.run(m, data(), Tasks.steps(lora.names(), 3, 8, 1e-3, 1),
                    TrainingOptions.defaults(), StepListener.NONE);
            assertTrue(Double.isFinite(r.lastLoss()));
            AdapterState end = m.export(lora.names());
            String b = lora.names().stream().filter(n -> n.endsWith("lora_B")).findFirst().orElseThrow();
            assertFalse(Arrays.equals(start.get(b).data(), end.get(b).data()), b + " trained");
            m.model().detach();
        } finally {
            model = AdaptedModel.attach(base, layout, 1);
            model.load(initial);
        }
        assertEquals(2, model.numLabels());
    }

    /**
     * FedProx on the real model, for each adapter type: with a large mu the trainable tensors end the
     * round closer to the global values they started from than without.
     */
    @Test
    void aProximalTermKeepsTtLoraAndFullCloserToTheGlobal() {
        model.model().detach();
        try {
            for (AdapterConfig config : List.of(AdapterConfig.tt(5, 64),
                    AdapterConfig.lora(8, AdapterConfig.DEFAULT_LORA_TARGETS), AdapterConfig.full())) {
                AdapterLayout l = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), config);
                AdaptedModel m = AdaptedModel.attach(base, l, 5);
                AdapterState start = m.export(l.names());
                double lr = config.type() == AdapterConfig.Type.FULL ? 1e-3 : 1e-2; // full: every encoder weight trains
                double plain = distance(m, l, start, 0, lr);
                double prox = distance(m, l, start, 1000, lr);
                System.out.printf("MiniLM %s: ||w - w_global||^2 after 4 steps: mu=0 %.4g, mu=1000 %.4g%n",
                        config.type(), plain, prox);
                assertTrue(plain > 0, config.type() + " trains");
                assertTrue(prox < 0.5 * plain, config.type() + ": mu=1000 " + prox + " vs mu=0 " + plain);
                m.model().detach();
            }
        } finally {
            model = AdaptedModel.attach(base, layout, 1);
            model.load(initial);
        }
    }

    private static double distance(AdaptedModel m, AdapterLayout l, AdapterState start, double mu, double lr) {
        m.load(start);
        LocalTraining.run(m, data(), Tasks.proximal(l.names(), 4, 4, lr, 9, mu), TrainingOptions.defaults(),
                StepListener.NONE);
        AdapterState end = m.export(l.names());
        double d = 0;
        for (String n : l.names()) {
            float[] a = end.get(n).data();
            float[] b = start.get(n).data();
            for (int i = 0; i < a.length; i++) {
                d += (a[i] - b[i]) * (double) (a[i] - b[i]);
            }
        }
        return d;
    }
}
