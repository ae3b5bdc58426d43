package io.fedtt.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.Example;
import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluation on a case worked out by hand: known logits per word, 3 classes, 5 examples. */
class EvaluatorTest {

    static final List<String> LABELS = List.of("neg", "pos", "neutral");
    @TempDir
    static Path dir;
    static NDManager manager;
    static TextTokenizer tokenizer;
    static WordTableClassifier model;

    @BeforeAll
    static void setUp() throws Exception {
        EngineSettings.fromEnvironment(System.getenv()).start();
        manager = NDManager.newBaseManager();
        tokenizer = WordTableClassifier.miniLmTokenizer(dir, 32);
        model = new WordTableClassifier(manager, tokenizer, 3);
        float[] table = new float[WordTableClassifier.VOCAB * 3];
        row(table, "good", 0, 2, 0);
        row(table, "bad", 1, 0, 0);
        row(table, "fine", 0, 3, 0);
        row(table, "okay", 0, 0, 2);
        model.load(new AdapterState(Map.of("table.weight", new Tensor(new int[] {WordTableClassifier.VOCAB, 3}, table))));
    }

    private static void row(float[] table, String word, float a, float b, float c) {
        int id = model.firstWordId(word);
        table[id * 3] = a;
        table[id * 3 + 1] = b;
        table[id * 3 + 2] = c;
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
        manager.close();
    }

    static Dataset data() {
        return new Dataset("hand", LABELS, List.of(
                new Example("good", 1),                 // [0,2,0] -> pos, right
                new Example("bad, really bad", 0),      // [1,0,0] -> neg, right (longest text)
                new Example("fine", 2),                 // [0,3,0] -> pos, wrong
                new Example("okay then", 2),            // [0,0,2] -> neutral, right
                new Example("good", 0)));               // [0,2,0] -> pos, wrong
    }

    @Test
    void accuracyMacroF1AndLossAsWorkedOutByHand() {
        double e1 = Math.exp(-1);
        double e2 = Math.exp(-2);
        double loss = (Math.log(1 + 2 * e2) + Math.log(1 + 2 * e1) + Math.log(Math.exp(3) + 2)
                + Math.log(1 + 2 * e2) + Math.log(Math.exp(2) + 2)) / 5;
        // F1: neg tp1 actual2 predicted1 = 2/3; pos tp1 actual1 predicted3 = 1/2; neutral tp1 actual2 predicted1 = 2/3
        double macroF1 = (2.0 / 3 + 0.5 + 2.0 / 3) / 3;
        for (int batch : new int[] {1, 2, 5, 64}) {
            ClassificationMetrics.Result r = Evaluator.evaluate(model, data(), batch, Integer.MAX_VALUE);
            assertEquals(5, r.examples());
            assertEquals(0.6, r.accuracy(), 1e-12, "batch " + batch);
            assertEquals(macroF1, r.macroF1(), 1e-12, "batch " + batch);
            assertEquals(loss, r.loss(), 1e-6, "batch " + batch);
        }
    }

    @Test
    void theCapKeepsTheFirstExamples() {
        ClassificationMetrics.Result r = Evaluator.evaluate(model, data(), 2, 4);
        assertEquals(4, r.examples());
        assertEquals(0.75, r.accuracy(), 1e-12);
        EvalMetrics m = Evaluator.toEvalMetrics(r);
        assertEquals(0.75, m.accuracy(), 1e-12);
        assertEquals(4, m.examples());
        assertNotEquals(Double.NaN, m.loss());
    }

    @Test
    void aLabelSetOfAnotherSizeIsRefused() {
        Dataset two = new Dataset("two", List.of("a", "b"), List.of(new Example("good", 1)));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(model, two, 4, 10));
    }
}
