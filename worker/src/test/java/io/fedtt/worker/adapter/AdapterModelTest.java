package io.fedtt.worker.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertEncoder;
import io.fedtt.worker.model.bert.BertParameterShapes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TT and LoRA adapters on a tiny BERT: identity at start, freezing, gradients, save/load. */
class AdapterModelTest {

    static final BertConfig CONFIG = new BertConfig("bert", 200, 16, 2, 2, 32, "gelu", 0.1f, 0.1f, 32, 2, 1e-12f, 0);
    static final int LABELS = 3;
    static final Map<String, Tensor> BASE = randomBase(11);

    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(7);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static Map<String, Tensor> randomBase(long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        BertParameterShapes.of(CONFIG).forEach((name, shape) -> {
            Tensor t = Tensor.zeros(shape);
            for (int i = 0; i < t.data().length; i++) {
                t.data()[i] = (float) (r.nextGaussian() * 0.3);
            }
            m.put(name, t);
        });
        return m;
    }

    BertEncoder base() {
        return PretrainedModel.build(CONFIG, BASE, manager, "test").encoder();
    }

    static AdapterLayout layout(AdapterConfig a) {
        return AdapterLayout.of(CONFIG.modelConfig(LABELS), a);
    }

    static AdapterConfig tt() {
        return AdapterConfig.tt(2, 4);
    }

    /** TT adapters plus TT deltas on three projections (attention and feed-forward). */
    static AdapterConfig ttDeltas() {
        return tt().withTtProjections(List.of("query", "value", "output.dense"));
    }

    /** TT adapters with the down projection's bias only, and with none. */
    static List<AdapterConfig> ttFewerBiases() {
        return List.of(tt().withAdapterBias(AdapterConfig.AdapterBias.DOWN), tt().withAdapterBias(AdapterConfig.AdapterBias.NONE));
    }

    static AdapterConfig lora() {
        return AdapterConfig.lora(2, List.of("query", "value"));
    }

    NDList batch(NDManager m, int b, int t, long seed) {
        Random r = new Random(seed);
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        for (int i = 0; i < b; i++) {
            int len = 2 + r.nextInt(t - 1);
            for (int j = 0; j < t; j++) {
                ids[i * t + j] = j < len ? 1 + r.nextInt(CONFIG.vocabSize() - 1) : 0;
                mask[i * t + j] = j < len ? 1 : 0;
            }
        }
        Shape s = new Shape(b, t);
        return new NDList(m.create(ids, s), m.create(mask, s), m.zeros(s, ai.djl.ndarray.types.DataType.INT64));
    }

    float[] hidden(BertEncoder encoder, NDList inputs) {
        try (NDManager scope = manager.newSubManager()) {
            return encoder.forward(new ParameterStore(scope, false), inputs, false).singletonOrThrow().toFloatArray();
        }
    }

    float[] logits(AdapterModel model, NDList inputs) {
        try (NDManager scope = manager.newSubManager()) {
            return model.logits(new ParameterStore(scope, false), inputs, false).toFloatArray();
        }
    }

    Map<String, float[]> snapshot(Map<String, Parameter> params) {
        Map<String, float[]> out = new HashMap<>();
        params.forEach((n, p) -> out.put(n, p.getArray().toFloatArray()));
        return out;
    }

    List<Float> train(AdapterModel model, int steps) {
        TrainStep step = new TrainStep(model, Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-2f)).build());
        List<Float> losses = new java.util.ArrayList<>();
        for (int i = 0; i < steps; i++) {
            try (NDManager scope = manager.newSubManager()) {
                NDList in = batch(scope, 4, 6, 100 + i);
                NDArray labels = scope.create(new long[] {0, 1, 2, 1});
                losses.add(step.run(scope, in, labels));
            }
        }
        return losses;
    }

    @Test
    void ttAndLoraAdaptersStartAsTheIdentity() {
        for (AdapterConfig a : List.of(tt(), ttDeltas(), ttFewerBiases().get(1), lora())) {
            BertEncoder encoder = base();
            NDList in = batch(manager, 3, 7, 1);
            float[] before = hidden(encoder, in);
            AdapterLayout layout = layout(a);
            AdapterModel model = AdapterModel.attach(encoder, manager, layout, AdapterInitializer.initialize(layout, 5),
                    ClassificationHead.Pooling.CLS);
            assertFalse(model.trainableParameters().isEmpty());
            assertArrayEquals(before, hidden(encoder, in), a.typeName() + ": adapted encoder differs at init");
            model.detach();
            assertArrayEquals(before, hidden(encoder, in));
        }
    }

    @Test
    void detachingAfterTrainingLeavesThePretrainedModel() {
        // --compare attaches the next method to the same encoder: the norms the previous one trained
        // must not leak into it.
        BertEncoder encoder = base();
        NDList in = batch(manager, 3, 7, 2);
        float[] before = hidden(encoder, in);
        AdapterLayout layout = layout(tt());
        AdapterModel model = AdapterModel.attach(encoder, manager, layout, AdapterInitializer.initialize(layout, 5),
                ClassificationHead.Pooling.CLS);
        String norm = "encoder.layer.1.output.LayerNorm.weight";
        train(model, 3);
        assertFalse(java.util.Arrays.equals(BASE.get(norm).data(), model.parameterValues(List.of(norm)).get(norm).data()),
                "the norm trained");
        model.detach();
        assertArrayEquals(before, hidden(encoder, in), "the base model after detach");
        AdapterModel next = AdapterModel.attach(encoder, manager, layout, AdapterInitializer.initialize(layout, 5),
                ClassificationHead.Pooling.CLS);
        assertArrayEquals(BASE.get(norm).data(), next.parameterValues(List.of(norm)).get(norm).data());
        next.detach();
    }

    @Test
    void normsTravelAsOffsetsFromThePretrainedValues() {
        AdapterLayout layout = layout(tt());
        AdapterState init = AdapterInitializer.initialize(layout, 5);
        String norm = "encoder.layer.1.output.LayerNorm.weight";
        assertTrue(AdapterInitializer.baseOffsets(init).contains(norm));
        AdapterModel model = AdapterModel.attach(base(), manager, layout, init, ClassificationHead.Pooling.CLS);
        assertArrayEquals(BASE.get(norm).data(), model.parameterValues(List.of(norm)).get(norm).data());
        assertArrayEquals(new float[BASE.get(norm).size()], model.state().get(norm).data(), "no change yet");
        assertTrue(model.trainableParameters().containsKey(norm), "TT trains LayerNorms by default");

        // a global a server optimizer or DP noise moved: the model computes with pretrained + offset
        float[] offset = new float[BASE.get(norm).size()];
        java.util.Arrays.fill(offset, 0.25f);
        model.load(new AdapterState(Map.of(norm, new Tensor(BASE.get(norm).shape(), offset)), Map.of()));
        float[] expected = BASE.get(norm).data().clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] += 0.25f;
        }
        assertArrayEquals(expected, model.parameterValues(List.of(norm)).get(norm).data(), 1e-6f);
        assertArrayEquals(offset, model.export(List.of(norm)).get(norm).data(), 1e-6f);
        assertTrue(List.of(model.export(List.of(norm)).metadata().get(AdapterInitializer.BASE_OFFSETS).split(","))
                .contains(norm), "an exported update says which tensors are offsets");
    }

    @Test
    void anAdapterWrittenBeforeOffsetsLoadsItsAbsoluteValues() {
        AdapterLayout layout = layout(tt());
        String norm = "encoder.layer.1.output.LayerNorm.weight";
        String trained = "encoder.layer.0.output.LayerNorm.bias";
        AdapterModel model = AdapterModel.attach(base(), manager, layout, AdapterInitializer.initialize(layout, 5),
                ClassificationHead.Pooling.CLS);
        Map<String, Tensor> values = new LinkedHashMap<>();
        float[] ones = new float[BASE.get(norm).size()];
        java.util.Arrays.fill(ones, 1f);
        values.put(norm, new Tensor(BASE.get(norm).shape(), ones)); // the old placeholder: stands for the pretrained value
        float[] absolute = new float[BASE.get(trained).size()];
        java.util.Arrays.fill(absolute, 0.5f);
        values.put(trained, new Tensor(BASE.get(trained).shape(), absolute));
        model.load(new AdapterState(values, Map.of(AdapterInitializer.LEGACY_FROM_BASE, norm + "," + trained)));
        assertArrayEquals(BASE.get(norm).data(), model.parameterValues(List.of(norm)).get(norm).data());
        assertArrayEquals(absolute, model.parameterValues(List.of(trained)).get(trained).data());
    }

    @Test
    void trainingChangesOnlyTrainableTensorsAndGradientsReachAllOfThem() {
        for (AdapterConfig a : List.of(tt(), ttDeltas(), ttFewerBiases().get(0), ttFewerBiases().get(1), lora(),
                AdapterConfig.full())) {
            AdapterLayout layout = layout(a);
            AdapterModel model = AdapterModel.attach(base(), manager, layout, AdapterInitializer.initialize(layout, 5),
                    ClassificationHead.Pooling.CLS);
            Map<String, Parameter> frozen = new LinkedHashMap<>(model.parameters());
            frozen.keySet().removeAll(layout.names());
            Map<String, float[]> frozenBefore = snapshot(frozen);
            AdapterState before = model.state();
            TrainStep step = new TrainStep(model, Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-2f)).build());
            TreeSet<String> reached = new TreeSet<>();
            for (int i = 0; i < 4; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    step.run(scope, batch(scope, 4, 6, 100 + i), scope.create(new long[] {0, 1, 2, 1}));
                }
                step.lastGradientNorms().forEach((n, g) -> {
                    if (g > 0) {
                        reached.add(n);
                    }
                });
            }
            assertEquals(new TreeSet<>(layout.names()), reached, a.typeName() + ": tensors without gradient");
            frozenBefore.forEach((n, v) -> assertArrayEquals(v, frozen.get(n).getArray().toFloatArray(),
                    a.typeName() + ": frozen " + n + " changed"));
            AdapterState after = model.state();
            for (String n : layout.names()) {
                assertNotEquals(before.get(n), after.get(n), a.typeName() + ": " + n + " did not move");
            }
        }
    }

    @Test
    void ffaLoraKeepsEveryAAtItsInitAndTrainsEveryB() {
        AdapterLayout layout = layout(lora());
        AdapterModel model = AdapterModel.attach(base(), manager, layout, AdapterInitializer.initialize(layout, 5),
                ClassificationHead.Pooling.MEAN);
        model.setTrainable(io.fedtt.core.freeze.FreezingPolicies.loraFreezeA(layout).maskFor(1, List.of()));
        AdapterState before = model.state();
        train(model, 2);
        AdapterState after = model.state();
        int as = 0;
        int bs = 0;
        for (io.fedtt.core.adapter.TensorSpec t : layout.tensors()) {
            if (t.role() == io.fedtt.core.adapter.Role.LORA_A) {
                as++;
                assertEquals(before.get(t.name()), after.get(t.name()), t.name() + " (A) moved");
            } else if (t.role() == io.fedtt.core.adapter.Role.LORA_B) {
                bs++;
                assertNotEquals(before.get(t.name()), after.get(t.name()), t.name() + " (B) did not move");
            }
        }
        assertTrue(as > 0 && as == bs, as + " A, " + bs + " B");
    }

    @Test
    void maskedTensorsStayFixed() {
        AdapterLayout layout = layout(tt());
        AdapterModel model = AdapterModel.attach(base(), manager, layout, AdapterInitializer.initialize(layout, 5),
                ClassificationHead.Pooling.MEAN);
        List<String> names = layout.names();
        String trained = "encoder.layer.0.output.adapter.up.cores.1";
        assertTrue(names.contains(trained), names.toString());
        model.setTrainable(TrainableMask.of(List.of(trained, "classifier.out_proj.weight")));
        AdapterState before = model.state();
        train(model, 2);
        AdapterState after = model.state();
        for (String n : names) {
            boolean moved = !before.get(n).equals(after.get(n));
            assertEquals(n.equals(trained) || n.equals("classifier.out_proj.weight"), moved, n);
        }
        assertThrows(IllegalArgumentException.class, () -> model.setTrainable(TrainableMask.of(List.of("embeddings.x"))));
    }

    /**
     * A saved adapter reloads to the model it was saved from: every adapter tensor bit for bit; a
     * tensor carried as an offset from the pretrained model (LayerNorms) to within the rounding of that
     * offset in float32 (pretrained + (x - pretrained) is x, or one ulp of the larger of the two away),
     * so the outputs agree to float precision rather than bit for bit.
     */
    @Test
    void savedAdapterReloadsToTheSameModel() {
        for (AdapterConfig a : List.of(tt(), ttDeltas(), ttFewerBiases().get(0), lora())) {
            AdapterLayout layout = layout(a);
            AdapterModel model = AdapterModel.attach(base(), manager, layout, AdapterInitializer.initialize(layout, 5),
                    ClassificationHead.Pooling.CLS);
            train(model, 3);
            NDList in = batch(manager, 3, 7, 9);
            float[] expected = logits(model, in);
            AdapterState saved = model.state();
            AdapterState loaded = SafetensorsCodec.decode(SafetensorsCodec.encode(saved, DType.F32));
            AdapterModel fresh = AdapterModel.attach(base(), manager, layout, loaded, ClassificationHead.Pooling.CLS);
            var before = model.parameterValues(layout.names());
            var after = fresh.parameterValues(layout.names());
            java.util.Set<String> offsets = java.util.Set.of(
                    saved.metadata().getOrDefault(AdapterInitializer.BASE_OFFSETS, "").split(","));
            for (String n : layout.names()) {
                float[] x = before.get(n).data();
                float[] y = after.get(n).data();
                if (!offsets.contains(n)) {
                    assertArrayEquals(x, y, a.typeName() + ": " + n);
                    continue;
                }
                float[] d = saved.get(n).data();
                for (int i = 0; i < x.length; i++) {
                    float pretrained = x[i] - d[i];
                    float ulp = Math.ulp(Math.max(Math.abs(x[i]), Math.abs(pretrained)));
                    assertTrue(Math.abs(x[i] - y[i]) <= ulp, a.typeName() + ": " + n + "[" + i + "] " + x[i] + " -> " + y[i]);
                }
            }
            float[] got = logits(fresh, in);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[i], 1e-5f * Math.max(1f, Math.abs(expected[i])), a.typeName() + " logit " + i);
            }
        }
    }

    @Test
    void ttDeltasSitInTheProjectionsWithoutBiasAndAddToThem() {
        AdapterLayout layout = layout(ttDeltas());
        AdapterModel model = AdapterModel.attach(base(), manager, layout, AdapterInitializer.initialize(layout, 5),
                ClassificationHead.Pooling.CLS);
        assertTrue(model.parameters().containsKey("encoder.layer.1.attention.self.value.tt_delta.cores.0"));
        assertTrue(model.parameters().containsKey("encoder.layer.0.output.dense.tt_delta.cores.2"));
        assertFalse(model.parameters().keySet().stream().anyMatch(n -> n.contains("tt_delta.bias")));
        // a non-zero delta changes the encoder's output
        BertEncoder encoder = (BertEncoder) model.backbone();
        NDList in = batch(manager, 2, 5, 3);
        float[] before = hidden(encoder, in);
        String last = layout.ttLayer("encoder.layer.0.attention.self.query.tt_delta").coreName(
                layout.ttLayer("encoder.layer.0.attention.self.query.tt_delta").zeroInitCore());
        Tensor zero = model.state().get(last);
        Tensor ones = Tensor.zeros(zero.shape());
        java.util.Arrays.fill(ones.data(), 0.5f);
        model.load(new AdapterState(Map.of(last, ones), Map.of()));
        assertFalse(java.util.Arrays.equals(before, hidden(encoder, in)), "the delta did not change the output");
        model.detach();
    }

    @Test
    void layoutForAnotherModelIsRejectedWithTheDifferingFields() {
        AdapterLayout other = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), tt());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterModel.attach(base(),
                manager, other, AdapterInitializer.initialize(other, 1), ClassificationHead.Pooling.CLS));
        assertTrue(e.getMessage().contains("hiddenSize 384 in the layout vs 16 in config.json"), e.getMessage());
    }

    @Test
    void stateWithAMisShapedTensorIsRejected() {
        AdapterLayout layout = layout(tt());
        AdapterModel model = AdapterModel.attach(base(), manager, layout, AdapterInitializer.initialize(layout, 5),
                ClassificationHead.Pooling.CLS);
        AdapterState bad = new AdapterState(Map.of("classifier.out_proj.bias", Tensor.zeros(LABELS + 1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.load(bad));
        assertTrue(e.getMessage().contains("classifier.out_proj.bias"), e.getMessage());
    }
}
