package io.fedtt.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.federation.JobId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobDescriptionJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JobDescription silo() {
        return new JobDescription(JobId.parse("ns/job"),
                new JobDescription.Model("builtin:all-minilm-l6-v2", null, null, "sequence-classification",
                        List.of("ham", "spam"), 64, ModelConfig.allMiniLmL6V2(0)),
                AdapterConfig.tt(4, 32).withModes(Map.of("down", List.of(4, 8, 12, 32), "up", List.of(4, 8, 12, 32))),
                42, new JobDescription.Data("body", "y", DataFormat.JSONL),
                new JobDescription.Silo("a", "file:a.jsonl", null), new JobDescription.Training(0.1, 0.01, 10));
    }

    @Test
    void roundTripsASilo() {
        JobDescription d = silo();
        assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)));
        assertEquals(2, d.model().architecture().numLabels(), "the labels set the head's width");
    }

    @Test
    void roundTripsLocalDifferentialPrivacyAndLeavesItOutWhenOff() {
        JobDescription plain = silo();
        assertFalse(JobDescriptionJson.write(plain).contains("localPrivacy"), "absent when off: older workers read it");
        io.fedtt.core.privacy.DifferentialPrivacy dp = io.fedtt.core.privacy.DifferentialPrivacy.local(0.5, 2).withDelta(1e-6);
        JobDescription d = new JobDescription(plain.job(), plain.model(), plain.adapter(), plain.seed(), plain.data(),
                plain.participant(), new JobDescription.Training(plain.training().warmupRatio(),
                        plain.training().weightDecay(), plain.training().headRateFactor(),
                        io.fedtt.core.wire.Encoding.FLOAT32, dp, 0));
        assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)));
        String bad = JobDescriptionJson.write(d).replace("\"noiseMultiplier\":2.0", "\"noiseMultiplier\":0.0");
        assertTrue(assertThrows(InvalidJobDescriptionException.class, () -> JobDescriptionJson.read(bad)).getMessage()
                .contains("noiseMultiplier"));
    }

    @Test
    void roundTripsLogitAdjustmentAndLeavesItOutWhenOff() {
        JobDescription plain = silo();
        assertFalse(JobDescriptionJson.write(plain).contains("logitAdjustment"), "absent when off: older workers read it");
        JobDescription.Training t = plain.training();
        JobDescription d = new JobDescription(plain.job(), plain.model(), plain.adapter(), plain.seed(), plain.data(),
                plain.participant(), new JobDescription.Training(t.warmupRatio(), t.weightDecay(), t.headRateFactor(),
                        t.encoding(), null, 1.5));
        assertEquals(1.5, JobDescriptionJson.read(JobDescriptionJson.write(d)).training().logitAdjustment());
        String bad = JobDescriptionJson.write(d).replace("\"logitAdjustment\":1.5", "\"logitAdjustment\":-1");
        assertTrue(assertThrows(InvalidJobDescriptionException.class, () -> JobDescriptionJson.read(bad)).getMessage()
                .contains("logitAdjustment"));
    }

    @Test
    void roundTripsTheAdapterBiasesAndLeavesThemOutAtBoth() {
        JobDescription plain = silo();
        assertFalse(JobDescriptionJson.write(plain).contains("adapterBias"), "absent at BOTH: older workers read it");
        for (AdapterConfig.AdapterBias b : AdapterConfig.AdapterBias.values()) {
            JobDescription d = new JobDescription(plain.job(), plain.model(), plain.adapter().withAdapterBias(b),
                    plain.seed(), plain.data(), plain.participant(), plain.training());
            assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)));
        }
        JobDescription down = new JobDescription(plain.job(), plain.model(),
                plain.adapter().withAdapterBias(AdapterConfig.AdapterBias.DOWN), plain.seed(), plain.data(),
                plain.participant(), plain.training());
        String bad = JobDescriptionJson.write(down).replace("\"DOWN\"", "\"UP\"");
        assertTrue(assertThrows(InvalidJobDescriptionException.class, () -> JobDescriptionJson.read(bad)).getMessage()
                .contains("adapterBias"));
    }

    @Test
    void roundTripsDevices() {
        JobDescription d = silo().withParticipant(new JobDescription.Devices("file:all.jsonl", "file:eval.jsonl", 100, 3,
                new JobDescription.Partition(JobDescription.Partition.Rule.FIELD, 0.5, "user")));
        assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)));
    }

    @Test
    void roundTripsALlamaFamilyModelWithTtDeltas() throws Exception {
        ModelConfig qwenLike = new ModelConfig(ModelConfig.Family.LLAMA, 64, 2, 128, 4, 2, 100, 256, 0, true, true, 0);
        JobDescription d = new JobDescription(silo().job(), new JobDescription.Model("file:/models/m", null, null,
                "sequence-classification", List.of("a", "b"), 64, qwenLike),
                AdapterConfig.tt().withTtProjections(List.of("q_proj", "v")), 1, silo().data(), silo().participant(),
                silo().training());
        String json = JobDescriptionJson.write(d);
        assertEquals(d, JobDescriptionJson.read(json));
        ObjectNode tree = (ObjectNode) JSON.readTree(json);
        assertEquals(2, tree.get("model").get("architecture").get("numKeyValueHeads").intValue());
        assertEquals(List.of("q_proj", "v"), List.of(tree.get("adapter").get("ttProjections").get(0).asText(),
                tree.get("adapter").get("ttProjections").get(1).asText()));
    }

    @Test
    void theNewFieldsAreLeftOutAtTheirDefaultsAndReadAsDefaultsWhenAbsent() throws Exception {
        // A description without them (as written before they existed) reads as: no grouped-query attention,
        // untied embeddings, no attention biases, no TT deltas; and one that does not use them is written
        // without them, so a worker that predates them still reads it.
        ObjectNode tree = (ObjectNode) JSON.readTree(JobDescriptionJson.write(silo()));
        for (String f : List.of("numKeyValueHeads", "tieWordEmbeddings", "attentionBias")) {
            assertTrue(!tree.get("model").get("architecture").has(f), f);
        }
        assertTrue(!tree.get("adapter").has("ttProjections"));
        JobDescription d = JobDescriptionJson.read(tree.toString());
        assertEquals(d.model().architecture().numHeads(), d.model().architecture().numKeyValueHeads());
        assertEquals(List.of(), d.adapter().ttProjections());

        ObjectNode badHeads = tree.deepCopy();
        ((ObjectNode) badHeads.get("model").get("architecture")).put("family", "LLAMA").put("typeVocabSize", 0)
                .put("numKeyValueHeads", 5);
        assertTrue(message(badHeads).contains("numKeyValueHeads 5"), message(badHeads));
        ObjectNode badFlag = tree.deepCopy();
        ((ObjectNode) badFlag.get("model").get("architecture")).put("attentionBias", "yes");
        assertTrue(message(badFlag).contains("model.architecture.attentionBias must be true or false"), message(badFlag));
    }

    @Test
    void theLayoutIsTheCoreLayoutOfTheDeclaredModel() {
        JobDescription d = silo();
        assertEquals(AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), d.adapter()).tensors(), d.layout().tensors());
    }

    @Test
    void refusesOtherVersionsUnknownAndMissingFieldsNamingThem() throws Exception {
        ObjectNode tree = (ObjectNode) JSON.readTree(JobDescriptionJson.write(silo()));
        ObjectNode v2 = tree.deepCopy();
        v2.put("formatVersion", 2);
        assertTrue(message(v2).contains("formatVersion 2"), message(v2));

        ObjectNode unknown = tree.deepCopy();
        ((ObjectNode) unknown.get("model")).put("colour", "blue");
        assertTrue(message(unknown).contains("model.colour is not a known field"), message(unknown));

        ObjectNode missing = tree.deepCopy();
        ((ObjectNode) missing.get("model").get("architecture")).remove("hiddenSize");
        assertTrue(message(missing).contains("model.architecture.hiddenSize is required"), message(missing));

        ObjectNode wrongType = tree.deepCopy();
        ((ObjectNode) wrongType.get("training")).put("warmupRatio", "lots");
        assertTrue(message(wrongType).contains("training.warmupRatio must be a number"), message(wrongType));

        ObjectNode badValue = tree.deepCopy();
        ((ObjectNode) badValue.get("model")).put("maxSequenceLength", 0);
        assertTrue(message(badValue).contains("maxSequenceLength must be >= 1"), message(badValue));

        assertTrue(assertThrows(InvalidJobDescriptionException.class, () -> JobDescriptionJson.read("{not json"))
                .getMessage().contains("not valid JSON"));
    }

    static final ModelConfig TINY_LLAMA = ModelConfig.llama(64, 2, 128, 4, 2, 100, 256, true, false);

    static JobDescription causalLm() {
        return new JobDescription(JobId.parse("ns/sft"),
                new JobDescription.Model("file:/models/tiny-llama", null, null, JobDescription.TASK_CAUSAL_LM,
                        List.of(), 256, TINY_LLAMA),
                AdapterConfig.tt(), 7, new JobDescription.Data("text", "label", "instruction", "output", DataFormat.JSONL),
                new JobDescription.Silo("a", "file:a.jsonl", "file:a-eval.jsonl"), new JobDescription.Training(0, 0, 1));
    }

    @Test
    void roundTripsACausalLmJob() throws Exception {
        JobDescription d = causalLm();
        assertTrue(d.model().causalLm());
        assertEquals(0, d.model().architecture().numLabels(), "no classification head");
        assertTrue(!d.layout().tensors().stream().anyMatch(t -> t.name().startsWith("score")), "no score head");
        String json = JobDescriptionJson.write(d);
        assertEquals(d, JobDescriptionJson.read(json));
        ObjectNode tree = (ObjectNode) JSON.readTree(json);
        assertEquals("causal-lm", tree.get("model").get("task").asText());
        assertEquals(0, tree.get("model").get("labels").size());
        assertEquals("instruction", tree.get("data").get("promptField").asText());
        assertEquals("output", tree.get("data").get("responseField").asText());
        JobDescription devices = d.withParticipant(new JobDescription.Devices("file:all.jsonl", null, 10, 2,
                new JobDescription.Partition(JobDescription.Partition.Rule.IID, 0.5, null)));
        assertEquals(devices, JobDescriptionJson.read(JobDescriptionJson.write(devices)));
    }

    @Test
    void promptAndResponseFieldsAreLeftOutAtTheirDefaultsAndDefaultWhenAbsent() throws Exception {
        // A classification job's description reads the same in a worker that predates the prompt/response fields.
        ObjectNode tree = (ObjectNode) JSON.readTree(JobDescriptionJson.write(silo()));
        assertTrue(!tree.get("data").has("promptField") && !tree.get("data").has("responseField"), tree.toString());
        JobDescription d = JobDescriptionJson.read(tree.toString());
        assertEquals(JobDefaults.PROMPT_FIELD, d.data().promptField());
        assertEquals(JobDefaults.RESPONSE_FIELD, d.data().responseField());
        assertEquals(new JobDescription.Data("body", "y", "prompt", "response", DataFormat.JSONL), d.data());
        ((ObjectNode) tree.get("data")).putNull("promptField");
        assertEquals("prompt", JobDescriptionJson.read(tree.toString()).data().promptField(), "null is absent");
        ((ObjectNode) tree.get("data")).put("responseField", 3);
        assertTrue(message(tree).contains("data.responseField must be a string"), message(tree));
        ((ObjectNode) tree.get("data")).put("responseField", " ");
        assertTrue(message(tree).contains("data: data.responseField is required"), message(tree));
    }

    @Test
    void theTaskDecidesTheLabelsAndTheFamily() throws Exception {
        ObjectNode tree = (ObjectNode) JSON.readTree(JobDescriptionJson.write(causalLm()));
        ObjectNode withLabels = tree.deepCopy();
        ((ObjectNode) withLabels.get("model")).putArray("labels").add("a").add("b");
        assertEquals("invalid job description: model: model.labels: a causal-lm job has no labels, got [a, b]", message(withLabels));

        ObjectNode unknown = tree.deepCopy();
        ((ObjectNode) unknown.get("model")).put("task", "token-classification");
        assertEquals("invalid job description: model: model.task: unknown task 'token-classification'; known: sequence-classification,"
                + " causal-lm", message(unknown));

        ObjectNode classification = tree.deepCopy();
        ((ObjectNode) classification.get("model")).put("task", "sequence-classification");
        assertEquals("invalid job description: model: model.labels: at least two class names are required", message(classification));

        IllegalArgumentException bert = assertThrows(IllegalArgumentException.class, () -> new JobDescription.Model(
                "builtin:all-minilm-l6-v2", null, null, JobDescription.TASK_CAUSAL_LM, null, 64,
                ModelConfig.allMiniLmL6V2(0)));
        assertEquals("model.task: causal-lm needs a LLAMA-family model, got family BERT", bert.getMessage());
        JobDescription.Model nullLabels = new JobDescription.Model("file:m", null, null, "causal-lm", null, 64,
                TINY_LLAMA.withNumLabels(3));
        assertEquals(List.of(), nullLabels.labels());
        assertEquals(0, nullLabels.architecture().numLabels());
        assertTrue(!silo().model().causalLm());

        IllegalArgumentException dirichlet = assertThrows(IllegalArgumentException.class, () -> causalLm()
                .withParticipant(new JobDescription.Devices("file:all.jsonl", null, 10, 1,
                        new JobDescription.Partition(JobDescription.Partition.Rule.DIRICHLET, 0.5, null))));
        assertEquals("devices.partition.by: DIRICHLET splits by label and a causal-lm job has no labels; use IID or"
                + " FIELD", dirichlet.getMessage());
    }

    private static String message(ObjectNode tree) {
        return assertThrows(InvalidJobDescriptionException.class, () -> JobDescriptionJson.read(tree.toString()))
                .getMessage();
    }
}
