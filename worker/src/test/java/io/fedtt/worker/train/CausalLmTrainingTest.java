package io.fedtt.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.Example;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.PretrainedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Instruction tuning of a tiny random LLaMA (tools/fixtures: hidden 64, 2 layers, GQA) with TT
 * adapters on a synthetic task: each prompt names a word, the response is its fixed partner word.
 * The response-token loss must halve within 200 steps, and the evaluation reports the loss and the
 * greedy exact match.
 */
class CausalLmTrainingTest {

    static final Path TINY = Path.of("src/test/resources/llama/tiny-llama");
    static final String[] WORDS = {"cat", "dog", "sun", "tree", "data", "team", "river", "stone", "light", "bird",
        "green", "table"};

    @BeforeAll
    static void engine() {
        EngineSettings.fromEnvironment(System.getenv()).start();
    }

    /** "Say the partner of cat:" -> "dog" for a fixed random pairing. */
    static Dataset pairs(long seed) {
        List<String> partners = new ArrayList<>(List.of(WORDS));
        java.util.Collections.shuffle(partners, new Random(seed));
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < WORDS.length; i++) {
            examples.add(Example.promptResponse("Say the partner of " + WORDS[i] + ":", " " + partners.get(i), Map.of()));
        }
        return new Dataset("pairs", List.of(), examples);
    }

    @Test
    void aTinyRandomLlamaLearnsResponsesAndPromptTokensCarryNoLoss() throws Exception {
        try (PretrainedModel base = PretrainedModel.load(TINY, 32)) {
            AdapterLayout layout = AdapterLayout.of(base.config(), AdapterConfig.tt(4, 16));
            AdaptedModel model = AdaptedModel.attach(base, layout, 3);
            assertTrue(model.causalLm());
            Dataset data = pairs(7);
            ClassificationMetrics.Result before = Evaluator.evaluate(model, data, 12, 100);
            LocalTraining.Report report = LocalTraining.run(model, data,
                    Tasks.steps(layout.names(), 200, 12, 1e-2, 5), TrainingOptions.defaults(), StepListener.NONE);
            ClassificationMetrics.Result after = Evaluator.evaluate(model, data, 12, 100);
            System.out.printf("causal LM: loss %.3f -> %.3f over %d steps (first %.3f, last %.3f); exact match %.2f -> %.2f%n",
                    before.loss(), after.loss(), report.steps(), report.firstLoss(), report.lastLoss(),
                    before.accuracy(), after.accuracy());
            assertEquals(200, report.steps());
            assertTrue(after.loss() < before.loss() / 2, "loss " + before.loss() + " -> " + after.loss());
            assertTrue(after.accuracy() > before.accuracy(), "exact match " + before.accuracy() + " -> " + after.accuracy());
            base.backbone().namedParameters(); // still attached
        }
    }
}
