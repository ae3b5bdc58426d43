package io.fedtt.cli.predict;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.fedtt.cli.predict.Predictor.Prediction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Function;

/**
 * Writes {@code fedtt predict}'s JSONL: one line per input, in input order. The lines go to a hidden
 * temporary file next to the output, which is moved into place only once complete: the output is never
 * half written, and an earlier output stays as it was when a run fails.
 *
 * <ul>
 *   <li>classification: {@code {"label": NAME, "probabilities": {NAME: p, ...}}} (softmax of the class
 *       logits; names from the adapter's labels, else the class indices), plus {@code "logits": [..]}
 *       with --logits;
 *   <li>causal LM: {@code {"completion": TEXT, "tokens": N}} (N new tokens, the end-of-sequence token
 *       included when it ended the completion; the text without special tokens), plus
 *       {@code "logits": [V floats]}, the next-token logits at the last prompt position, with --logits.
 * </ul>
 */
final class PredictOutput {

    private static final JsonFactory JSON = new JsonFactory();

    private PredictOutput() {
    }

    /** The problem with writing {@code output}, checked before any work; null when there is none. */
    static String problem(Path output, Path input) {
        Path abs = output.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            return "is a folder; give a file name";
        }
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "its folder " + dir + " does not exist";
        }
        if (!Files.isWritable(dir)) {
            return "its folder " + dir + " is not writable";
        }
        try {
            if (abs.equals(input.toAbsolutePath().normalize()) || (Files.exists(abs) && Files.isSameFile(abs, input))) {
                return "is the input file; write the predictions elsewhere";
            }
        } catch (IOException e) {
            // cannot tell: the write itself will say what is wrong
        }
        return null;
    }

    /**
     * @param labels     class names for classification (null for a causal LM)
     * @param decode     a completion's text from its token ids (causal LM)
     * @param withLogits whether to write the logits
     */
    static void write(Path output, Prediction[] predictions, List<String> labels, Function<long[], String> decode,
            boolean withLogits) throws IOException {
        Path abs = output.toAbsolutePath().normalize();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
        tmp.toFile().deleteOnExit(); // stopped by a signal: no stray temporary file
        boolean moved = false;
        try {
            try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8),
                    1 << 16)) {
                for (Prediction p : predictions) {
                    JsonGenerator g = JSON.createGenerator(w);
                    g.writeStartObject();
                    if (labels != null) {
                        classification(g, p.logits(), labels);
                    } else {
                        g.writeStringField("completion", decode.apply(p.completion()));
                        g.writeNumberField("tokens", p.completion().length);
                    }
                    if (withLogits) {
                        g.writeArrayFieldStart("logits");
                        for (float v : p.logits()) {
                            g.writeNumber(v);
                        }
                        g.writeEndArray();
                    }
                    g.writeEndObject();
                    g.flush();
                    w.write('\n');
                }
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void classification(JsonGenerator g, float[] logits, List<String> labels) throws IOException {
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int k = 0; k < logits.length; k++) {
            if (logits[k] > max) {
                max = logits[k];
                best = k;
            }
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int k = 0; k < logits.length; k++) {
            p[k] = Math.exp(logits[k] - max);
            sum += p[k];
        }
        g.writeStringField("label", labels.get(best));
        g.writeObjectFieldStart("probabilities");
        for (int k = 0; k < logits.length; k++) {
            g.writeNumberField(labels.get(k), p[k] / sum);
        }
        g.writeEndObject();
    }
}
