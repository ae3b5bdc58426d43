package io.fedtt.core.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The linear projections of a transformer layer that an adapter can act on, per model family: LoRA's
 * targets ({@link AdapterConfig#loraTargets()}) and the TT deltas ({@link AdapterConfig#ttProjections()})
 * are named and resolved here, the same way. Each projection has a canonical name (Hugging Face's module
 * name), a few accepted aliases (the other family's spelling, single letters), its module path inside a
 * layer, and its [in, out] sizes for a given model.
 */
public final class Projections {

    /**
     * A projection of one layer.
     *
     * @param name canonical name, e.g. {@code query} (BERT) or {@code k_proj} (LLaMA)
     * @param path module path inside a layer, e.g. {@code attention.self.query}, {@code self_attn.k_proj}
     * @param in   input features
     * @param out  output features (k_proj and v_proj of a grouped-query model: numKeyValueHeads x headDim)
     */
    public record Projection(String name, String path, int in, int out) {
    }

    private enum Dim { HIDDEN, KV, FFN }

    private record Site(String name, String path, Dim in, Dim out) {
    }

    private static final List<Site> BERT = List.of(
            new Site("query", "attention.self.query", Dim.HIDDEN, Dim.HIDDEN),
            new Site("key", "attention.self.key", Dim.HIDDEN, Dim.HIDDEN),
            new Site("value", "attention.self.value", Dim.HIDDEN, Dim.HIDDEN),
            new Site("attention.output.dense", "attention.output.dense", Dim.HIDDEN, Dim.HIDDEN),
            new Site("intermediate.dense", "intermediate.dense", Dim.HIDDEN, Dim.FFN),
            new Site("output.dense", "output.dense", Dim.FFN, Dim.HIDDEN));
    private static final Map<String, String> BERT_ALIASES = Map.of("q_proj", "query", "k_proj", "key",
            "v_proj", "value", "o_proj", "attention.output.dense", "q", "query", "k", "key", "v", "value");

    private static final List<Site> LLAMA = List.of(
            new Site("q_proj", "self_attn.q_proj", Dim.HIDDEN, Dim.HIDDEN),
            new Site("k_proj", "self_attn.k_proj", Dim.HIDDEN, Dim.KV),
            new Site("v_proj", "self_attn.v_proj", Dim.HIDDEN, Dim.KV),
            new Site("o_proj", "self_attn.o_proj", Dim.HIDDEN, Dim.HIDDEN),
            new Site("gate_proj", "mlp.gate_proj", Dim.HIDDEN, Dim.FFN),
            new Site("up_proj", "mlp.up_proj", Dim.HIDDEN, Dim.FFN),
            new Site("down_proj", "mlp.down_proj", Dim.FFN, Dim.HIDDEN));
    private static final Map<String, String> LLAMA_ALIASES = Map.of("query", "q_proj", "key", "k_proj",
            "value", "v_proj", "q", "q_proj", "k", "k_proj", "v", "v_proj", "o", "o_proj");

    private Projections() {
    }

    /** Canonical names of a family's projections, in the model's order. */
    public static List<String> names(ModelConfig.Family family) {
        return sites(family).stream().map(Site::name).toList();
    }

    /** The canonical name {@code raw} stands for (case and surrounding blanks ignored), or empty. */
    public static Optional<String> canonical(ModelConfig.Family family, String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String t = raw.trim().toLowerCase(Locale.ROOT);
        if (names(family).contains(t)) {
            return Optional.of(t);
        }
        return Optional.ofNullable(aliases(family).get(t));
    }

    /** "unknown projection 'foo' for a LLAMA model; known: [q_proj, ...]". */
    public static String unknown(ModelConfig.Family family, String raw) {
        return "unknown projection '" + raw + "' for a " + family + " model; known: " + names(family);
    }

    /** Every projection of a layer of {@code model}, with its sizes, in the model's order. */
    public static List<Projection> all(ModelConfig model) {
        List<Projection> out = new ArrayList<>();
        for (Site s : sites(model.family())) {
            out.add(new Projection(s.name(), s.path(), size(model, s.in()), size(model, s.out())));
        }
        return out;
    }

    /**
     * The requested projections, canonical, without duplicates, in the model's order (not the request's).
     *
     * @param field what the names come from, for the error, e.g. {@code ttProjections}
     * @throws IllegalArgumentException "field[i]: unknown projection ..." for the first name that is neither a
     *                                  canonical name nor an alias
     */
    public static List<Projection> resolve(ModelConfig model, List<String> requested, String field) {
        List<String> wanted = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            String raw = requested.get(i);
            int at = i;
            String canonical = canonical(model.family(), raw).orElseThrow(() -> new IllegalArgumentException(
                    field + "[" + at + "]: " + unknown(model.family(), raw)));
            if (!wanted.contains(canonical)) {
                wanted.add(canonical);
            }
        }
        return all(model).stream().filter(p -> wanted.contains(p.name())).toList();
    }

    private static List<Site> sites(ModelConfig.Family family) {
        return family == ModelConfig.Family.BERT ? BERT : LLAMA;
    }

    private static Map<String, String> aliases(ModelConfig.Family family) {
        return family == ModelConfig.Family.BERT ? BERT_ALIASES : LLAMA_ALIASES;
    }

    private static int size(ModelConfig m, Dim d) {
        return switch (d) {
            case HIDDEN -> m.hiddenSize();
            case KV -> m.keyValueSize();
            case FFN -> m.intermediateSize();
        };
    }
}
