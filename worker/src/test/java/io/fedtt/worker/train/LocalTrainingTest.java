package io.fedtt.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.Example;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on the word-table classifier: fast, exact, and the same code path as MiniLM's. */
class LocalTrainingTest {

    static final List<String> LABELS = List.of("fruit", "vehicle");
    static final List<String> BOTH = List.of("table.bias", "table.weight");
    @TempDir
    static Path dir;
    static NDManager manager;
    static TextTokenizer tokenizer;
    static WordTableClassifier model;
    static AdapterState initial;

    @BeforeAll
    static void setUp() throws Exception {
        EngineSettings.fromEnvironment(System.getenv()).start();
        manager = NDManager.newBaseManager();
        tokenizer = WordTableClassifier.miniLmTokenizer(dir, 32);
        model = new WordTableClassifier(manager, tokenizer, 2);
        initial = model.export(BOTH);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
        manager.close();
    }

    @BeforeEach
    void reset() {
        model.load(initial);
    }

    static Dataset separable() {
        List<Example> ex = new ArrayList<>();
        String[] fruit = {"apple", "banana", "cherry", "grape", "lemon", "melon"};
        String[] vehicle = {"car", "truck", "bus", "train", "boat", "plane"};
        for (int i = 0; i < fruit.length; i++) {
            ex.add(new Example(fruit[i] + " is on the table", 0));
            ex.add(new Example(vehicle[i] + " is in the street", 1));
        }
        return new Dataset("separable", LABELS, ex);
    }

    @Test
    void trainingReducesTheLossAndLearnsTheTask() {
        Dataset data = separable();
        ClassificationMetrics.Result before = Evaluator.evaluate(model, data, 8, 100);
        List<Double> losses = new ArrayList<>();
        LocalTraining.Report r = LocalTraining.run(model, data, Tasks.steps(BOTH, 30, 4, 0.1, 1),
                TrainingOptions.defaults(), (done, total, loss, lr) -> losses.add(loss));
        ClassificationMetrics.Result after = Evaluator.evaluate(model, data, 8, 100);
        assertEquals(30, r.steps());
        assertEquals(120, r.examplesSeen());
        assertEquals(30, losses.size());
        assertEquals(Math.log(2), before.loss(), 1e-6, "all-zero table: uniform prediction");
        assertTrue(after.loss() < 0.3 * before.loss(), "loss " + before.loss() + " -> " + after.loss());
        assertEquals(1.0, after.accuracy());
        assertTrue(r.lastLoss() < r.firstLoss());
    }

    /**
     * A participant whose texts say nothing and whose labels are 3:1 fruit: plain training learns its own
     * prior (a logit gap of log 3); with logit adjustment the adjusted logits learn that prior, so the
     * model itself stays near balanced: gap log 3 - log(13/5) with add-one smoothing of 12 and 4.
     */
    @Test
    void logitAdjustmentLearnsTheBalancedModelInsteadOfTheParticipantsPrior() {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ex.add(new Example("item", i % 4 == 3 ? 1 : 0));
        }
        Dataset data = new Dataset("skewed", LABELS, ex);
        RoundTask task = Tasks.steps(BOTH, 150, 8, 0.05, 1);
        LocalTraining.run(model, data, task, TrainingOptions.defaults(), StepListener.NONE);
        double plain = logitGap("item");
        model.load(initial);
        LocalTraining.run(model, data, task, TrainingOptions.defaults().withLogitAdjustment(1.0), StepListener.NONE);
        double adjusted = logitGap("item");
        assertEquals(Math.log(3), plain, 0.15, "plain training learns the local prior");
        assertEquals(Math.log(3) - Math.log(13.0 / 5), adjusted, 0.15, "adjusted training learns a balanced model");
    }

    private static double logitGap(String text) {
        try (NDManager m = manager.newSubManager()) {
            float[] l = model.logits(new ai.djl.training.ParameterStore(m, false),
                    model.tokenizer().encode(List.of(text)).toNDList(m), false).toFloatArray();
            return l[0] - l[1];
        }
    }

    @Test
    void onlyTheMaskedTensorsChange() {
        LocalTraining.run(model, separable(), Tasks.steps(List.of("table.weight"), 10, 4, 0.1, 1),
                TrainingOptions.defaults(), StepListener.NONE);
        AdapterState after = model.export(BOTH);
        assertArrayEquals(initial.get("table.bias").data(), after.get("table.bias").data(), "frozen bias, bit for bit");
        assertFalse(java.util.Arrays.equals(initial.get("table.weight").data(), after.get("table.weight").data()));
        assertArrayEquals(new float[] {1f}, model.parameters().get("frozen.scale").getArray().toFloatArray());
        model.parameters().values().forEach(p -> assertFalse(p.requiresGradient(), p.getName() + " frozen after the round"));
    }

    @Test
    void theSameSeedGivesTheSameUpdateBytes() {
        byte[] a = trainAndEncode(7);
        byte[] b = trainAndEncode(7);
        byte[] c = trainAndEncode(8);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c), "another seed shuffles differently");
    }

    private byte[] trainAndEncode(long seed) {
        model.load(initial);
        LocalTraining.run(model, separable(), Tasks.steps(BOTH, 5, 4, 0.05, seed), TrainingOptions.defaults()
                .withWarmupRatio(0.2).withWeightDecay(0.01), StepListener.NONE);
        return SafetensorsCodec.encode(model.export(BOTH), DType.F32);
    }

    @Test
    void bothKernelsTrainAlike() {
        LocalTraining.run(model, separable(), Tasks.steps(BOTH, 5, 4, 0.05, 3),
                TrainingOptions.defaults().withKernel(AdamW.Kernel.FUSED), StepListener.NONE);
        float[] fused = model.export(BOTH).get("table.weight").data();
        model.load(initial);
        LocalTraining.run(model, separable(), Tasks.steps(BOTH, 5, 4, 0.05, 3),
                TrainingOptions.defaults().withKernel(AdamW.Kernel.NDARRAY), StepListener.NONE);
        float[] manual = model.export(BOTH).get("table.weight").data();
        for (int i = 0; i < fused.length; i++) {
            assertEquals(fused[i], manual[i], 1e-6, "element " + i);
        }
    }

    @Test
    void theListenerSeesTheSchedule() {
        List<Double> rates = new ArrayList<>();
        LocalTraining.run(model, separable(), Tasks.steps(BOTH, 4, 4, 0.1, 1),
                TrainingOptions.defaults().withWarmupRatio(0.5), (done, total, loss, lr) -> {
                    assertEquals(4, total);
                    rates.add(lr);
                });
        assertEquals(List.of(0.05, 0.1, 0.1, 0.05), rates);
    }

    @Test
    void epochsRunEveryExampleOncePerEpoch() {
        LocalTraining.Report r = LocalTraining.run(model, separable(), Tasks.epochs(BOTH, 2, 5, 0.1, 1),
                TrainingOptions.defaults(), StepListener.NONE);
        assertEquals(6, r.steps());
        assertEquals(24, r.examplesSeen());
    }

    @Test
    void aTaskNamingAnUnknownTensorIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalTraining.run(model,
                separable(), Tasks.steps(List.of("table.weight", "frozen.scale"), 2, 4, 0.1, 1),
                TrainingOptions.defaults(), StepListener.NONE));
        assertTrue(e.getMessage().contains("frozen.scale"), e.getMessage());
    }

    @Test
    void aFailedRoundLeavesNoGradientBehind() {
        float[] table = initial.get("table.weight").data().clone();
        table[model.firstWordId("apple") * 2] = Float.POSITIVE_INFINITY;
        model.load(initial.with(Map.of("table.weight", new Tensor(new int[] {WordTableClassifier.VOCAB, 2}, table))));
        assertThrows(ArithmeticException.class, () -> LocalTraining.run(model, separable(),
                Tasks.steps(BOTH, 3, 12, 0.1, 1), TrainingOptions.defaults(), StepListener.NONE));
        model.load(initial);
        LocalTraining.Report r = LocalTraining.run(model, separable(), Tasks.steps(BOTH, 3, 4, 0.1, 1),
                TrainingOptions.defaults(), StepListener.NONE);
        assertTrue(Double.isFinite(r.lastLoss()));
        assertTrue(model.export(BOTH).tensors().values().stream()
                .allMatch(t -> { for (float v : t.data()) { if (!Float.isFinite(v)) { return false; } } return true; }),
                "autograd accumulates: a non-finite gradient left from the failed round would poison this one");
    }

    @Test
    void stoppingAbandonsTheRoundBetweenSteps() {
        AtomicInteger steps = new AtomicInteger();
        RoundCancelledException e = assertThrows(RoundCancelledException.class, () -> LocalTraining.run(model,
                separable(), Tasks.steps(BOTH, 10, 4, 0.1, 1), TrainingOptions.defaults(),
                (done, total, loss, lr) -> steps.set(done), () -> steps.get() >= 3));
        assertTrue(e.getMessage().contains("after 3 of 10"), e.getMessage());
        model.parameters().values().forEach(p -> assertFalse(p.requiresGradient()));
    }

    @Test
    void theTrainerEvaluatesTheGlobalAdapterThenTrains() throws Exception {
        Dataset train = separable();
        Dataset eval = separable().head(6);
        float[] table = new float[WordTableClassifier.VOCAB * 2];
        table[model.firstWordId("apple") * 2 + 1] = 5f; // the global adapter calls apples vehicles
        AdapterState global = new AdapterState(Map.of(
                "table.weight", new Tensor(new int[] {WordTableClassifier.VOCAB, 2}, table),
                "table.bias", new Tensor(new int[] {2}, new float[2])));
        model.load(global);
        ClassificationMetrics.Result expected = Evaluator.evaluate(model, eval, 32, Integer.MAX_VALUE);
        model.load(initial);
        List<Integer> progress = new ArrayList<>();
        LocalTrainer trainer = new LocalTrainer(model, train, eval, TrainingOptions.defaults(),
                (done, total, loss, lr) -> progress.add(done));
        RoundTask task = Tasks.steps(List.of("table.weight"), 3, 4, 0.1, 1);
        ClientLoop.LocalResult r = trainer.train(task, global);
        assertEquals(expected.accuracy(), r.eval().accuracy(), 1e-12);
        // ties go to label 0: banana and cherry right, apple (the global's mistake) and the vehicles wrong
        assertEquals(2.0 / 6, r.eval().accuracy(), 1e-12);
        assertEquals(expected.loss(), r.eval().loss(), 1e-9);
        assertEquals(6, r.eval().examples());
        assertEquals(12, r.examples());
        assertEquals(3, r.steps());
        assertEquals(List.of(1, 2, 3), progress);
        assertEquals(java.util.Set.of("table.weight"), r.update().names());
        assertEquals(1, trainer.lastRound().round());
    }
}
