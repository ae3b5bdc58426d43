package io.fedtt.worker.model.bert;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Hugging Face names and shapes of a BERT-family encoder's parameters, from its config alone
 * (no DJL): what a checkpoint for this config must contain. Linear weights are [out, in].
 */
public final class BertParameterShapes {

    private BertParameterShapes() {
    }

    public static Map<String, int[]> of(BertConfig c) {
        int h = c.hiddenSize();
        int f = c.intermediateSize();
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("embeddings.word_embeddings.weight", new int[] {c.vocabSize(), h});
        m.put("embeddings.position_embeddings.weight", new int[] {c.maxPositionEmbeddings(), h});
        m.put("embeddings.token_type_embeddings.weight", new int[] {c.typeVocabSize(), h});
        norm(m, "embeddings.LayerNorm.", h);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "encoder.layer." + i + ".";
            linear(m, p + "attention.self.query.", h, h);
            linear(m, p + "attention.self.key.", h, h);
            linear(m, p + "attention.self.value.", h, h);
            linear(m, p + "attention.output.dense.", h, h);
            norm(m, p + "attention.output.LayerNorm.", h);
            linear(m, p + "intermediate.dense.", h, f);
            linear(m, p + "output.dense.", f, h);
            norm(m, p + "output.LayerNorm.", h);
        }
        return m;
    }

    public static long parameterCount(BertConfig c) {
        long n = 0;
        for (int[] s : of(c).values()) {
            long k = 1;
            for (int d : s) {
                k *= d;
            }
            n += k;
        }
        return n;
    }

    private static void linear(Map<String, int[]> m, String prefix, int in, int out) {
        m.put(prefix + "weight", new int[] {out, in});
        m.put(prefix + "bias", new int[] {out});
    }

    private static void norm(Map<String, int[]> m, String prefix, int h) {
        m.put(prefix + "weight", new int[] {h});
        m.put(prefix + "bias", new int[] {h});
    }
}
