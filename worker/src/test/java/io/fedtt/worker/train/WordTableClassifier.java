package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.TextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A classifier whose logits are a table row picked by the first word's token id plus a bias:
 * logits = onehot(ids[:, 1]) · table + bias. Small and exact, so tests can check training and
 * evaluation by hand; "frozen.scale" is a parameter outside the adapter that must never change.
 */
final class WordTableClassifier implements TrainableModel {

    static final int VOCAB = 30522;

    private final NDManager manager;
    private final TextTokenizer tokenizer;
    private final int labels;
    private final Map<String, Parameter> params = new LinkedHashMap<>();

    WordTableClassifier(NDManager parent, TextTokenizer tokenizer, int labels) {
        this.manager = parent.newSubManager();
        this.tokenizer = tokenizer;
        this.labels = labels;
        add("table.weight", manager.zeros(new Shape(VOCAB, labels)));
        add("table.bias", manager.zeros(new Shape(labels)));
        add("frozen.scale", manager.ones(new Shape(1)));
    }

    /** MiniLM's tokenizer.json, copied from the classpath. */
    static TextTokenizer miniLmTokenizer(Path dir, int maxLength) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.exists(file)) {
            try (InputStream in = WordTableClassifier.class.getClassLoader()
                    .getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
                Files.copy(in, file);
            }
        }
        return TextTokenizer.load(file, maxLength);
    }

    private void add(String name, NDArray value) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(value);
        p.freeze(true);
        params.put(name, p);
    }

    @Override
    public int numLabels() {
        return labels;
    }

    @Override
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public NDArray logits(ParameterStore ps, NDList inputs, boolean training) {
        NDArray ids = inputs.get(0);
        NDArray firstWord = ids.get(":, 1");
        NDArray w = ps.getValue(params.get("table.weight"), ids.getDevice(), training);
        NDArray b = ps.getValue(params.get("table.bias"), ids.getDevice(), training);
        NDArray s = ps.getValue(params.get("frozen.scale"), ids.getDevice(), training);
        return firstWord.oneHot(VOCAB).matMul(w).add(b).mul(s);
    }

    @Override
    public Map<String, Parameter> parameters() {
        return params;
    }

    @Override
    public Set<String> adapterNames() {
        return Set.of("table.weight", "table.bias");
    }

    @Override
    public void load(AdapterState state) {
        for (Map.Entry<String, Tensor> e : state.tensors().entrySet()) {
            if (!adapterNames().contains(e.getKey())) {
                throw new IllegalArgumentException("unknown tensor " + e.getKey());
            }
            params.get(e.getKey()).getArray().set(e.getValue().data());
        }
    }

    @Override
    public AdapterState export(Collection<String> names) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : names) {
            NDArray a = params.get(n).getArray();
            long[] s = a.getShape().getShape();
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                shape[i] = (int) s[i];
            }
            out.put(n, new Tensor(shape, a.toFloatArray()));
        }
        return new AdapterState(out);
    }

    /** The token id the tokenizer gives a one-word text. */
    int firstWordId(String word) {
        return (int) tokenizer.encode(java.util.List.of(word)).inputIds()[1];
    }
}
