package io.fedtt.core.adapter;

/** Tensor names and shapes for the BERT family (BERT, RoBERTa, MiniLM), Hugging Face naming. */
final class BertLayout {

    private static final String[] ADAPTER_SITES = {"attention.output", "output"};

    private BertLayout() {
    }

    /**
     * Adapters after the attention output and the feed-forward output of every layer; the TT deltas of
     * {@link AdapterConfig#ttProjections()} on their projections, in the model's order (the attention's
     * before the first adapter, the feed-forward's before the second).
     */
    static void tt(ModelConfig m, AdapterConfig a, LayoutBuilder b) {
        int h = m.hiddenSize();
        var deltas = Projections.resolve(m, a.ttProjections(), "ttProjections");
        if (a.trainLayerNorm()) {
            embeddingNorm(b, h);
        }
        for (int i = 0; i < m.numLayers(); i++) {
            for (String site : ADAPTER_SITES) {
                String at = "encoder.layer." + i + "." + site;
                boolean attention = site.startsWith("attention.");
                for (var d : deltas) {
                    if (d.path().startsWith("attention.") == attention) {
                        b.ttDelta("encoder.layer." + i + "." + d.path(), d.in(), d.out());
                    }
                }
                b.adapter(at + ".adapter", h);
                if (a.trainLayerNorm()) {
                    norm(b, at + ".LayerNorm", h);
                }
            }
        }
        head(m, a, b);
    }

    static void lora(ModelConfig m, AdapterConfig a, LayoutBuilder b) {
        int h = m.hiddenSize();
        if (a.trainLayerNorm()) {
            embeddingNorm(b, h);
        }
        var targets = Projections.resolve(m, a.loraTargets(), "loraTargets");
        for (int i = 0; i < m.numLayers(); i++) {
            for (var t : targets) {
                b.lora("encoder.layer." + i + "." + t.path(), t.in(), t.out());
            }
            if (a.trainLayerNorm()) {
                norm(b, "encoder.layer." + i + ".attention.output.LayerNorm", h);
                norm(b, "encoder.layer." + i + ".output.LayerNorm", h);
            }
        }
        head(m, a, b);
    }

    /** Every weight of the encoder plus the head; no pooler (the project's head replaces it). */
    static void full(ModelConfig m, AdapterConfig a, LayoutBuilder b) {
        int h = m.hiddenSize();
        int f = m.intermediateSize();
        b.base("embeddings.word_embeddings.weight", Role.FULL, m.vocabSize(), h);
        b.base("embeddings.position_embeddings.weight", Role.FULL, m.maxPositions(), h);
        if (m.typeVocabSize() > 0) {
            b.base("embeddings.token_type_embeddings.weight", Role.FULL, m.typeVocabSize(), h);
        }
        b.base("embeddings.LayerNorm.weight", Role.FULL, h);
        b.base("embeddings.LayerNorm.bias", Role.FULL, h);
        for (int i = 0; i < m.numLayers(); i++) {
            String p = "encoder.layer." + i + ".";
            for (String proj : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense"}) {
                b.base(p + proj + ".weight", Role.FULL, h, h);
                b.base(p + proj + ".bias", Role.FULL, h);
            }
            b.base(p + "attention.output.LayerNorm.weight", Role.FULL, h);
            b.base(p + "attention.output.LayerNorm.bias", Role.FULL, h);
            b.base(p + "intermediate.dense.weight", Role.FULL, f, h);
            b.base(p + "intermediate.dense.bias", Role.FULL, f);
            b.base(p + "output.dense.weight", Role.FULL, h, f);
            b.base(p + "output.dense.bias", Role.FULL, h);
            b.base(p + "output.LayerNorm.weight", Role.FULL, h);
            b.base(p + "output.LayerNorm.bias", Role.FULL, h);
        }
        head(m, a, b);
    }

    /** The classification head the adapter config names (none without labels): classifier.dense.*, out_proj. */
    private static void head(ModelConfig m, AdapterConfig a, LayoutBuilder b) {
        if (!m.hasHead()) {
            return;
        }
        int h = m.hiddenSize();
        switch (a.head()) {
            case TT -> b.ttLayer("classifier.dense", h, h, TtLayerSpec.Kind.HEAD, Role.HEAD, Role.HEAD);
            case DENSE -> {
                b.add("classifier.dense.weight", Role.HEAD, h, h);
                b.add("classifier.dense.bias", Role.HEAD, h);
            }
            case LINEAR -> {
                // the projection alone
            }
        }
        outProj(m, b);
    }

    private static void outProj(ModelConfig m, LayoutBuilder b) {
        b.add("classifier.out_proj.weight", Role.HEAD, m.numLabels(), m.hiddenSize());
        b.add("classifier.out_proj.bias", Role.HEAD, m.numLabels());
    }

    private static void embeddingNorm(LayoutBuilder b, int h) {
        norm(b, "embeddings.LayerNorm", h);
    }

    private static void norm(LayoutBuilder b, String prefix, int h) {
        b.base(prefix + ".weight", Role.NORM, h);
        b.base(prefix + ".bias", Role.NORM, h);
    }
}
